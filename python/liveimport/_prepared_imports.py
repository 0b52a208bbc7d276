"""A cell's first imports of workspace modules, from the bytes the package
walk read just before the cell (JupyterLite).

Before a cell runs, ``_packages`` reads the workspace modules the cell will
import for the first time, to find the Pyodide packages they need. In
JupyterLite each read and stat of a ``/drive`` file is a blocking request to
the page, and the import that follows would find and read each file again:
the folder's stat, the file's stat (twice), the ``__pycache__`` look-up and
the read, the slowest request. :func:`offer` puts a finder first on
``sys.meta_path`` for the cell: asked for one of those top-level modules, it
returns the very spec the path finder gave the walk (``importlib.util.find_spec``),
whose ``SourceFileLoader`` answers ``path_stats`` and ``get_data`` of the
source from the walk's ``os.stat`` and bytes (``_reload_source.serve``); the
import then only looks up the ``.pyc``. Everything else is the normal import:
``_bootstrap._load_unlocked``, the loader's own ``get_code`` and
``exec_module``; ``__spec__``, ``__loader__``, ``__file__``, ``__cached__``
are what the path finder's spec gives, and the loader's instance attributes
are gone before the module's code runs. Having found the module as the path
finder would, it also counts as the normal reload after which a module's
reloads take the engine's read (``_reload_source.found_first``): then even
the module's first reload costs only that stat and read. The bytes handed over are announced
with the audit event ``liveimport.source_read``, so that the engine keeps
them as it keeps a source importlib read (``src/compiled.rs``), and
registration needs only a stat.

A module is served only when, at the import, the path finder would give the
same spec: the import epoch is the walk's (no file that could change how
modules are found was created, renamed or deleted since, as far as the page
and the kernel's own writes tell: ``_page.PageState.import_epoch``), the
search path, its cached finders, the meta path, the path hooks and the
current directory are those of the walk (``_reload_source.lookup``), no
package was loaded by the walk, and ``sys.dont_write_bytecode`` is set.
Otherwise the finder answers None and the import is the normal one. Each
module is served once; the finder leaves ``sys.meta_path`` when it has
nothing more to serve, and in any case when the cell ends (:func:`withdraw`,
``post_execute``) or the next cell is prepared.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib.machinery import ModuleSpec, SourceFileLoader
from typing import Any, NamedTuple

from . import _reload_source

__all__ = ("Prepared", "offer", "withdraw")


class Prepared(NamedTuple):
    """A top-level workspace module the walk found and read.

    :param spec: what ``importlib.util.find_spec(name)`` gave (checked with
        ``_reload_source.plain_spec``).
    :param stats: ``{"mtime": seconds, "size": bytes}`` of ``os.stat`` of
        ``spec.origin``, made before the read.
    :param source: the bytes read.
    :param read_ns: when they were read (``time.time_ns()`` before the read).
    """

    spec: ModuleSpec
    stats: Mapping[str, Any]
    source: bytes
    read_ns: int


class _CellFinder:
    """The meta path finder of one cell's prepared modules (module docstring)."""

    #: Marks the finders of every copy of this module (:func:`withdraw`).
    _liveimport_cell_finder = True

    def __init__(
        self, prepared: dict[str, Prepared], epoch: int, import_epoch: Callable[[], int | None]
    ) -> None:
        self.prepared = prepared
        self.epoch = epoch
        self.import_epoch = import_epoch
        self.lookups: dict[str, tuple[Any, ...] | None] = {}
        #: The loaders given the walk's bytes (:func:`withdraw` strips them).
        self.served: list[SourceFileLoader] = []

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        entry = self.prepared.pop(name, None)
        if entry is None or path is not None or target is not None:
            if not self.prepared:
                _reload_source.remove_finder(self)
            return None
        # Compared with the finder still in place, as when the walk's were taken.
        found_by = self.lookups.get(name)
        now = _reload_source.lookup(name)
        unchanged = (
            sys.dont_write_bytecode
            and self.import_epoch() == self.epoch
            and found_by is not None
            and _reload_source.same(found_by, now)
        )
        if not self.prepared:
            _reload_source.remove_finder(self)
        if not unchanged:
            return None
        spec = entry.spec
        loader = spec.loader
        assert isinstance(loader, SourceFileLoader)  # plain_spec checked it
        assert spec.origin is not None
        _reload_source.serve(
            loader, spec.origin, entry.stats, entry.source, self.epoch, entry.read_ns
        )
        self.served.append(loader)
        # Where the path finder found it, as a reload will see the meta path
        # (this finder gone): the module's first reload may take the engine's
        # read too (``_reload_source.applies``).
        assert now is not None  # same() checked it
        _reload_source.found_first(name, self.epoch, tuple(x for x in now if x is not self))
        return spec


#: The finders of the offers not yet withdrawn (:func:`withdraw`).
_OFFERED: list[_CellFinder] = []


def offer(
    prepared: dict[str, Prepared], epoch: int | None, import_epoch: Callable[[], int | None]
) -> bool:
    """Serve the first imports of ``prepared`` (top-level module name ->
    what the walk found and read) from the walk's bytes while the cell runs,
    where that gives what the normal import would (module docstring): the
    walk ran at import epoch ``epoch`` (None: unknown, nothing is served);
    ``import_epoch()`` gives the epoch at each import. Withdraws an earlier
    offer first. Returns whether a finder was put on ``sys.meta_path``."""
    withdraw()
    if epoch is None or not prepared or not sys.dont_write_bytecode:
        return False
    finder = _CellFinder(dict(prepared), epoch, import_epoch)
    sys.meta_path.insert(0, finder)
    _OFFERED.append(finder)
    # With the finder in place: the meta path as the import will see it.
    finder.lookups = {name: _reload_source.lookup(name) for name in prepared}
    return True


def withdraw(*_: Any) -> None:
    """Take the finders of earlier offers (by any copy of this module) off
    ``sys.meta_path`` and give the loaders they served back their class's
    methods (a spec found but never loaded keeps none). Idempotent; accepts
    and ignores event arguments."""
    for entry in list(sys.meta_path):
        if getattr(type(entry), "_liveimport_cell_finder", False):
            _reload_source.remove_finder(entry)
    for finder in _OFFERED:
        finder.prepared.clear()
        for loader in finder.served:
            _reload_source.strip(loader)
    _OFFERED.clear()
