"""The kernel side of the jupyterlite-liveimport extension: the ``liveimport`` comm.

The extension (``jupyterlite-ext/``) loads LiveImport into a kernel with one
silent execute request, the *bootstrap*, sent as soon as the kernel of a
notebook holding a LiveImport cell is idle (or before the first such cell)::

    await __import__("piplite").install("liveimport-lite")   # Pyodide kernel only
    __import__("liveimport._frontend", fromlist=["_"]).bootstrap(
        '<settings JSON>', history_token='<unique>')

(wrapped so that it never raises: a kernel without LiveImport gets stand-in
magics, and the extension reads what happened from a marked line on stdout),
and from then on talks to the kernel
over a comm only (the Pyodide kernel runs every execute request as a user cell
with history; comm messages never do). Each page connection bootstraps once:
a page reloaded on a desktop kernel that already has LiveImport gets a new
comm.

The kernel opens the comm (target ``"liveimport"``); a frontend without the
extension just closes it. Messages (JSON objects, field ``type``; protocol
version 2, the extension's ``protocol.ts``):

frontend -> kernel
  ``{"type": "settings", "auto_sync": bool, "grace": float, "report": bool,
  "hidden_cell_magic": bool, "file_events": bool}``: applied with
  :func:`liveimport.auto_sync`, :func:`liveimport.hidden_cell_magic` and, for
  ``file_events`` (false: poll every tracked file before each cell, as
  without the extension), ``_page.PageState.allowed``. Missing keys are left
  unchanged. ``"stale_note": bool`` (optional, default true; an addition to
  version 2) says whether the note naming stale names follows a reload report
  (``_nbi.show_stale_note``). The bootstrap's settings may also hold ``"run": true``: the
  bootstrap was sent at the start of a notebook run (see ``run_start``).
  ``{"type": "file_events", "notebook_path": str, "paths": [str],
  "complete": bool}``: sent once the comm is open; the page reports every
  file change from now on, ``paths`` changed since the page connected to the
  kernel (all of them unless ``complete`` is false). Contents paths, relative
  to the drive root (see ``_page``). ``"console": true`` (optional, an
  addition to version 2): ``notebook_path`` is the session path of a console
  (a kernel used by consoles only), which names no file.
  ``{"type": "files_changed", "paths": [str], "deleted": [str]}``: files
  saved, created, renamed (both paths) or deleted through the page's contents
  manager; ``deleted`` (optional) lists those of ``paths`` that are gone
  (deleted, or the old path of a rename, with no later change), and
  ``file_events`` may carry it too. The kernel drops its cached file-system
  nodes of those (``_drive``) and never stats them.
  ``{"type": "run_start"}`` / ``{"type": "run_end"}``: a notebook run (one or
  more cells executed together, e.g. Run All) starts / ended; the kernel syncs
  before the run's first cell only.
  ``{"type": "status_text_request", "request_id": str}``: answered with
  ``{"type": "status_text", "request_id": str, "text": str, "graph": {...}}``,
  the text ``%liveimport`` prints (``str(liveimport.status(user_ns))``) and the
  same status as a dependency graph (``_graph``).

kernel -> frontend
  ``{"type": "status", "version": 2, "modules": int, "last_reload": float or
  None, "reloads": int, "file_events": bool, "failures": [...]}``: the comm's
  open data, and sent again whenever a value changes (checked before and
  after every cell). ``last_reload`` is the time (seconds since the epoch) of
  the last sync that reloaded a module; ``reloads`` counts such syncs since
  LiveImport was loaded; ``file_events`` tells whether syncs rely on the
  page's file events; ``failures`` lists the modules that fail until fixed
  (``_failures``), each ``{"module", "phase": "analysis" | "reload",
  "error": "SyntaxError: invalid syntax", "file": kernel path or None,
  "path": contents path or None, "line": 1-based int or None}``; ``stale``
  lists the notebook's names still holding objects of an earlier version of a
  reloaded module, as of the last reload or cell (``_stale.watched``), each
  ``{"name": str, "kind": "instance" | "class" | "function" | "enum member" |
  "method", "module": str, "qualname": str, "cell": int or None}`` (an
  addition to protocol version 2: absent from older kernels).

Nothing here runs unless :func:`bootstrap` or :func:`attach` is called; both
are no-ops outside an IPython kernel with the ``comm`` package.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from . import _failures, _incidents, _nbi, _page
from ._nbi import auto_sync, hidden_cell_magic
from ._shell import current_shell
from ._state import STATE
from ._warm_up import warm_up

__all__ = (
    "COMM_TARGET",
    "PROTOCOL_VERSION",
    "attach",
    "bootstrap",
    "apply_settings",
    "connected",
    "failure_messages",
    "status_message",
)

#: The comm target name registered by the extension.
COMM_TARGET = "liveimport"
#: Version of the message shapes (the extension's ``PROTOCOL_VERSION``).
PROTOCOL_VERSION = 2


class _Link:
    """The comm to the frontend and what the frontend last heard."""

    def __init__(self) -> None:
        self.comm: Any = None
        self.sent: tuple[int, float | None, int, bool, int, int] | None = None

    def key(self) -> tuple[int, float | None, int, bool, int, int]:
        """``(tracked modules, last reload, reloads, file events in use,
        failures version, stale names version)``, read from LiveImport's
        counters: O(1) per cell."""
        page = _page.active()
        stats = STATE.reload_stats()
        return (
            STATE.tracked_count(),
            stats.last_reload,
            stats.syncs,
            page is not None and page.in_use,
            _failures.version(),
            _stale_watched()[0],
        )

    def message(self) -> dict[str, Any]:
        modules, last_reload, reloads, file_events, _, _ = self.key()
        return {
            "type": "status",
            "version": PROTOCOL_VERSION,
            "modules": modules,
            "last_reload": last_reload,
            "reloads": reloads,
            "file_events": file_events,
            "failures": failure_messages(),
            "stale": [entry.to_json() for entry in _stale_watched()[1]],
        }

    def push(self) -> None:
        """Send the status if it changed since last sent."""
        key = self.key()
        if self.comm is None or key == self.sent:
            return
        self.sent = key
        try:
            self.comm.send(self.message())
        except Exception as error:  # the comm is unusable: the page hears nothing more
            _incidents.record("comm.send", error)
            self.comm = None

    # IPython event hooks (marked so a re-import replaces them).
    def pre_run_cell(self, info: Any = None) -> None:
        self.push()

    def post_run_cell(self, result: Any = None) -> None:
        self.push()

    _liveimport_frontend_hook = True


_LINK = _Link()


def _stale_watched() -> tuple[int, tuple[Any, ...]]:
    """``_stale.watched()``, or ``(0, ())`` while that module is not loaded
    (no reload yet: it is imported on the first one)."""
    stale = sys.modules.get(f"{__package__ or 'liveimport'}._stale")
    if stale is None:
        return 0, ()
    watched: tuple[int, tuple[Any, ...]] = stale.watched()
    return watched


def failure_messages() -> list[dict[str, Any]]:
    """The failing modules as the ``status`` message's ``failures``."""
    page = _page.active()
    out = []
    for f in _failures.current():
        path = page.contents_path(f.file) if page is not None and f.file else None
        out.append(
            {
                "module": f.module,
                "phase": f.phase,
                "error": f.error,
                "file": f.file,
                "path": path,
                "line": f.line,
            }
        )
    return out


