"""Notebook integration: LiveImport inside an IPython shell.

When ``liveimport`` is imported in an IPython shell (``IPython.get_ipython()``
is not None; that includes Jupyter's ipykernel and JupyterLite's Pyodide
kernel), this module installs into that shell:

- the ``%%liveimport`` cell magic and the ``%liveimport`` line magic
  (``liveimport._nb_magics``);
- the hidden cell magic: an ``input_transformers_cleanup`` entry that turns a
  first line ``#_%%liveimport`` (or ``# _%%liveimport``) into
  ``%%liveimport``;
- ``pre_run_cell`` / ``post_run_cell`` hooks that sync before a cell runs
  (unless within the grace period after the previous cell, or, when the
  jupyterlite-liveimport extension announces notebook runs, unless the cell
  is not the first of its run; see ``_page``) and show reload reports and
  reload failures (``error`` outputs of the cell, ``_nb_error``; the cell
  still runs).

Everything is installed once per shell, however often ``liveimport`` is
imported, reloaded or reset: installing first removes whatever an earlier copy
of this module installed. In plain Python nothing is installed, IPython is not
even imported, and :func:`auto_sync` / :func:`hidden_cell_magic` only record
their settings.
"""

from __future__ import annotations

import math
import re
import sys
import time
from collections.abc import Callable
from typing import Any

from . import _core, _incidents, _nb_error, _page
from ._nb_report import (
    failure_link_bundle,
    failure_location,
    failure_output,
    missing_line,
    report_bundle,
)
from ._shell import current_shell

__all__ = ("auto_sync", "hidden_cell_magic")

#: Clock used for the grace period, in seconds. Tests replace it.
_monotonic: Callable[[], float] = time.monotonic

_DEFAULT_GRACE = 1.0


class _Settings:
    """The user's choices (see :func:`auto_sync`, :func:`hidden_cell_magic`)."""

    __slots__ = ("enabled", "grace", "hidden", "report", "stale_note")

    def __init__(self) -> None:
        self.enabled = True
        self.grace = _DEFAULT_GRACE
        self.report = True
        self.hidden = True
        self.stale_note = True


_SETTINGS = _Settings()


def auto_sync_enabled() -> bool:
    """Whether cells sync before they run (:func:`auto_sync`)."""
    return _SETTINGS.enabled


#: The running IPython shell or None (``_shell.current_shell``); tests replace it.
_current_shell: Callable[[], Any] = current_shell


def _no_link() -> bool:
    """No frontend that can open files: the default of ``_link_check``."""
    return False


#: Whether a frontend that can open a file at a line is connected (the
#: extension's comm is open); ``_frontend`` sets it (:func:`set_link_check`).
_link_check: Callable[[], bool] = _no_link


def set_link_check(check: Callable[[], bool]) -> None:
    """Let failures shown in cells end with a link to the failing file and
    line whenever ``check()`` is true (``_frontend.connected``: the
    extension's comm is open, its page can open files)."""
    global _link_check
    _link_check = check


# ---------------------------------------------------------------------------
# Hidden cell magic
# ---------------------------------------------------------------------------

_HIDDEN_MAGIC_RE = re.compile(r"#[ \t]*_(?=%%liveimport\b)")
_MAGIC_LINE_RE = re.compile(r"[ \t]*(#[ \t]*_)?%%liveimport\b")


def liveimport_cell(code: str) -> bool:
    """Whether ``code`` (a cell as the frontend sent it) runs as a
    ``%%liveimport`` cell: its first non-blank line starts with
    ``%%liveimport``, or with ``#_%%liveimport`` while the hidden cell magic
    is on (:func:`hidden_cell_magic`)."""
    for line in code.splitlines():
        if line.strip():
            match = _MAGIC_LINE_RE.match(line)
            return match is not None and (match.group(1) is None or _SETTINGS.hidden)
    return False


def _unhide_cell_magic(lines: list[str]) -> list[str]:
    """IPython cleanup transformer: ``#_%%liveimport`` -> ``%%liveimport``.

    Only the first line changes (the prefix is dropped), so the cell keeps its
    line count.
    """
    if lines and (match := _HIDDEN_MAGIC_RE.match(lines[0])):
        return [lines[0][match.end() :], *lines[1:]]
    return lines


_unhide_cell_magic._liveimport_hook = True  # type: ignore[attr-defined]


def _is_ours(obj: Any) -> bool:
    """True for hooks installed by any copy of this module."""
    return bool(
        getattr(obj, "_liveimport_hook", False)
        or getattr(getattr(obj, "__self__", None), "_liveimport_hook", False)
    )


def _set_transformer(shell: Any, enabled: bool) -> None:
    cleanup: list[Callable[[list[str]], list[str]]] = shell.input_transformers_cleanup
    for fn in [fn for fn in cleanup if _is_ours(fn)]:
        cleanup.remove(fn)
    if enabled:
        cleanup.append(_unhide_cell_magic)


# ---------------------------------------------------------------------------
# Automatic sync
# ---------------------------------------------------------------------------


