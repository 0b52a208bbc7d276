"""A stand-in for the ``sqlite3`` module, for Pyodide versions whose npm package
does not carry it (0.26, 0.27: their ``sqlite3`` is a separate compiled package
on Pyodide's CDN only, and the tests are offline).

IPython 8.23 (the version in those Pyodides' lock files, and in JupyterLite
0.6's kernel) imports ``sqlite3`` at module level and only uses it when its
history is on; the test shells run with ``HistoryManager.enabled = False``. So
the DB-API names IPython refers to are enough; :func:`connect` fails like a
database that cannot be opened. Installed by tests/pyodide/run-tests.mjs only
where ``import sqlite3`` fails.
"""

PARSE_DECLTYPES = 1
PARSE_COLNAMES = 2


class Error(Exception):
    """DB-API base error."""


class DatabaseError(Error):
    """DB-API database error."""


class OperationalError(DatabaseError):
    """DB-API operational error: raised by :func:`connect`."""


class IntegrityError(DatabaseError):
    """DB-API integrity error."""


class Connection:
    """Never instantiated: :func:`connect` always fails."""


def connect(*args, **kwargs):
    """Always raises :class:`OperationalError` (no SQLite in this Pyodide)."""
    raise OperationalError("sqlite3 is not available in this Pyodide (test stand-in)")


def register_adapter(*args, **kwargs):
    """Does nothing."""


def register_converter(*args, **kwargs):
    """Does nothing."""
