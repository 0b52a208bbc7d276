"""The modules LiveImport cannot use right now, kept until they are fixed.

A notebook shows a failed reload once, in the output of the cell before which
the sync ran; the frontend's status bar and dialog show what is still broken
(``_frontend`` sends :func:`current` with the status). A module fails when
its source cannot be analysed (phase ``"analysis"``: it stays untracked, or
keeps its last good version) or when reloading it raised (phase
``"reload"``: the previous version stays in use, and every sync retries). The
failure ends when the module reloads or is tracked successfully, when its
file is deleted (the loaded version simply stays), or at ``liveimport._reset()``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from ._nb_report import failure_location

__all__ = ("Failure", "note", "fixed", "current", "untracked_analysis", "version", "reset")


class Failure(NamedTuple):
    """One failing module (a named tuple: immutable, compared by value; not a
    dataclass, whose generated methods cost ~13 ms at a cold Pyodide import).

    :ivar module: the module name.
    :ivar phase: ``"analysis"`` or ``"reload"`` (as ``ModuleError.phase``).
    :ivar error: the cause as one line, e.g. ``"SyntaxError: invalid syntax"``.
    :ivar file: the file where the problem is (the module's source, or the
        file of the innermost frame of the module's own code), or None.
    :ivar line: the 1-based line in ``file``, or None.
    """

    module: str
    phase: str
    error: str
    file: str | None
    line: int | None


_FAILING: dict[str, Failure] = {}
_version = 0


def _cause_line(cause: BaseException) -> str:
    import traceback

    return traceback.format_exception_only(type(cause), cause)[-1].strip()


def note(module: str, phase: str, cause: BaseException) -> None:
    """Record that ``module`` fails in ``phase`` because of ``cause`` (the
    ``ModuleError``'s ``__cause__``), replacing an earlier failure of it."""
    global _version
    file, line = failure_location(module, cause)
    failure = Failure(module, phase, _cause_line(cause), file, line)
    if _FAILING.get(module) != failure:
        _FAILING[module] = failure
        _version += 1


def fixed(modules: Iterable[str]) -> None:
    """The ``modules`` work again (reloaded or tracked, or their file is gone)."""
    global _version
    for module in modules:
        if _FAILING.pop(module, None) is not None:
            _version += 1


def current() -> list[Failure]:
    """The failing modules, oldest failure first."""
    return list(_FAILING.values())


def untracked_analysis() -> bool:
    """Whether a module failed analysis (when tracking was to start, it stays
    untracked and sync retries tracking it; a tracked one is retried by every
    sync anyway)."""
    return any(f.phase == "analysis" for f in _FAILING.values())


def version() -> int:
    """A number that changes whenever :func:`current` does."""
    return _version


def reset() -> None:
    """Forget every failure (``liveimport._reset()``)."""
    global _version
    if _FAILING:
        _FAILING.clear()
        _version += 1
