"""The LiveImport API: :func:`register`, :func:`sync`, :func:`workspace` and
:func:`poll_lazy_imports`, plus ``_reset()`` for tests.

All state lives in ``liveimport._state.STATE``; this module is the only one
that changes it.

The Rust engine (``liveimport._engine``, contract in ``_engine.pyi``) owns
parsing, the module graph, mtimes, the workspace and the registration
journals. This module does what needs the Python runtime: look modules up in
``sys.modules``, check namespaces, run ``importlib.reload`` (transactionally:
a failed reload leaves the module as it was) and rebind names.
"""

from __future__ import annotations

import importlib
import os
import sys
import textwrap
import time
from collections.abc import Callable, Iterable
from os import PathLike
from typing import Any

from . import _engine, _failures, _import_caches, _incidents, _records, _reload_source
from ._errors import ModuleError, ReloadEvent
from ._state import STATE, Reloaded

__all__ = ("register", "sync", "workspace", "poll_lazy_imports")


def _note_compiles() -> None:
    """Inside Pyodide, let the engine note the module sources CPython compiles
    and runs from now on (``_engine.note_compiles``, an audit hook): a module
    whose file still holds the source it was imported from is known to be
    valid, so tracking it reads only its imports instead of parsing it whole.
    Parsing in WebAssembly before V8 optimises the parser made the first
    ``register()`` of a 200-module workspace several times slower (issue 10).
    Natively, modules mostly load from cached bytecode (no compile to note)
    and parsing is fast, so nothing is installed. A refused hook only costs
    speed; it is recorded (``_incidents``)."""
    if sys.platform != "emscripten":
        return
    try:
        _engine.note_compiles()
    except Exception as error:  # another audit hook vetoed ours: every module is parsed whole
        _incidents.record("note_compiles", error)


_note_compiles()


def _analysis_error(module: str, cause: BaseException) -> ModuleError:
    error = ModuleError(module, "analysis")
    error.__cause__ = cause
    return error


def _analysis_failure(error: _engine.AnalysisError) -> ModuleError:
    """The ``ModuleError(module, "analysis")`` for an engine ``AnalysisError``,
    noted as a failure for the status (``_failures``)."""
    _failures.note(error.module, "analysis", error.cause)
    return _analysis_error(error.module, error.cause)


def _track_indirects() -> ModuleError | None:
    """Start tracking every loaded, not yet tracked dependency of a tracked
    module whose source file is in the workspace, transitively (the engine
    decides on the workspace). Returns the first analysis error (the module
    stays untracked), after tracking everything else."""
    first_error: ModuleError | None = None
    wanted = STATE.engine.untracked_dependencies()
    looked: set[str] = set()
    modules = sys.modules
    module_spec = _records.module_spec
    lazy = getattr(sys, "lazy_modules", None)  # PEP 810, 3.15+
    while wanted:
        found: list[_records.ModuleSpec] = []
        for name in wanted:
            if name in looked:
                continue
            looked.add(name)
            module = modules.get(name)
            if module is None:
                if lazy and _records.is_lazy(name):
                    STATE.lazy_watch.add(name)
                continue
            spec = module_spec(name, module)
            if spec is not None:
                found.append(spec)
        if not found:
            break
        wanted, errors = STATE.engine.track_indirect(found)
        for module_name, cause in errors:
            _failures.note(module_name, "analysis", cause)
            if first_error is None:
                first_error = _analysis_error(module_name, cause)
        failing = {module_name for module_name, _ in errors}
        _failures.fixed(spec[0] for spec in found if spec[0] not in failing)
    return first_error


