"""Stand-ins that load LiveImport on first use (``liveimport-lite[autoload]``).

The IPython startup file ``00-liveimport-lite.py`` of this distribution calls
:func:`install` when an IPython shell or Jupyter kernel starts. It registers,
without importing LiveImport:

- a ``%%liveimport`` / ``%liveimport`` magic that imports ``liveimport``
  (which installs its real magics and hooks in the shell, replacing these
  stand-ins) and runs the real magic with the same arguments;
- an input transformer that does the same for a cell whose first line is
  ``#_%%liveimport`` (LiveImport's hidden cell magic).

So a notebook's first cell may be a LiveImport cell, and a kernel whose
notebook never uses LiveImport pays only for these two registrations.

This module is imported as a top-level module so that loading it does not
import the ``liveimport`` package. It never imports IPython itself: a plain
Python process that imports it gets nothing installed.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import re
import sys
from typing import Any

__all__ = ("disabled", "install")

#: The attribute LiveImport (``liveimport._nbi``) looks for on hooks it owns:
#: its installation removes every hook so marked, these stand-ins included.
HOOK_MARK = "_liveimport_hook"

#: ``liveimport._nbi``'s hidden cell magic: a first line ``#_%%liveimport``.
_HIDDEN_MAGIC_RE = re.compile(r"#[ \t]*_(?=%%liveimport\b)")


def disabled(environ: Any = None) -> bool:
    """Whether ``LIVEIMPORT_NO_AUTOLOAD`` turns autoloading off: set to any
    value but ``0`` or ``false`` (case-insensitive), as LiveImport's own
    autoload extra reads it."""
    value = (os.environ if environ is None else environ).get("LIVEIMPORT_NO_AUTOLOAD")
    return value is not None and value.strip().lower() not in ("0", "false")


def _load_liveimport() -> Any:
    """Import LiveImport; it installs itself into the running shell (and
    when it was imported before without doing so, install it now: the
    stand-ins must never call themselves)."""
    liveimport = importlib.import_module("liveimport")
    shell = _shell()
    if shell is not None and shell.magics_manager.magics["cell"].get("liveimport") is _magic:
        liveimport.load_ipython_extension(shell)
    return liveimport


def _magic(line: str, cell: Any = None) -> Any:
    """``%%liveimport`` / ``%liveimport`` before LiveImport is loaded: load it,
    then run its real magic."""
    _load_liveimport()
    shell = _shell()
    if shell is None:  # pragma: no cover - a magic always runs in a shell
        raise RuntimeError("LiveImport autoload: no IPython shell")
    if cell is None:
        return shell.run_line_magic("liveimport", line)
    return shell.run_cell_magic("liveimport", line, cell)


def _unhide(lines: list[str]) -> list[str]:
    """Input transformer: a first line ``#_%%liveimport`` loads LiveImport and
    becomes ``%%liveimport`` (LiveImport's own transformer, installed by the
    import, handles the cells after this one)."""
    if lines and (match := _HIDDEN_MAGIC_RE.match(lines[0])):
        _load_liveimport()
        return [lines[0][match.end():]] + lines[1:]
    return lines


setattr(_magic, HOOK_MARK, True)
setattr(_unhide, HOOK_MARK, True)


def _shell() -> Any:
    ipython = sys.modules.get("IPython")
    return ipython.get_ipython() if ipython is not None else None


def install(shell: Any = None) -> bool:
    """Register the stand-ins in ``shell`` (default: the running IPython
    shell). Returns whether it did: not when autoloading is disabled
    (:func:`disabled`), outside IPython, when LiveImport is already imported
    or not installed.
    """
    if disabled():
        return False
    if shell is None:
        shell = _shell()
    if shell is None or "liveimport" in sys.modules:
        return False
    if importlib.util.find_spec("liveimport") is None:
        return False
    shell.register_magic_function(_magic, magic_kind="line_cell", magic_name="liveimport")
    cleanup = shell.input_transformers_cleanup
    if _unhide not in cleanup:
        cleanup.append(_unhide)
    return True