def connected() -> bool:
    """Whether the extension's comm is open (a JupyterLab or JupyterLite
    frontend that can open files at a line)."""
    return _LINK.comm is not None


# Failures shown in cells link to their file while the comm is open.
_nbi.set_link_check(connected)


def status_message() -> dict[str, Any]:
    """The current ``status`` message."""
    return _LINK.message()


def apply_settings(message: dict[str, Any]) -> None:
    """Apply a ``settings`` message; keys that are missing or None are left as
    they are. ``"run": true`` opens a notebook run (the bootstrap's).

    :raises ValueError: a negative or non-numeric ``grace``.
    """
    auto_sync(message.get("auto_sync"), grace=message.get("grace"), report=message.get("report"))
    hidden = message.get("hidden_cell_magic")
    if hidden is not None:
        hidden_cell_magic(bool(hidden))
    stale_note = message.get("stale_note")
    if stale_note is not None:
        _nbi.show_stale_note(bool(stale_note))
    file_events = message.get("file_events")
    if file_events is not None:
        _page.activate().allowed = bool(file_events)
    if message.get("run"):
        _page.activate().run_start()


def _paths(data: dict[str, Any], key: str = "paths") -> list[str]:
    paths = data.get(key)
    return [p for p in paths if isinstance(p, str)] if isinstance(paths, list) else []


def _fresh_kernel() -> bool:
    """Whether no cell has run in the kernel yet (IPython's execution count
    is still 1: the bootstrap request took itself back out of it)."""
    shell = current_shell()
    return shell is not None and getattr(shell, "execution_count", None) == 1