class _Handler:
    """The ``pre_run_cell`` / ``post_run_cell`` hooks of one shell.

    Reports of a sync done before a frontend's bootstrap cell (one run with
    ``store_history`` false) are deferred: they are shown before the next
    ordinary cell if it starts within the grace period, and dropped
    otherwise, so reports never show up at surprising times.
    """

    _liveimport_hook = True

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        #: When the previous cell finished (``_monotonic`` seconds).
        self.last_cell_end = -math.inf
        #: Report lines and failure texts held back from a bootstrap cell.
        self.deferred_lines: list[str] = []
        self.deferred_failures: list[BaseException] = []
        #: Depth of cells run by ``%%liveimport`` inside a cell: their hooks
        #: are ignored, the enclosing cell's hooks did the work.
        self.nested = 0
        #: The last sync reloaded a module: its report is followed by the
        #: stale names (``_stale``).
        self.reloaded = False

    def pre_run_cell(self, info: Any) -> None:
        """Sync before a cell unless within the grace period."""
        if self.nested:
            return
        now = _monotonic()
        previous_end, self.last_cell_end = self.last_cell_end, now
        page = _page.active()
        if page is not None:
            page.cells += 1
        if not _SETTINGS.enabled:
            return
        bootstrap = not getattr(info, "store_history", True)
        decision = page.cell_decision(now - previous_end) if page is not None else None
        if decision is None:
            decision = now - previous_end >= _SETTINGS.grace
        if decision:
            self.deferred_lines = []
            self.deferred_failures = []
            lines, failures = self._sync()
            if bootstrap:
                self.deferred_lines = lines
                self.deferred_failures = failures
            else:
                self._show(lines, failures)
        elif not bootstrap and (self.deferred_lines or self.deferred_failures):
            lines, failures = self.deferred_lines, self.deferred_failures
            self.deferred_lines = []
            self.deferred_failures = []
            self._show(lines, failures)

    def post_run_cell(self, result: Any) -> None:
        """Track newly loaded lazy imports; start the grace period."""
        if self.nested:
            return
        try:
            _core.poll_lazy_imports()
        except Exception as error:
            self._show_failure(error, action="track")
        finally:
            self.last_cell_end = _monotonic()

    def _sync(self) -> tuple[list[str], list[BaseException]]:
        """Run one sync; return report lines and failures. It examines
        every tracked file unless the page's file events can be relied on
        (``_page``): then only the files the page reported changed."""
        lines: list[str] = []
        failures: list[BaseException] = []
        page = _page.active()
        full = page is None or page.full_sync()
        # (A module created since the kernel started imports in a reload:
        # ``_core._sync`` invalidates the import caches before reloading
        # when one may have been created, from the page's reports.)
        try:
            # str() at once: the age is the age when the change was detected.
            _core._sync(lambda event: lines.append(str(event)), full=full, page_events=True)
        except Exception as error:
            failures.append(error)
        finally:
            if page is not None:
                page.synced(full)
        self.reloaded = bool(lines)
        # Deleted files first: they were noticed before anything reloaded.
        lines[:0] = [missing_line(name, file) for name, file in _core._take_missing()]
        return lines, failures

    def _show(self, lines: list[str], failures: list[BaseException]) -> None:
        if lines and _SETTINGS.report:
            self.shell.display_pub.publish(data=report_bundle(lines), metadata={})
        if self.reloaded:
            self.reloaded = False
            self._show_stale()
        for error in failures:
            self._show_failure(error)

    def _show_stale(self) -> None:
        """After a reload: update the stale names (``_stale``) and, unless
        reports are off, show the note naming them after the report."""
        from . import _stale

        try:
            note = _stale.after_reload()
        except Exception as error:  # a bug: say so, never fail the cell
            _write_failure(
                f"LiveImport: could not list stale names: {type(error).__name__}: {error}\n"
            )
            return
        if note is not None and _SETTINGS.report and _SETTINGS.stale_note:
            self.shell.display_pub.publish(data=note, metadata={})

    def _show_failure(self, error: BaseException, action: str = "reload") -> None:
        """Show the failure as an ``error`` output of the cell (``_nb_error``:
        ``ename``/``evalue`` of the cause, as LiveImport 1.3.1 re-raises it;
        our concise traceback) without failing the cell; when the extension's
        frontend is connected (it can open a file at a line), follow it with
        a link to the place."""
        _nb_error.show(self.shell, failure_output(error, action=action))
        bundle = _failure_link(error)
        if bundle is not None:
            self.shell.display_pub.publish(data=bundle, metadata={})


def _failure_link(error: BaseException) -> dict[str, str] | None:
    """The link display of a module failure, or None when no frontend that
    can open files is connected or the place is not among the page's files."""
    page = _page.active()
    module = getattr(error, "module", None)
    if page is None or not isinstance(module, str) or not _link_check():
        return None
    cause = error.__cause__ if error.__cause__ is not None else error
    file, line = failure_location(module, cause)
    if not file or page.contents_path(file) is None:
        return None
    return failure_link_bundle(file, line)