def register(
    namespace: dict[str, Any],
    importstmts: str,
    *,
    package: str = "",
    clear: bool = False,
    allow_other_statements: bool = False,
) -> None:
    """Register import statements for syncing.

    All modules referenced by the import statements must already be loaded and
    have a ``__spec__``, and all names mentioned must already exist in
    `namespace`. If a module's ``.py`` source file is later modified, a sync
    reloads the module and updates the names bound from it. A module without a
    ``.py`` file (built-in, frozen, extension, zip-imported, namespace
    package) is tracked as having none: it never reloads, while its
    submodules with files do (LiveImport 1.3.1).

    :param namespace: The import statements' target, usually the caller's
        ``globals()``. LiveImport keeps it alive while it has registrations.
    :param importstmts: Python code of zero or more import statements (the
        text is dedented first; all statements must share one indentation).
        The application should already have executed these or equivalent
        imports.
    :param package: Context for relative imports, usually the caller's
        ``__spec__.parent``. Without it, relative imports are not allowed.
    :param clear: If true, discard all prior registrations targeting
        `namespace` first.
    :param allow_other_statements: If true, non-import statements are allowed
        in `importstmts` and ignored; otherwise they raise ``ValueError``.

    :raises SyntaxError: `importstmts` is not syntactically valid.
    :raises ImportError: `importstmts` includes an improper relative import.
    :raises ValueError: a non-import statement without
        `allow_other_statements`, a referenced module not loaded or whose
        ``__spec__`` is ``None`` (``Module X has no spec``), or a name that
        does not already exist (the message names the missing statement, e.g.
        ``No name x in namespace; missing from m import x?``).
    :raises ModuleError: the source of a module to track cannot be analysed
        (phase ``"analysis"``; cause: the ``SyntaxError`` that the running
        Python's ``ast.parse`` raises for it, with CPython's message, file,
        line and offset, or an ``ImportError`` for a relative import escaping
        its package). The statements are registered when the failing module
        is only tracked indirectly.
    :raises TypeError: `namespace` is not a dict.

    Registration is idempotent; overlapping registrations are fine. A statement
    registered again moves to the end of the replay order, so later
    registrations win when two statements bind the same name. Example::

        liveimport.register(globals(), \"\"\"
        import printmath as pm
        from simulator import stop as halt
        from verify import *
        \"\"\")
    """
    if not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict, not {type(namespace).__name__}")
    records = STATE.engine.parse_statements(
        textwrap.dedent(importstmts), package or "", bool(allow_other_statements)
    )
    modules: list[_records.ModuleSpec] = []
    for record in records:
        for spec in _records.validate(record, namespace):
            if spec not in modules:
                modules.append(spec)

    nsid = id(namespace)
    try:
        STATE.engine.register(nsid, records, modules, clear)
    except _engine.AnalysisError as error:
        raise _analysis_failure(error) from error.cause
    _failures.fixed(spec[0] for spec in modules)
    if STATE.engine.journal(nsid):
        STATE.namespaces[nsid] = namespace
    else:
        STATE.namespaces.pop(nsid, None)

    track_error = _track_indirects()
    if track_error is not None:
        raise track_error


def _restore(name: str, module: Any, saved: dict[str, Any]) -> None:
    """Put ``module`` back exactly as it was before a reload attempt."""
    contents = module.__dict__
    contents.clear()
    contents.update(saved)
    sys.modules[name] = module


def _reload(
    name: str,
    records: list[_records.Record],
    source: tuple[str, float, bytes] | None = None,
    epoch: int | None = None,
) -> BaseException | None:
    """Reload module ``name`` transactionally: on failure (it raises, or a
    registered statement could no longer rebind from it) restore it and
    return the exception; ``None`` on success. ``source``: ``(file, mtime,
    bytes)`` of its source file as the engine just read it, reloaded from
    without reading the file again where that gives what ``importlib.reload``
    would (``_reload_source``, at import epoch ``epoch``)."""
    module = sys.modules.get(name)
    if module is None:
        return ImportError(f"module {name} not in sys.modules", name=name)
    saved = dict(module.__dict__)
    file = getattr(module, "__file__", None)
    if not isinstance(file, str):
        file = None
    try:
        if (
            source is not None
            and epoch is not None
            and source[0] == file
            and _reload_source.applies(name, module, file, epoch)
        ):
            _reload_source.reload(name, module, source[0], source[1], source[2], epoch)
        else:
            importlib.reload(module)
            _reload_source.found(name, module, file, epoch)
    except BaseException as error:
        _restore(name, module, saved)
        return error
    for record in records:
        problem = _records.rebind_problem(record, module)
        if problem is not None:
            _restore(name, module, saved)
            return problem
    return None


