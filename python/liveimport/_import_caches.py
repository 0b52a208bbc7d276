"""The import system's caches, invalidated where LiveImport needs files
created since the kernel started to import (a new module in the workspace).

``importlib.invalidate_caches()`` asks every finder in
``sys.path_importer_cache`` to forget what it cached. For a directory's
``FileFinder`` that is what is wanted (JupyterLite's ``/drive`` never updates
a directory's mtime, so a ``FileFinder`` would not notice a new file). For a
``zipimporter``, Python 3.12 re-reads the archive's whole directory at once:
in Pyodide 0.26/0.27 (JupyterLite 0.4 to 0.6) every entry of the zipped standard
library does, 50 to 70 ms per call in a kernel. Archives on ``sys.path`` do not
change under a notebook, so their importers are left out.
"""

import importlib
import os
import sys
import zipimport
from importlib.machinery import FileFinder

__all__ = ("fresh_at", "invalidate", "listed", "release", "reset")

#: ``(import epoch, cells started)`` at which the caches are known fresh:
#: a page connected to a kernel where no code had run yet (see :func:`fresh_at`).
_FRESH: tuple[int, int] | None = None

#: ``(import epoch, cells started)`` at which the caches were just
#: invalidated for a cell about to run (:func:`invalidate` with ``hold``),
#: until the cell is over (:func:`release`).
_HELD: tuple[int, int] | None = None


def fresh_at(epoch: int, count: int) -> None:
    """Record that the caches are fresh at import epoch ``epoch``
    (``_page.PageState.import_epoch``) until cell number ``count`` has started
    (``_page.PageState.cells``): a page connected to a kernel where no code
    had run yet, so no file was created since the caches were filled but
    those the page reports."""
    global _FRESH
    _FRESH = (epoch, count)


def invalidate(fresh: tuple[int, int] | None = None, *, hold: bool = False) -> None:
    """``importlib.invalidate_caches()`` (every meta path finder, every
    ``sys.path_importer_cache`` entry, namespace package paths), except that
    the ``zipimporter`` of each archive under an absolute path keeps its cache
    (and its place in ``sys.path_importer_cache``). Raises nothing that
    ``importlib.invalidate_caches()`` does not.

    ``fresh``: ``(import epoch, cells started)`` now. When it is the mark
    :func:`fresh_at` recorded, no cell has run since a page connected to a
    kernel where no code had run and nothing was created since: nothing is
    done (in JupyterLite, that saves a listing of each ``/drive`` folder on
    the path at its next look-up, a request to the page: the first LiveImport
    cell of a lesson). Once the caches are invalidated the mark is gone (code
    may create files the page does not report, e.g. through Pyodide's ``FS``).

    ``hold``: the caches are invalidated for a cell about to run, whose
    ``fresh`` is given (``_page.PageState.next_cell_mark``): until
    :func:`release` (the cell's end), a call with that same mark does nothing
    (``_packages`` looks modules up before a ``%%liveimport`` cell, whose
    magic then need not list the folders again)."""
    global _FRESH, _HELD
    if fresh is not None and fresh in (_FRESH, _HELD):
        return
    _FRESH = None
    _HELD = fresh if hold else None
    _invalidate()


def listed(path: str) -> bool:
    """Whether a listing a ``FileFinder`` of ``sys.path_importer_cache``
    made of the directory of ``path`` (absolute, normalised) holds its name:
    then the file (or directory) existed when that listing was made, and a
    report of it creates nothing. The last listing counts even after
    :func:`invalidate` (``FileFinder.invalidate_caches`` only marks it for a
    new listing at the next look-up). False when no finder of the directory
    has made one (``FileFinder._path_cache``)."""
    directory, name = os.path.split(path)
    for finder in list(sys.path_importer_cache.values()):
        if isinstance(finder, FileFinder) and finder.path == directory:
            names = getattr(finder, "_path_cache", None)
            return isinstance(names, set) and name in names
    return False


def release() -> None:
    """The cell is over: forget the mark of :func:`invalidate`'s ``hold``."""
    global _HELD
    _HELD = None


def reset() -> None:
    """Forget the marks of :func:`fresh_at` and :func:`invalidate`'s ``hold``
    (``liveimport._reset()``)."""
    global _FRESH, _HELD
    _FRESH = None
    _HELD = None


def _invalidate() -> None:
    cache = sys.path_importer_cache
    archives = {
        path: finder
        for path, finder in list(cache.items())
        if isinstance(finder, zipimport.zipimporter) and os.path.isabs(path)
    }
    for path in archives:
        cache.pop(path, None)
    try:
        importlib.invalidate_caches()
    finally:
        for path, finder in archives.items():
            cache.setdefault(path, finder)