def _write_failure(text: str) -> None:
    """Show a bug of LiveImport's own (not a module's failure, which is an
    ``error`` output) as error text: stderr is what Jupyter frontends render
    as an error stream and terminals print, without failing the cell."""
    sys.stderr.write(text)
    sys.stderr.flush()


# ---------------------------------------------------------------------------
# Installation into the shell
# ---------------------------------------------------------------------------

_HANDLER: _Handler | None = None


def _uninstall(shell: Any) -> None:
    """Remove every hook any copy of this module installed in ``shell``."""
    for event in ("pre_run_cell", "post_run_cell"):
        for callback in list(shell.events.callbacks.get(event, [])):
            if _is_ours(callback):
                shell.events.unregister(event, callback)
    _set_transformer(shell, False)
    from . import _cells  # (imports ast: only once a shell is there)

    _cells.uninstall(shell)
    from . import _packages

    _packages.uninstall(shell)


def _install(shell: Any) -> _Handler:
    """Install magics, hooks and (if enabled) the hidden magic in ``shell``."""
    from ._nb_magics import LiveImportMagics  # needs IPython: only inside a shell

    _uninstall(shell)
    handler = _Handler(shell)
    shell.register_magics(LiveImportMagics(shell, handler))
    shell.events.register("pre_run_cell", handler.pre_run_cell)
    shell.events.register("post_run_cell", handler.post_run_cell)
    _set_transformer(shell, _SETTINGS.hidden)
    from . import _cells

    _cells.install(shell)
    from . import _packages

    _packages.install(shell, auto_sync_enabled, liveimport_cell)
    return handler


def attach(shell: Any = None) -> None:
    """Install into ``shell`` (default: the current shell, if any), replacing
    earlier installs (``%load_ext liveimport``, importing ``liveimport``).
    A failure to remove the hooks from an earlier shell is recorded
    (``_incidents``), not raised."""
    global _HANDLER
    if shell is None:
        shell = _current_shell()
    old = _HANDLER
    if old is not None and old.shell is not shell:
        try:
            _uninstall(old.shell)
        except Exception as error:  # that shell is gone or broken: ours is what matters
            _incidents.record("uninstall from the previous shell", error)
    _HANDLER = _install(shell) if shell is not None else None


def reset() -> None:
    """Restore the default settings and reinstall into the current shell.

    Called by ``liveimport._reset()``. Afterwards the shell (if any) has
    exactly one copy of each hook, the grace period starts afresh, no
    deferred report is pending and no page is connected.
    """
    global _SETTINGS
    _SETTINGS = _Settings()
    _page.reset()
    attach()


attach()


# ---------------------------------------------------------------------------
# Public API
# ---------------------------------------------------------------------------


def auto_sync(
    enabled: bool | None = None, *, grace: float | None = None, report: bool | None = None
) -> None:
    """Configure automatic sync behavior. By default, automatic syncing is
    enabled with a grace period of 1.0 seconds and reloads are reported.

    :param enabled: LiveImport syncs whenever a notebook cell runs if and only
        if `enabled` is true and a grace period since the end of the last cell
        execution has expired.
    :param grace: The minimum time in seconds that must pass between the end
        of one cell execution and the beginning of another before LiveImport
        will sync. The grace period inhibits syncing between cell executions
        during a multi-cell run, such as running the entire notebook.
    :param report: Use Markdown console blocks to report when modules are
        reloaded by automatic syncing.
    :raises ValueError: `grace` is negative or not a number.

    Arguments left as None keep their current value. Outside an IPython shell
    the settings are recorded but have no effect. Reload failures are always
    shown (as the cell's ``error`` output, before the cell runs), whatever
    `report` says, as in LiveImport 1.3.1.
    """
    if grace is not None:
        grace = float(grace)
        if not grace >= 0.0:
            raise ValueError(f"grace must be a non-negative number of seconds, not {grace!r}")
    if enabled is not None:
        _SETTINGS.enabled = bool(enabled)
    if grace is not None:
        _SETTINGS.grace = grace
    if report is not None:
        _SETTINGS.report = bool(report)


def show_stale_note(enabled: bool) -> None:
    """Whether the note naming stale names (``liveimport.stale``) follows a
    reload report (default true; reports off silence it too). The
    extension's setting; not part of LiveImport 1.3.1's API."""
    _SETTINGS.stale_note = bool(enabled)


def hidden_cell_magic(enabled: bool | None = None) -> None:
    """Configure hidden cell magic.

    :param enabled: Notebook cells that begin with ``#_%%liveimport`` run as
        if they began with ``%%liveimport`` if and only if `enabled` is true.
        This makes LiveImport cell magic transparent to IDEs like Visual
        Studio Code, yet still function as desired. Hidden cell magic is
        enabled by default. None leaves the setting unchanged.
    """
    if enabled is None:
        return
    _SETTINGS.hidden = bool(enabled)
    if _HANDLER is not None:
        _set_transformer(_HANDLER.shell, _SETTINGS.hidden)
