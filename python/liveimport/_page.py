"""What the notebook page tells the kernel, and the sync policy that follows.

The jupyterlite-liveimport extension sends the kernel (over the ``liveimport``
comm, see ``_frontend``) the files that change in the page's contents manager
and the boundaries of notebook runs. This module keeps that state and answers
the two questions the notebook hooks (``_nbi``) ask before a cell:

- :meth:`PageState.cell_decision`: sync before this cell? Within a run (a
  multi-cell execution the page announced) the kernel syncs once, before its
  first cell, and never between its cells. Outside a run (no extension, a
  console, a dropped comm) the time-based grace period applies.
- :meth:`PageState.full_sync`: examine every tracked file (poll), or only the
  ones the page reported? Events are an optimisation: the kernel polls whenever
  it cannot be sure it has seen every change: before the page's ``file_events``
  message arrived, after the comm dropped, when the page's event list
  overflowed, when the files are not the page's own (only JupyterLite's
  ``/drive`` is written through the page alone), when the user turned events
  off, and for an explicit ``liveimport.sync()``. Files written by code in the
  kernel are noted by an audit hook (``_engine.note_writes``) and examined at
  every sync.

Paths in messages are contents paths (relative to the page's drive root, ``/``
separated, e.g. ``"lib/helpers.py"``); the kernel maps them below the root it
derives from the notebook's path and its own working directory.
"""

from __future__ import annotations

import os
import posixpath
import sys
from collections.abc import Callable

from . import _core, _engine, _import_caches, _incidents

__all__ = ("PageState", "STALE_RUN_GAP", "active", "activate")

#: A run the page announced but whose end never arrived is treated as over when
#: this many seconds passed between the end of one cell and the start of the
#: next (cells of a real run follow each other within milliseconds).
STALE_RUN_GAP = 5.0


def _page_owns(root: str) -> bool:
    """Whether every change to files under ``root`` goes through the page (or
    kernel code, noted by the audit hook): true for JupyterLite's ``/drive``,
    the Pyodide kernel's mount of the page's contents. A kernel on a real file
    system (JupyterLab with a server) also sees edits made by other programs,
    which no page event reports."""
    return sys.platform == "emscripten" and (root == "/drive" or root.startswith("/drive/"))