def sync(*, observer: Callable[[ReloadEvent], None] | None = None) -> None:
    """Bring all registered imports up to date: reload out-of-date tracked
    modules and rebind the registered names.

    A tracked module is out of date if its source file's modification time
    changed since registration or the last sync (an older time counts too, so
    reverted files reload), or if it depends on an out-of-date tracked module.
    Reloads follow the "depends on" order computed from the modules' top-level
    imports (dependencies first; an import cycle is broken by ignoring the
    imports of the most recently tracked module). A missing source file is
    skipped, not an error.

    A reload is transactional: if a module raises while reloading, or no
    longer defines a name a registered statement imports from it, the module
    is restored to its state before the attempt, names bound from it keep
    their values, modules depending on it are not reloaded, and the next sync
    retries. Reloads that succeeded in the same sync keep their rebinds.

    :param observer: Called with a :class:`ReloadEvent` for each successful
        reload, in reload order, after names are rebound.

    :raises ModuleError: phase ``"analysis"`` when the new source of a
        modified module is rejected by the running Python's parser (cause:
        its ``SyntaxError``), found before any module of the sync runs:
        nothing reloads, and every later sync reports it until the file is
        fixed; or when a module newly imported by a reloaded one cannot be
        analysed. Phase ``"reload"`` for the first module that failed to
        reload (cause: its exception).
    """
    _sync(observer)


def _mark_dirty(paths: Iterable[str | PathLike[str]]) -> int:
    """Tell LiveImport these files (or directories: every tracked file under
    them) changed, e.g. from a frontend's file-changed events; the next
    ``_sync(full=False)`` stats only marked files. Returns how many tracked
    modules were marked."""
    return STATE.engine.mark_dirty([os.path.abspath(os.fspath(p)) for p in paths])


def _mark_missing(paths: Iterable[str | PathLike[str]]) -> int:
    """Tell LiveImport these files (or directories: every tracked file under
    them) are gone, e.g. deleted in a frontend, without examining them: their
    modules keep their loaded version and are skipped by sync until a stat
    finds the file again (see ``_mark_dirty``). Returns how many tracked
    modules were marked."""
    return STATE.engine.mark_missing([os.path.abspath(os.fspath(p)) for p in paths])


def _take_missing() -> list[tuple[str, str]]:
    """``(module, file)`` of the tracked modules whose source file
    disappeared since the last call (each disappearance once), for the
    notebook's report. A failing module whose file is gone fails no more
    (its loaded version stays)."""
    missing = STATE.engine.take_missing()
    _failures.fixed(name for name, _ in missing)
    return missing


