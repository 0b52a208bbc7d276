"""Failures LiveImport survives on purpose, made visible.

Some steps may fail without failing the user's cell: an audit hook another
hook vetoes (sync then examines every file), a comm that no longer sends, the
bootstrap's warm-up (the first LiveImport cell is then slower). None of them
is passed over in silence: :func:`record` logs each on the ``liveimport``
logger (``logging``, with the traceback) and counts it by place, so that a
user can see it (``logging.getLogger("liveimport").setLevel(logging.DEBUG)``)
and a test can assert that nothing failed (:func:`counts`).
"""

from __future__ import annotations

__all__ = ("LOGGER", "record", "counts", "last")

#: The name of the logger failures are logged on.
LOGGER = "liveimport"

_COUNTS: dict[str, int] = {}
_LAST: dict[str, BaseException] = {}


def record(place: str, error: BaseException, *, warn: bool = False) -> None:
    """Note that the step ``place`` (a short name, e.g. ``"warm-up"``) failed
    with ``error`` and was survived: logged on :data:`LOGGER` at ``WARNING``
    level (``warn``: a bug, shown on stderr even where logging is not
    configured) or ``DEBUG`` (an expected condition, e.g. a refused audit
    hook), with the traceback, and counted. Never raises."""
    import logging  # only when something failed: not loaded at every import

    _COUNTS[place] = _COUNTS.get(place, 0) + 1
    _LAST[place] = error
    level = logging.WARNING if warn else logging.DEBUG
    logging.getLogger(LOGGER).log(
        level, "LiveImport: %s failed: %s: %s", place, type(error).__name__, error, exc_info=error
    )


def counts() -> dict[str, int]:
    """How many failures :func:`record` noted, by place, since LiveImport was
    imported (a copy)."""
    return dict(_COUNTS)


def last(place: str) -> BaseException | None:
    """The last failure recorded for ``place``, or None."""
    return _LAST.get(place)