class PageState:
    """The page's file events and run boundaries as the kernel knows them.

    :param mark_dirty: marks kernel paths as changed (``_core._mark_dirty``).
    :param note_writes: starts noting writes by kernel code
        (``_engine.note_writes``); called when events are first used.
    :param mark_missing: marks kernel paths as gone without examining them
        (``_core._mark_missing``).
    :param forget: drops the kernel's cached file-system nodes of kernel
        paths (``_drive.forget``).
    :param tracked_files: the source files of the tracked modules (kernel
        paths, ``_core._tracked_files``).
    :param other_writes: how many writes of kernel code changed a path other
        than a tracked module's source (``_core._other_writes``).
    """

    def __init__(
        self,
        mark_dirty: Callable[[list[str]], int],
        note_writes: Callable[[], None],
        *,
        mark_missing: Callable[[list[str]], int] = lambda paths: 0,
        forget: Callable[[list[str]], bool] = lambda paths: False,
        tracked_files: Callable[[], set[str]] = set,
        other_writes: Callable[[], int] = lambda: 0,
    ) -> None:
        self._mark_dirty = mark_dirty
        self._note_writes = note_writes
        self._mark_missing = mark_missing
        self._forget = forget
        self._tracked_files = tracked_files
        self._other_writes = other_writes
        #: How many reports may have created, renamed or deleted a file that
        #: changes how modules are found (see :meth:`import_epoch`).
        self.creations = 0
        #: The user's choice (setting ``fileEvents``, message key ``file_events``).
        self.allowed = True
        #: The kernel path of the page's drive root, once the page connected.
        self.root: str | None = None
        #: The kernel path of the page's contents root, even when the page
        #: does not own the files (desktop Jupyter: the server's root), for
        #: links to files (:meth:`contents_path`).
        self.contents_root: str | None = None
        #: Whether a ``file_events`` message has been received before (a later
        #: one is a reconnection: changes in between may have been lost).
        self.connected_before = False
        #: The next sync must examine every file.
        self.need_full = True
        #: A file changed since the last sync (new modules: import caches).
        self.changed = False
        #: How many cells started since the page state was made (counted by
        #: the notebook hooks, ``_nbi``).
        self.cells = 0
        #: A run is open, and whether its sync has happened.
        self.run_open = False
        self.run_synced = False

    # -- messages from the page ------------------------------------------------

    def connect(
        self,
        notebook_path: str,
        paths: list[str],
        complete: bool,
        cwd: str | None = None,
        deleted: list[str] | None = None,
        console: bool = False,
        fresh: bool = False,
    ) -> bool:
        """The page's ``file_events`` message: it reports every change from
        now on; ``paths`` changed since it connected to the kernel (all of
        them when ``complete``), ``deleted`` those of them that are gone (see
        :meth:`files_changed`). Returns whether events are now in use.

        The drive root is the working directory minus the notebook's directory
        (JupyterLite starts the kernel in the notebook's directory); it must
        hold the notebook. ``console``: ``notebook_path`` is a console's
        session path, which names no file (JupyterLab's
        ``console-1-<uuid>``): the root must hold its directory. Otherwise
        events stay unused. ``fresh``: no user code has run in the kernel yet
        (the import caches hold no file created since the kernel started).
        """
        cwd = os.getcwd() if cwd is None else cwd
        root = _drive_root(cwd, notebook_path, console=console)
        self.contents_root = root
        self.root = root if root is not None and _page_owns(root) else None
        if self.root is None:
            return False
        try:
            self._note_writes()
        except Exception as error:  # the audit hook was refused: the kernel polls
            _incidents.record("note_writes", error)
            self.root = None
            return False
        # The page's list covers every change since it connected to the
        # kernel, before which nothing was tracked; after a reconnection the
        # changes in between may have been lost.
        self.need_full = self.connected_before or not complete
        if self.need_full:
            self.creations += 1  # changes may have been lost
        elif fresh:
            # No code ran in the kernel yet but LiveImport's: every file the
            # import caches could miss was created after the page connected
            # to the kernel, so it is among ``paths`` (counted below). Until
            # the next cell has started (``cells`` + 1), no code can create any.
            _import_caches.fresh_at(self.creations + self._other_writes(), self.cells + 1)
        self.connected_before = True
        self.files_changed(paths, deleted)
        return self.in_use

    def disconnect(self) -> None:
        """The comm closed: poll, and forget any open run."""
        self.root = None
        self.run_open = False

    def files_changed(self, paths: list[str], deleted: list[str] | None = None) -> None:
        """Mark the kernel files of these contents paths as changed.

        ``deleted``: those of the paths that no longer exist (deleted, or the
        old path of a rename; a folder stands for everything under it). Their
        cached file-system nodes are dropped (``_drive``: a stat of one would
        be a request JupyterLite's page never answers) and their modules are
        marked missing without a stat; a later event about the same path (the
        file created again) marks it changed as usual.
        """
        gone_paths = [p for p in deleted or () if isinstance(p, str)]
        if not paths and not gone_paths:
            return
        self.changed = True
        root = self.root
        if root is None:
            return
        gone_set = set(gone_paths)
        kernel = self.kernel_path
        gone = [k for k in map(kernel, gone_paths) if k is not None]
        changed = [
            k
            for k in (kernel(p) for p in paths if isinstance(p, str) and p not in gone_set)
            if k is not None
        ]
        if any(map(_may_change_imports, gone)):
            self.creations += 1
        else:
            candidates = [k for k in changed if _may_change_imports(k)]
            tracked = self._tracked_files() if candidates else set()
            if any(k not in tracked and not _import_caches.listed(k) for k in candidates):
                self.creations += 1
        if gone:
            self._forget(gone)
            self._mark_missing(gone)
        if changed:
            self._mark_dirty(changed)

    def cache_mark(self) -> tuple[int, int] | None:
        """``(import epoch, cells started)`` for ``_import_caches.invalidate``;
        None when the epoch is unknown."""
        epoch = self.import_epoch()
        return None if epoch is None else (epoch, self.cells)

    def next_cell_mark(self) -> tuple[int, int] | None:
        """:meth:`cache_mark` as the next cell will see it once started
        (IPython's ``pre_run_cell`` counts it), for work done before it runs
        (``_packages``); None when the epoch is unknown."""
        epoch = self.import_epoch()
        return None if epoch is None else (epoch, self.cells + 1)

    def import_epoch(self) -> int | None:
        """A number that grows whenever a file that may change how modules
        are found could have been created, renamed or deleted: reported by
        the page (a deletion, or a change of a path that is no tracked
        module's source and that no cached directory listing of the import
        system holds, ``_import_caches.listed``, except notebooks and a few
        data formats, :func:`_may_change_imports`: the page reports saves and
        creations alike), or written by kernel code (``Engine.other_writes``).
        ``_import_caches`` and ``_reload_source`` trust what they found at an
        equal epoch.

        None while no page is connected to a drive it owns (``root``); the
        page reports every change whether or not the user turned the use of
        events for syncs off (``allowed``), and a reconnection counts as a
        creation (changes in between may have been lost)."""
        if self.root is None:
            return None
        return self.creations + self._other_writes()

    def kernel_path(self, contents_path: str) -> str | None:
        """The kernel path of a contents path, or None for a path on another
        drive (``"Drive:path"``) or outside the root."""
        if self.root is None or ":" in contents_path.split("/", 1)[0]:
            return None
        relative = posixpath.normpath("/" + contents_path.strip("/")).lstrip("/")
        return self.root if relative in ("", ".") else posixpath.join(self.root, relative)

    def contents_path(self, kernel_path: str) -> str | None:
        """The contents path of a kernel path (what the page opens), or None
        when it lies outside the page's contents or no page connected."""
        root = self.contents_root
        if root is None or not os.path.isabs(kernel_path):
            return None
        path = os.path.normpath(kernel_path)
        if path != root and not path.startswith(root.rstrip(os.sep) + os.sep):
            return None
        return os.path.relpath(path, root).replace(os.sep, "/")

    def run_start(self) -> None:
        """A notebook run starts: sync before its first cell only."""
        self.run_open = True
        self.run_synced = False

    def run_end(self) -> None:
        """The run ended: the next cell syncs (the next run's first cell)."""
        self.run_open = False

    # -- questions from the notebook hooks ---------------------------------------

    @property
    def in_use(self) -> bool:
        """Whether syncs rely on the page's events (see the module docstring)."""
        return self.allowed and self.root is not None

    def cell_decision(self, gap: float) -> bool | None:
        """Whether to sync before a cell, from run boundaries: True for a
        run's first cell, False for its others, None when no run is open (the
        caller applies the grace period). ``gap``: seconds since the previous
        cell ended (``math.inf`` for the first cell)."""
        if not self.run_open:
            return None
        if self.run_synced and gap >= STALE_RUN_GAP:
            self.run_open = False  # its end was lost
            return None
        first = not self.run_synced
        self.run_synced = True
        return first

    def full_sync(self) -> bool:
        """Whether the next sync must examine every tracked file."""
        return self.need_full or not self.in_use

    def synced(self, full: bool) -> None:
        """Record that a sync ran (``full``: it examined every file)."""
        if full:
            self.need_full = False
        self.changed = False