def _sync(
    observer: Callable[[ReloadEvent], None] | None = None,
    *,
    full: bool = True,
    page_events: bool = False,
) -> None:
    """:func:`sync`; with ``full=False`` only files marked by
    :func:`_mark_dirty` are checked (no file access when none is marked).
    ``page_events``: the page's reports and the kernel's write notes are taken to
    cover every file created (the import epoch, ``_page``): modules reload
    from the engine's sources where ``_reload_source`` applies. Without it (an explicit
    :func:`sync`, e.g. after files were changed from JavaScript), every reload
    is a normal one. The import caches are invalidated before reloads either
    way."""
    try:
        entries, namespaces = STATE.engine.plan_sync(full)
    except _engine.AnalysisError as error:
        STATE.sources = {}
        raise _analysis_failure(error) from error.cause
    if not entries:
        STATE.sources = {}
        if _failures.untracked_analysis():
            # A dependency that could not be analysed may be fixed now.
            track_error = _track_indirects()
            if track_error is not None:
                raise track_error
        return
    detected = time.time()
    sources = _take_sources()
    STATE.sources = {}
    epoch = STATE.import_epoch() if page_events else None
    # Modules created since the caches were filled must import (a reloaded
    # module may import one). Costs no request by itself: a folder is listed
    # again at its next look-up (none for a module reloaded from its source).
    _import_caches.invalidate()

    records_by_module: dict[str, list[_records.Record]] = {}
    for _, _, journal in namespaces:
        for record in journal:
            records_by_module.setdefault(record[1], []).append(record)

    failed: dict[str, BaseException] = {}
    not_reloaded: set[str] = set()
    reloaded: list[str] = []
    events: list[ReloadEvent] = []
    interrupt: BaseException | None = None
    for name, reason, mtime, after in entries:
        if interrupt is not None or any(dep in not_reloaded for dep in after):
            not_reloaded.add(name)
            continue
        source = sources.get(name)
        if source is not None and source[1] != mtime:
            source = None  # not the source this plan is for
        reload_error = _reload(name, records_by_module.get(name, []), source, epoch)
        if reload_error is not None:
            failed[name] = reload_error
            not_reloaded.add(name)
            if not isinstance(reload_error, Exception):  # KeyboardInterrupt, SystemExit
                interrupt = reload_error
            continue
        reloaded.append(name)
        events.append(ReloadEvent(name, reason, mtime, list(after), detected=detected))

    STATE.engine.commit(reloaded)
    _failures.fixed(reloaded)
    for name, cause in failed.items():
        _failures.note(name, "reload", cause)
    if reloaded:
        STATE.note_reloads(
            (Reloaded(e.module, e.reason, tuple(e.after)) for e in events), time.time()
        )
    done = set(reloaded)
    for nsid, attached, journal in namespaces:
        namespace = STATE.namespaces.get(nsid)
        if namespace is not None and done.intersection(attached):
            namespace.update(_records.bindings(journal))

    analysis_error = _track_indirects()
    if interrupt is not None:
        raise interrupt
    if observer is not None:
        for event in events:
            observer(event)
    if failed:
        name, cause = next(iter(failed.items()))
        raise ModuleError(name, "reload") from cause
    if analysis_error is not None:
        raise analysis_error


def _tracked_files() -> set[str]:
    """The source files of the tracked modules."""
    return {file for _, file, _, _, _ in STATE.status(None)[1] if file is not None}


def _take_sources() -> dict[str, tuple[str, float, bytes]]:
    """The sources the engine's plans read for the next sync, by module:
    ``(file, mtime, bytes)`` (``Engine.take_sources``, the latest read of
    each module winning), kept in the state until that sync."""
    for name, file, mtime, data in STATE.engine.take_sources():
        STATE.sources[name] = (file, mtime, data)
    return STATE.sources


def _other_writes() -> int:
    """How many writes by kernel code changed a path other than a tracked
    module's source (``Engine.other_writes``)."""
    return STATE.engine.other_writes()


def _set_import_epoch(source: Callable[[], int | None] | None) -> None:
    """Where syncs take the import epoch from (``_page.PageState.import_epoch``
    when a page connects; None: no epoch, every reload takes the normal path
    and the import caches are invalidated before each sync that reloads)."""
    STATE.import_epoch = source if source is not None else _no_epoch


def import_epoch() -> int | None:
    """The import epoch now (``_page.PageState.import_epoch``; None while no
    page reports file changes)."""
    return STATE.import_epoch()


def _no_epoch() -> int | None:
    return None