def _on_msg(msg: dict[str, Any]) -> None:
    data = (msg.get("content") or {}).get("data") or {}
    kind = data.get("type")
    if kind == "settings":
        apply_settings(data)
        _LINK.push()  # file_events may have changed
    elif kind == "files_changed":
        _page.activate().files_changed(_paths(data), _paths(data, "deleted"))
    elif kind == "run_start":
        _page.activate().run_start()
    elif kind == "run_end":
        _page.activate().run_end()
    elif kind == "file_events":
        _page.activate().connect(
            str(data.get("notebook_path") or ""),
            _paths(data),
            bool(data.get("complete")),
            deleted=_paths(data, "deleted"),
            console=data.get("console") is True,
            fresh=_fresh_kernel(),
        )
        _LINK.push()
    elif kind == "status_text_request":
        shell = current_shell()
        namespace = shell.user_ns if shell is not None else None
        # Loaded on first use: _status needs dataclasses (see liveimport.__init__).
        from ._graph import graph_data
        from ._status import status

        snapshot = status(namespace)
        if _LINK.comm is not None:
            _LINK.comm.send(
                {
                    "type": "status_text",
                    "request_id": data.get("request_id"),
                    "text": str(snapshot),
                    "graph": graph_data(snapshot),
                }
            )


def _on_close(msg: Any = None) -> None:
    _LINK.comm = None
    _LINK.sent = None
    page = _page.active()
    if page is not None:
        page.disconnect()


def _install_hooks(shell: Any) -> None:
    for event in ("pre_run_cell", "post_run_cell"):
        for callback in list(shell.events.callbacks.get(event, [])):
            owner = getattr(callback, "__self__", None)
            if getattr(owner, "_liveimport_frontend_hook", False):
                shell.events.unregister(event, callback)
    shell.events.register("pre_run_cell", _LINK.pre_run_cell)
    shell.events.register("post_run_cell", _LINK.post_run_cell)


def attach(reopen: bool = False) -> bool:
    """Install the status hooks in the current shell and open the comm to the
    frontend, unless it is open (``reopen``: close it and open a new one, for
    a page that connected since). Returns whether a comm is open.

    Does nothing (returns False) outside an IPython kernel that has the
    ``comm`` package.
    """
    shell = current_shell()
    if shell is None:
        return False
    _install_hooks(shell)
    if _LINK.comm is not None:
        if not reopen:
            return True
        old, _LINK.comm = _LINK.comm, None
        try:
            old.close()
        except Exception as error:  # closed or broken already: a new one replaces it
            _incidents.record("comm.close", error)
        _on_close()
    try:
        import comm as comm_package
    except ImportError:  # not a Jupyter kernel: no frontend to talk to
        return False
    try:
        link = comm_package.create_comm(target_name=COMM_TARGET, data=status_message())
    except Exception as error:
        _incidents.record("comm.create_comm", error)
        return False
    _LINK.sent = _LINK.key()
    link.on_msg(_on_msg)
    link.on_close(_on_close)
    _LINK.comm = link
    _page.activate()
    return True


def _forget_bootstrap_cell(shell: Any, token: str) -> None:
    """Take the running bootstrap request back out of IPython's execution
    count and input history, where the Pyodide kernel (which ignores
    ``store_history=False``) put it; the frontend's count did not move.
    Does nothing unless the last stored input holds ``token``, the string the
    extension made for this one request: kernels that honour
    ``store_history`` never stored it, and a user's cell is never touched."""
    history = getattr(shell, "history_manager", None)
    if history is None or not token:
        return
    raw = history.input_hist_raw
    if not raw or token not in raw[-1]:
        return
    count = shell.execution_count - 1  # the bootstrap's number
    raw.pop()
    if history.input_hist_parsed:
        history.input_hist_parsed.pop()
    cache = getattr(history, "db_input_cache", None)
    if cache and cache[-1][0] == count:
        cache.pop()
    history._i00, history._i, history._ii = history._i, history._ii, history._iii
    shell.user_ns.update(_i=history._i, _ii=history._ii, _iii=history._iii)
    shell.user_ns.pop(f"_i{count}", None)
    shell.execution_count = count


def _warm_up(shell: Any) -> None:
    """Run the warm-up (``_warm_up.warm_up``: the code paths of a first
    LiveImport cell that do not depend on the user's modules), so that the
    bootstrap pays for them rather than that cell. Only speed is at stake:
    a failure does not fail the bootstrap, but it is a bug, logged as a
    warning and counted (``_incidents``, place ``"warm-up"``)."""
    try:
        warm_up(shell)
    except Exception as error:
        _incidents.record("warm-up", error, warn=True)


def bootstrap(settings_json: str = "{}", history_token: str | None = None) -> None:
    """Entry point of the extension's bootstrap request: undo the request's
    traces in IPython's history (only where they hold ``history_token``, see
    ``_forget_bootstrap_cell``), apply the settings (a ``settings`` message as
    JSON text) and open a new comm to the page that sent it.

    :raises ValueError: ``settings_json`` is not a JSON object, or holds an
        invalid ``grace``.
    """
    shell = current_shell()
    if shell is not None and history_token:
        _forget_bootstrap_cell(shell, history_token)
    settings = json.loads(settings_json)
    if not isinstance(settings, dict):
        raise ValueError("settings must be a JSON object")
    attach(reopen=True)
    apply_settings(settings)
    _LINK.push()
    _warm_up(shell)
