"""``importlib.reload`` of a module from the source the engine just read,
with no file access of its own, where that gives exactly what a normal
reload would.

In JupyterLite every stat and read of a ``/drive`` file is a blocking request
to the page. A normal reload of ``/drive/m.py`` makes five or more: the path
finder stats the directory (and lists it again after the import caches were
invalidated), checks that ``m.py`` is a file, the loader stats it, looks for
``__pycache__/m.*.pyc`` and reads the source (an ``open`` and an ``fstat``).
The engine has just read the same file to analyse it (``Engine.take_sources``:
its mtime, then its bytes). :func:`reload` runs ``importlib.reload`` with a
finder first on ``sys.meta_path`` that returns the spec the path finder
would (``FileFinder._get_spec``: ``spec_from_file_location`` with a plain
``SourceFileLoader``), whose loader answers ``path_stats`` and ``get_data``
of the source from those bytes. Everything else is the normal reload: the
same ``importlib.reload`` call, ``_bootstrap._exec``, ``SourceFileLoader``'s
own ``get_code``, ``source_to_code`` and ``exec_module``; ``__spec__``,
``__loader__``, ``__file__``, ``__cached__`` are set by the import system
as usual. The finder removes itself from ``sys.meta_path`` when it is asked,
and the loader's two instance attributes are removed before the source is
compiled (so before the module's code runs), or in any case before
:func:`reload` returns: afterwards, ``type(module.__loader__)`` is
``SourceFileLoader`` and the loader has only its ``name`` and ``path``.

When it applies (:func:`applies`), all of these hold, so that the path
finder would find the same file with the same spec:

- the module's spec and loader are what the path finder gives for a source
  file (a ``SourceFileLoader``, not a subclass, for ``module.__file__``);
- a normal reload of it found exactly that spec (or its first import was
  given that spec by the path finder through the package walk,
  ``_prepared_imports``: :func:`found_first`), and since then: no file that
  could change how modules are found was created, renamed or deleted (the
  caller's ``epoch``: the page's reports of such files plus the engine's count
  of writes by kernel code to other paths, ``_page.PageState.import_epoch``),
  and ``sys.path`` (or the parent package's ``__path__``), the finders cached
  for its entries, ``sys.meta_path`` and ``sys.path_hooks`` are the same
  objects in the same order;
- ``sys.dont_write_bytecode`` is set (Pyodide's default: nothing writes a
  ``.pyc`` in the kernel but code that is noted as writing a file).

The cached bytecode file is looked up as a normal reload does (the loader's
own ``get_data``) until it was found missing at the same epoch: no ``.pyc``
can appear without a creation that changes the epoch. The first reload of a
module therefore costs its normal path's requests plus the engine's read;
later ones only the engine's stat and read.

The loader's answers from bytes (:func:`serve`) also give a cell's first
imports the bytes the package walk read just before the cell
(``_prepared_imports``), and :func:`lookup`/:func:`same`/:func:`plain_spec`
are its conditions too.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Mapping
from importlib.machinery import ModuleSpec, SourceFileLoader
from importlib.util import cache_from_source, spec_from_file_location
from types import ModuleType
from typing import Any

__all__ = (
    "applies",
    "found",
    "found_first",
    "lookup",
    "plain_spec",
    "reload",
    "remove_finder",
    "reset",
    "same",
    "serve",
    "strip",
)

#: ``(epoch, lookup)`` of each module when a normal reload found its spec.
_FOUND: dict[str, tuple[int, tuple[Any, ...]]] = {}
#: ``(bytecode path, epoch)`` of ``.pyc`` files looked up and found missing.
_NO_BYTECODE: set[tuple[str, int]] = set()


def _search_path(name: str) -> Any:
    """The path a reload of ``name`` searches (``importlib.reload``: the
    parent package's ``__path__``, else ``sys.path``); None when the parent
    is not loaded (the reload would fail)."""
    parent = name.rpartition(".")[0]
    if not parent:
        return sys.path
    return getattr(sys.modules.get(parent), "__path__", None)


def lookup(name: str) -> tuple[Any, ...] | None:
    """What decides where the path finder finds ``name``: the search path's
    entries, their cached finders, the meta path, the path hooks (objects,
    compared by identity: :func:`same`) and the current directory (where an
    empty entry of ``sys.path`` points). None when there is no search path."""
    path = _search_path(name)
    if path is None:
        return None
    entries = tuple(path)
    cache = sys.path_importer_cache
    finders = tuple(cache.get(entry) for entry in entries if isinstance(entry, str))
    try:
        cwd = os.getcwd()
    except OSError:
        return None
    meta = (*sys.meta_path, None, *sys.path_hooks, None, cwd)
    return (*entries, None, *finders, None, *meta)


def same(a: tuple[Any, ...], b: tuple[Any, ...] | None) -> bool:
    """Whether two :func:`lookup` results are equal (strings by value, other
    objects by identity)."""
    return (
        b is not None
        and len(a) == len(b)
        and all(x is y or (isinstance(x, str) and x == y) for x, y in zip(a, b, strict=True))
    )


def _plain_source_spec(name: str, module: ModuleType, file: str) -> ModuleSpec | None:
    """The module's spec when it is what ``FileFinder`` gives for the source
    file ``file``, else None."""
    spec = getattr(module, "__spec__", None)
    if not isinstance(spec, ModuleSpec) or getattr(module, "__loader__", None) is not spec.loader:
        return None
    if getattr(module, "__file__", None) != file:
        return None
    return plain_spec(name, spec, file)


def plain_spec(name: str, spec: Any, file: str) -> ModuleSpec | None:
    """``spec`` when it is what ``FileFinder`` gives for the source file
    ``file`` of module ``name`` (a plain ``SourceFileLoader`` with only its
    name and path, the file's location and cached-bytecode path), else None."""
    if not isinstance(spec, ModuleSpec):
        return None
    loader = spec.loader
    if not isinstance(loader, SourceFileLoader) or type(loader) is not SourceFileLoader:
        return None
    if vars(loader) != {"name": name, "path": file}:
        return None
    if spec.name != name or spec.origin != file or not spec.has_location:
        return None
    if spec.loader_state is not None:
        return None
    if not os.path.isabs(file) or os.path.normpath(file) != file:
        return None
    package = os.path.basename(file) == "__init__.py"
    expected = [os.path.dirname(file)] if package else None
    if spec.submodule_search_locations != expected:
        return None
    try:
        if spec.cached != cache_from_source(file):
            return None
    except NotImplementedError:
        return None
    return spec


def found(name: str, module: ModuleType, file: str | None, epoch: int | None) -> None:
    """Record that a normal reload of ``name`` just found its spec (the
    module's ``__file__``: ``file``), at ``epoch``. With ``epoch`` None
    (unknown) the record made at an earlier epoch stays: it holds while the
    epoch is the same, and :func:`applies` checks the module's spec."""
    if epoch is None:
        return
    _FOUND.pop(name, None)
    if file is None or _plain_source_spec(name, module, file) is None:
        return
    found_by = lookup(name)
    if found_by is not None:
        _FOUND[name] = (epoch, found_by)


def found_first(name: str, epoch: int, found_by: tuple[Any, ...]) -> None:
    """Record that the first import of ``name`` was just given the path
    finder's plain source spec, found at ``epoch`` with ``found_by`` (what
    :func:`lookup` gives once the finder that gave it is gone:
    ``_prepared_imports``), as :func:`found` records a normal reload's."""
    _FOUND[name] = (epoch, found_by)


def applies(name: str, module: ModuleType, file: str | None, epoch: int | None) -> bool:
    """Whether :func:`reload` gives what ``importlib.reload`` would (see the
    module docstring)."""
    if epoch is None or file is None or not sys.dont_write_bytecode:
        return False
    record = _FOUND.get(name)
    if record is None or record[0] != epoch:
        return False
    if _plain_source_spec(name, module, file) is None:
        return False
    return same(record[1], lookup(name))


class _Finder:
    """A one-shot meta path finder: the spec of one module, once."""

    def __init__(self, name: str, spec: ModuleSpec) -> None:
        self.name = name
        self.spec: ModuleSpec | None = spec

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        remove_finder(self)
        spec, self.spec = self.spec, None
        return spec if name == self.name else None


def remove_finder(finder: object) -> None:
    """Take ``finder`` off ``sys.meta_path``, if it is there."""
    meta_path = sys.meta_path
    for i, entry in enumerate(meta_path):
        if entry is finder:
            del meta_path[i]
            return


def serve(
    loader: SourceFileLoader,
    file: str,
    stats: Mapping[str, Any],
    source: bytes,
    epoch: int,
    read_ns: int | None = None,
) -> None:
    """Make ``loader`` (a plain ``SourceFileLoader`` of ``file``) answer
    ``path_stats(file)`` with ``stats`` (``{"mtime": seconds, "size":
    bytes}``, as ``os.stat`` gave them before ``source`` was read) and
    ``get_data(file)`` with ``source``, through two instance attributes that
    it removes when the source is asked for (before it is compiled) or when a
    cached ``.pyc`` is found (then the loader reads the source itself, if at
    all). The ``.pyc`` is looked up as the loader does, except where it was
    found missing at ``epoch`` before. With ``read_ns`` (when the bytes were
    read, ``time.time_ns()``), the audit event ``liveimport.source_read``
    (path, ``read_ns``) is raised as the source is handed over, so that the
    engine keeps it as it keeps a source importlib opened (``src/audit.rs``).
    Undo with :func:`strip`."""
    bytecode = cache_from_source(file)
    stats = dict(stats)

    def path_stats(path: str) -> Mapping[str, Any]:
        if path == file:
            return dict(stats)
        return SourceFileLoader.path_stats(loader, path)

    def get_data(path: str) -> bytes:
        if path == file:
            strip(loader)  # before the source is compiled and run
            if read_ns is not None:
                sys.audit("liveimport.source_read", file, read_ns)
            return source
        if path == bytecode:
            if (bytecode, epoch) in _NO_BYTECODE:
                raise FileNotFoundError(2, "No such file or directory", path)
            try:
                data = SourceFileLoader.get_data(loader, path)
            except FileNotFoundError:
                _NO_BYTECODE.add((bytecode, epoch))
                raise
            # Cached bytecode: it may be used without the source; if it is
            # not, the loader reads the source file itself, as usual.
            strip(loader)
            return data
        return SourceFileLoader.get_data(loader, path)

    contents = vars(loader)
    contents["path_stats"] = path_stats
    contents["get_data"] = get_data


def strip(loader: SourceFileLoader) -> None:
    """Remove the instance attributes :func:`serve` gave ``loader``."""
    contents = vars(loader)
    contents.pop("path_stats", None)
    contents.pop("get_data", None)


def reload(
    name: str, module: ModuleType, file: str, mtime: float, source: bytes, epoch: int
) -> None:
    """``importlib.reload(module)`` with the spec the path finder would give
    for ``file`` and its loader reading ``source`` (read with mtime
    ``mtime``) instead of the file. Raises what ``importlib.reload`` raises.
    Call only when :func:`applies`."""
    loader = SourceFileLoader(name, file)
    package = os.path.basename(file) == "__init__.py"
    spec = spec_from_file_location(
        name,
        file,
        loader=loader,
        submodule_search_locations=[os.path.dirname(file)] if package else None,
    )
    assert spec is not None  # a location and a loader were given
    serve(loader, file, {"mtime": mtime, "size": len(source)}, source, epoch)
    finder = _Finder(name, spec)
    sys.meta_path.insert(0, finder)
    try:
        importlib.reload(module)
    finally:
        remove_finder(finder)
        strip(loader)


def reset() -> None:
    """Forget every record (``liveimport._reset()``)."""
    _FOUND.clear()
    _NO_BYTECODE.clear()