def planned_modified(full: bool) -> list[tuple[str, str, bytes | None]]:
    """``(module, file, source)`` of the tracked modules the next sync would
    reload because their source changed, as the engine plans it (``full``:
    examine every tracked file, else only those marked changed); ``source``:
    the file's bytes as the engine read them for this plan, or None. Planning
    commits nothing, so the sync that follows plans them again (and reloads
    from the same bytes); a module whose new source cannot be analysed is
    left out (the sync reports it)."""
    try:
        entries, _ = STATE.engine.plan_sync(full)
    except _engine.AnalysisError:
        return []
    sources = _take_sources()
    planned: list[tuple[str, str, bytes | None]] = []
    for name, reason, _, _ in entries:
        file = getattr(sys.modules.get(name), "__file__", None)
        if reason == "modified" and isinstance(file, str):
            source = sources.get(name)
            planned.append((name, file, source[2] if source and source[0] == file else None))
    return planned


def workspace_directories() -> list[str]:
    """The workspace's directories (absolute paths, see :func:`workspace`)."""
    return list(STATE.engine.workspace())


def workspace(*directories: str | PathLike[str], extend: bool = False) -> None:
    """Define (or extend) the workspace, a list of directories.

    LiveImport tracks modules that are imported by a registered statement, or
    imported at top level by a tracked module and have a source file under a
    workspace directory. The default workspace is the current working directory
    when ``liveimport`` is imported (in a notebook, the notebook's directory).
    Paths are made absolute without resolving symbolic links.

    Changing the workspace affects future tracking decisions, and modules now
    in the workspace that tracked modules import start being tracked at once;
    indirectly tracked modules outside the new workspace are no longer synced.

    :param directories: Zero or more path strings or path-like objects, each
        an existing directory. None gives an empty workspace: only modules
        named by registered statements are tracked.
    :param extend: If true, add `directories` to the current workspace
        instead of replacing it.
    :raises ValueError: A path does not exist or is not a directory (the
        workspace is left unchanged).
    :raises ModuleError: The source of a module newly tracked because of the
        new workspace cannot be analysed.

    Example: ``liveimport.workspace("src", "/opt/notebook-utils")``.
    """
    given: list[str] = []
    for directory in directories:
        path = os.path.abspath(os.fspath(directory))
        if not os.path.exists(path):
            raise ValueError(f"Path {path} does not exist")
        if not os.path.isdir(path):
            raise ValueError(f"Path {path} is not a directory")
        given.append(path)
    combined = list(STATE.engine.workspace()) + given if extend else given
    unique = list(dict.fromkeys(combined))
    STATE.engine.set_workspace(unique)
    error = _track_indirects()
    if error is not None:
        raise error


def poll_lazy_imports() -> None:
    """Begin tracking dependencies that were lazily imported and have loaded since.

    Lazy imports are PEP 810 (Python 3.15+). While analysing a tracked module,
    LiveImport may find a dependency that is lazily imported but not loaded
    yet; it starts tracking it (if it is in the workspace) at the first call
    after the application loads it. On Python versions without lazy imports
    (``sys.lazy_modules`` absent, e.g. 3.11 to 3.14) this does nothing.

    :raises ModuleError: The source of a newly tracked module cannot be
        analysed.

    In a notebook, LiveImport polls after every cell; calling this yourself
    should not be necessary.
    """
    loaded = [name for name in STATE.lazy_watch if name in sys.modules]
    if not loaded:
        return
    STATE.lazy_watch.difference_update(loaded)
    error = _track_indirects()
    if error is not None:
        raise error


def _reset() -> None:
    """Return the API to the state of a fresh import: a new engine (no tracked
    modules, no registrations; workspace = the current directory), no kept
    namespaces, no failures (``_state.State.reset``, ``_failures.reset``).
    ``liveimport._reset()`` resets the notebook layer too. For tests: a pyo3
    module cannot be imported twice."""
    STATE.reset()
    _failures.reset()
    _reload_source.reset()
    _import_caches.reset()
