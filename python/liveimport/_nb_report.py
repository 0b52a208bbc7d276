"""Text of what LiveImport shows in a notebook: reload reports and failures.

Pure Python with no IPython dependency, so the formatting can be used (and
tested) anywhere. ``liveimport._nbi`` decides when and where to show it.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Iterable
from types import TracebackType
from typing import NamedTuple, Protocol

__all__ = (
    "report_bundle",
    "failure_text",
    "ErrorOutput",
    "failure_output",
    "failure_location",
    "failure_link_bundle",
    "missing_line",
    "display_path",
    "stale_note",
)


def report_bundle(lines: Iterable[str]) -> dict[str, str]:
    """Return the display data of a reload report.

    :param lines: One line per reload, usually ``str(event)`` of each
        ``ReloadEvent`` in reload order.
    :returns: A MIME bundle with ``text/markdown`` (a Markdown ``console``
        code block, as LiveImport shows in Jupyter) and ``text/plain`` (the
        bare lines, what a terminal IPython shows).
    """
    text = "\n".join(lines)
    return {
        "text/markdown": f"```console\n{text}\n```",
        "text/plain": text,
    }


def display_path(file: str, cwd: str | None = None) -> str:
    """``file`` as a notebook user reads it: relative to the working
    directory (the notebook's) when it lies below it, else as given."""
    cwd = os.getcwd() if cwd is None else cwd
    try:
        relative = os.path.relpath(file, cwd)
    except ValueError:  # another drive (Windows)
        return file
    return file if relative == os.pardir or relative.startswith(os.pardir + os.sep) else relative


def missing_line(module: str, file: str) -> str:
    """The report line of a tracked module whose source file disappeared,
    e.g. ``units.py was deleted; the loaded version of units stays in use``."""
    return f"{display_path(file)} was deleted; the loaded version of {module} stays in use"


def _same_file(a: str | None, b: str | None) -> bool:
    if not a or not b:
        return False
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.normcase(os.path.abspath(a)) == os.path.normcase(os.path.abspath(b))


def _module_file(module: str | None, cause: BaseException) -> str | None:
    mod = sys.modules.get(module) if module else None
    file = getattr(mod, "__file__", None)
    if file is None and isinstance(cause, SyntaxError):
        file = cause.filename
    return file


def _trim(tb: TracebackType | None, file: str | None) -> tuple[TracebackType | None, int | None]:
    """Skip the frames before the module's own code; also return the line of
    the innermost frame that runs the module's file."""
    first = None
    lineno = None
    while tb is not None:
        if _same_file(tb.tb_frame.f_code.co_filename, file):
            if first is None:
                first = tb
            lineno = tb.tb_lineno
        tb = tb.tb_next
    return first, lineno


def _locate(
    module: str | None, cause: BaseException
) -> tuple[str | None, int | None, TracebackType | None]:
    """The file and line where ``cause`` happened in ``module``'s own code,
    and the traceback to show from there (None for a ``SyntaxError``)."""
    file = _module_file(module, cause)
    tb, lineno = _trim(cause.__traceback__, file)
    if isinstance(cause, SyntaxError):
        tb = None
        if cause.filename:
            file = cause.filename
        lineno = cause.lineno
    elif tb is None:
        tb = cause.__traceback__
    return file, lineno, tb


def failure_location(module: str | None, cause: BaseException) -> tuple[str | None, int | None]:
    """Where a module's failure is, as ``failure_text`` names it: ``(file,
    line)`` (1-based), either None when unknown. For a ``SyntaxError``, its
    file and line; otherwise the innermost frame running the module's file,
    or just the module's file."""
    file, line, _ = _locate(module, cause)
    return file, line


def failure_link_bundle(file: str, line: int | None, cwd: str | None = None) -> dict[str, str]:
    """The display data of a link that opens ``file`` at ``line`` (1-based)
    in JupyterLab's or JupyterLite's editor: a relative ``href`` (resolved
    against the notebook's directory, ``cwd``) with the fragment
    ``#line=N`` that JupyterLab's file editor reads (0-based), and the same
    words as ``text/plain``."""
    import html  # only where a failure is shown: not loaded at every import
    import urllib.parse

    cwd = os.getcwd() if cwd is None else cwd
    relative = os.path.relpath(file, cwd).replace(os.sep, "/")
    href = urllib.parse.quote(relative)
    label = display_path(file, cwd)
    if line is not None:
        href += f"#line={max(line - 1, 0)}"
        label += f" at line {line}"
    return {
        "text/html": (
            f'<div class="jp-LiveImport-failureLink">Open '
            f'<a href="{html.escape(href, quote=True)}">{html.escape(label)}</a>'
            f" in the editor</div>"
        ),
        "text/plain": f"Open {label} in the editor",
    }


def failure_text(error: BaseException, *, action: str = "reload") -> str:
    """Return the concise report of a module that LiveImport could not reload.

    :param error: Usually a ``ModuleError`` (attributes ``module`` and
        ``phase``, the problem as ``__cause__``); any other exception is
        reported with its full traceback.
    :param action: ``"reload"`` (the module's previous version stays in use)
        or ``"track"`` (the module is not tracked).
    :returns: Several lines ending with a newline: a headline naming the
        module, the file and line and the cause; the module's own traceback
        frames (for a ``SyntaxError``, the offending line); and what happens
        next.
    """
    module = getattr(error, "module", None)
    cause = error.__cause__ if error.__cause__ is not None else error
    if not isinstance(module, str):
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        return f"LiveImport: automatic sync failed: {type(error).__name__}: {error}\n{trace}"

    file, lineno, tb = _locate(module, cause)

    where = []
    if file:
        where.append(file)
    if lineno is not None:
        where.append(f"line {lineno}")
    place = f" ({', '.join(where)})" if where else ""
    cause_text = traceback.format_exception_only(type(cause), cause)[-1].strip()
    verb = "reload" if action == "reload" else "track"
    head = f"LiveImport could not {verb} {module}{place}: {cause_text}\n"
    trace = "".join(traceback.format_exception(type(cause), cause, tb))
    if action == "reload":
        tail = (
            f"The previous version of {module} stays in use; fix the file "
            f"and run a cell to reload it.\n"
        )
    else:
        tail = f"{module} is not tracked until it is fixed.\n"
    return head + trace + tail


class ErrorOutput(NamedTuple):
    """The content of the ``error`` output a failure is shown as (the fields
    of a Jupyter ``error`` message, ``ename``, ``evalue``, ``traceback``),
    plus the exception it names.

    :ivar exception: the cause: a ``ModuleError``'s ``__cause__`` (the
        ``SyntaxError`` of an analysis error, what the module raised in a
        reload error); any other error itself.
    :ivar ename: ``type(exception).__name__``, as ipykernel names an error.
    :ivar evalue: ``str(exception)``.
    :ivar traceback: the lines of :func:`failure_text`, without newlines.
    """

    exception: BaseException
    ename: str
    evalue: str
    traceback: list[str]


def failure_output(error: BaseException, *, action: str = "reload") -> ErrorOutput:
    """The ``error`` output of a failure: the cause's name and value, as
    LiveImport 1.3.1 shows them (it re-raises ``ModuleError.__cause__`` from
    its ``pre_run_cell`` hook), with the lines of :func:`failure_text`
    (``error`` and ``action`` as there) as its traceback."""
    cause = error
    if isinstance(getattr(error, "module", None), str) and error.__cause__ is not None:
        cause = error.__cause__
    lines = failure_text(error, action=action).rstrip("\n").split("\n")
    return ErrorOutput(cause, type(cause).__name__, str(cause), lines)


class StaleEntry(Protocol):
    """What :func:`stale_note` reads of an entry (``liveimport.StaleName``,
    which ``_stale`` defines: this module does not import it, ``_stale``
    imports this one)."""

    @property
    def name(self) -> str: ...
    @property
    def kind(self) -> str: ...
    @property
    def module(self) -> str: ...
    @property
    def qualname(self) -> str: ...
    @property
    def cell(self) -> int | None: ...


#: At most this many names are listed per group of the stale note.
STALE_NOTE_NAMES = 8


def _stale_what(kind: str, qualname: str, cell: int | None) -> str:
    if kind == "instance":
        return qualname if cell is None else f"{qualname}, made in In [{cell}]"
    what = f"member of {qualname}" if kind == "enum member" else f"{kind} {qualname}"
    return what if cell is None else f"{what}, In [{cell}]"


def stale_note(entries: Iterable[StaleEntry]) -> str:
    """The note shown after a reload report when names still hold objects of
    a reloaded module's earlier version: one line per module, e.g. ::

        Still on the old version of shapes: sq, items (Square, made in In [4]); \
f (function area, In [6]) — re-run those cells to get the new code.

    Names sharing kind, qualified name and cell are grouped (at most
    :data:`STALE_NOTE_NAMES` listed per group, then "and N more"); modules
    and groups in the order of the entries. Empty text for no entries.
    """
    modules: dict[str, dict[tuple[str, str, int | None], list[str]]] = {}
    known_cell = False
    for entry in entries:
        groups = modules.setdefault(entry.module, {})
        names = groups.setdefault((entry.kind, entry.qualname, entry.cell), [])
        if entry.name not in names:
            names.append(entry.name)
        known_cell = known_cell or entry.cell is not None
    if not modules:
        return ""
    lines = []
    for module, groups in modules.items():
        parts = []
        for (kind, qualname, cell), names in groups.items():
            shown = ", ".join(names[:STALE_NOTE_NAMES])
            if len(names) > STALE_NOTE_NAMES:
                shown += f" and {len(names) - STALE_NOTE_NAMES} more"
            parts.append(f"{shown} ({_stale_what(kind, qualname, cell)})")
        lines.append(f"Still on the old version of {module}: {'; '.join(parts)}")
    advice = "re-run those cells" if known_cell else "make them again"
    lines[-1] += f" \u2014 {advice} to get the new code."
    return "\n".join(lines)
