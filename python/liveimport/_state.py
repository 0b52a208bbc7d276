"""The state of LiveImport in this interpreter, in one object: :data:`STATE`.

It holds the engine (``liveimport._engine``: tracked modules, graph, mtimes,
workspace, registration journals), the registered namespaces, the lazily
imported dependencies waiting to load (PEP 810), and the reload statistics
the frontend and the status graph show. ``liveimport._core`` changes it (the
API: register, sync, workspace, reset); every other module only reads it,
through the read methods (:meth:`State.tracked_count`,
:meth:`State.status`, :meth:`State.reload_stats`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

from . import _engine, _records
from ._host_parser import check_syntax

__all__ = ("Namespace", "Reloaded", "ReloadStats", "State", "STATE", "new_engine")

#: A registered namespace: the ``globals()`` the import statements bind names in.
Namespace = dict[str, Any]

#: What :meth:`State.status` returns: the engine's snapshot ``(workspace,
#: modules, statements)`` (shapes in ``_engine.pyi``, ``Engine.status``).
EngineStatus = tuple[
    list[str], list[tuple[str, str | None, float | None, bool, list[str]]], list[str]
]


def new_engine(workspace: list[str]) -> _engine.Engine:
    """A new engine for the running Python (``(major, minor)`` of
    ``sys.version_info``) with CPython's parser as its host parser
    (``_host_parser.check_syntax``), no modules and no registrations.

    :param workspace: absolute, normalised directory paths."""
    version = (sys.version_info[0], sys.version_info[1])
    return _engine.Engine(workspace, version, check_syntax)


def _no_epoch() -> int | None:
    """No import epoch: no page reports the files that are created."""
    return None


class Reloaded(NamedTuple):
    """One reload of the last sync that reloaded anything.

    :ivar module: the module name.
    :ivar reason: ``"modified"`` or ``"dependent"`` (as ``ReloadEvent.reason``).
    :ivar after: the modules it reloaded after, in reload order.
    """

    module: str
    reason: str
    after: tuple[str, ...]


class ReloadStats(NamedTuple):
    """The reload statistics since LiveImport was imported (``_reset`` keeps them).

    :ivar syncs: how many syncs reloaded at least one module.
    :ivar last_reload: when the last of them ended (seconds since the epoch),
        or None.
    :ivar last_reloaded: its reloads, in reload order.
    """

    syncs: int
    last_reload: float | None
    last_reloaded: tuple[Reloaded, ...]


class State:
    """Everything one LiveImport instance knows (see the module docstring).

    The attributes :attr:`engine`, :attr:`namespaces` and :attr:`lazy_watch`
    are for ``liveimport._core`` (the only writer); readers use the methods.
    """

    __slots__ = (
        "_reloaded",
        "_stats",
        "engine",
        "import_epoch",
        "lazy_watch",
        "namespaces",
        "sources",
    )

    def __init__(self) -> None:
        #: The engine; replaced by :meth:`reset`.
        self.engine: _engine.Engine = new_engine([os.path.abspath(os.getcwd())])
        #: Registered namespaces by ``id()``, kept alive while they have registrations.
        self.namespaces: dict[int, Namespace] = {}
        #: Lazily imported (PEP 810) dependency names not yet loaded
        #: (``liveimport.poll_lazy_imports``).
        self.lazy_watch: set[str] = set()
        #: The import epoch now, or None when unknown (set when a page
        #: connects: ``_page.PageState.import_epoch``; see ``_reload_source``).
        self.import_epoch: Callable[[], int | None] = _no_epoch
        #: ``(file, mtime, bytes)`` by module: the sources a plan read for
        #: the next sync (``Engine.take_sources``), kept from a plan made
        #: before it (``_core.planned_modified``) until that sync.
        self.sources: dict[str, tuple[str, float, bytes]] = {}
        self._stats = ReloadStats(0, None, ())
        #: Every module a sync reloaded since the import or the last reset.
        self._reloaded: set[str] = set()

    # -- changes (liveimport._core) ---------------------------------------------

    def note_reloads(self, reloads: Iterable[Reloaded], when: float) -> None:
        """Record a sync that reloaded ``reloads`` (at least one, in reload
        order), ending at ``when`` (seconds since the epoch)."""
        reloads = tuple(reloads)
        self._stats = ReloadStats(self._stats.syncs + 1, when, reloads)
        self._reloaded.update(r.module for r in reloads)

    def reset(self) -> None:
        """Back to a fresh import's state: a new engine (no tracked modules, no
        registrations; workspace = the current directory), no kept namespace,
        no lazy import watched, no module reloaded. The reload statistics are kept."""
        self.engine = new_engine([os.path.abspath(os.getcwd())])
        self.namespaces.clear()
        self.lazy_watch.clear()
        self.sources.clear()
        self._reloaded.clear()

    # -- reads --------------------------------------------------------------------

    def tracked_count(self) -> int:
        """How many modules are tracked (O(1))."""
        return self.engine.tracked_count()

    def status(self, namespace: Namespace | None) -> EngineStatus:
        """The engine's snapshot ``(workspace, modules, statements)``, with the
        registered statements of ``namespace`` (none when it is None or has no
        registrations: ids mean something only while registered)."""
        nsid = None if namespace is None else id(namespace)
        if nsid is not None and self.namespaces.get(nsid) is not namespace:
            nsid = None
        return self.engine.status(nsid)

    def reload_stats(self) -> ReloadStats:
        """The reload statistics (an immutable snapshot)."""
        return self._stats

    def reloaded_modules(self) -> frozenset[str]:
        """The names of the modules a sync reloaded (successfully) since
        LiveImport was imported or last reset: the modules whose earlier versions'
        objects can still be bound somewhere (``liveimport.stale``)."""
        return frozenset(self._reloaded)

    def registered_namespaces(self) -> list[Namespace]:
        """The namespaces that have registered statements, in registration order."""
        return list(self.namespaces.values())

    def rebound_names(self, namespace: Namespace) -> set[str]:
        """The names a sync rebinds in ``namespace``: those its registered
        statements bind (for ``from m import *``, m's public names now); empty
        when ``namespace`` has no registrations."""
        nsid = id(namespace)
        if self.namespaces.get(nsid) is not namespace:
            return set()
        return set(_records.bindings(self.engine.journal(nsid)))


#: The state of this interpreter's LiveImport.
STATE = State()
