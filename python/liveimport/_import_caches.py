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

__all__ = ("invalidate",)


def invalidate() -> None:
    """``importlib.invalidate_caches()`` (every meta path finder, every
    ``sys.path_importer_cache`` entry, namespace package paths), except that
    the ``zipimporter`` of each archive under an absolute path keeps its cache
    (and its place in ``sys.path_importer_cache``). Raises nothing that
    ``importlib.invalidate_caches()`` does not."""
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