#: Suffixes of files that never change how modules are found: the notebooks
#: and the text and data files a lesson saves often (anything else, a path
#: without a suffix included, may be a module, a package or a directory).
_INERT_SUFFIXES = frozenset((".ipynb", ".md", ".txt", ".csv", ".json"))


def _may_change_imports(path: str) -> bool:
    """Whether creating, renaming or deleting ``path`` may change how modules
    are found (see :data:`_INERT_SUFFIXES`)."""
    return posixpath.splitext(path)[1].lower() not in _INERT_SUFFIXES


def _drive_root(cwd: str, notebook_path: str, *, console: bool = False) -> str | None:
    """The drive root, given the kernel's working directory and the
    notebook's contents path, or None when they do not fit together (the
    notebook is no file under the root; for a console's session path,
    ``console``, its directory is no directory under the root)."""
    if not isinstance(notebook_path, str) or ":" in notebook_path.split("/", 1)[0]:
        return None
    directory = posixpath.dirname(posixpath.normpath("/" + notebook_path.strip("/")))
    cwd = posixpath.normpath(cwd)
    if directory == "/":
        root = cwd
    elif cwd.endswith(directory):
        root = cwd[: len(cwd) - len(directory)] or "/"
    else:
        return None
    notebook = posixpath.join(root, notebook_path.strip("/"))
    if console:
        return root if os.path.isdir(posixpath.join(root, directory.lstrip("/"))) else None
    return root if os.path.isfile(notebook) else None


_ACTIVE: PageState | None = None


def active() -> PageState | None:
    """The page state, once a page connected (``activate``), else None: then
    the notebook hooks apply the grace period and poll, as without a page."""
    return _ACTIVE


def activate() -> PageState:
    """The page state, created on first use (by ``_frontend`` when the comm
    opens); it outlives comms, so that a reconnection is recognised."""
    global _ACTIVE
    if _ACTIVE is None:
        from . import _drive  # Pyodide's FS through its FFI: loaded when a page connects

        _ACTIVE = PageState(
            _core._mark_dirty,
            _engine.note_writes,
            mark_missing=_core._mark_missing,
            forget=_drive.forget,
            tracked_files=_core._tracked_files,
            other_writes=_core._other_writes,
        )
        _core._set_import_epoch(_ACTIVE.import_epoch)
    return _ACTIVE


def reset() -> None:
    """Forget the page state (``liveimport._reset()``, for tests)."""
    global _ACTIVE
    _ACTIVE = None
    _core._set_import_epoch(None)
