"""Introspection: :func:`status` returns an immutable snapshot of what
LiveImport tracks and, for one namespace, what it will replay."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from ._stale import StaleName, stale
from ._state import STATE

__all__ = ("status", "Status", "TrackedModule")


@dataclass(frozen=True)
class TrackedModule:
    """One tracked module.

    :ivar name: the module name, e.g. ``"pkg.sub"``.
    :ivar file: absolute path of its ``.py`` source file; ``None`` for a
        module without one (built-in, frozen, extension module, namespace
        package, ...), which is tracked but never reloads.
    :ivar mtime: the source file's modification time (seconds since the
        epoch) last seen by LiveImport, ``None`` if the file was missing or
        the module has no source file.
    :ivar direct: true when a registered import statement names the module;
        false when it is tracked because a tracked module imports it and its
        file is in the workspace.
    :ivar imported_by: names of the tracked modules that import it at top level.
    """

    name: str
    file: str | None
    mtime: float | None
    direct: bool
    imported_by: tuple[str, ...]


@dataclass(frozen=True)
class Status:
    """A snapshot of LiveImport's state (later changes do not alter it).

    :ivar workspace: the workspace directories (absolute paths), in order.
    :ivar modules: every tracked module, in the order tracking began.
    :ivar statements: the registered statements of the namespace given to
        :func:`status`, one bound name per statement in canonical form
        (``import a.b``, ``import a.b as x``, ``from m import n``,
        ``from m import n as k``, ``from m import *``), in replay order
        (empty when no namespace was given or it has no registrations).
    :ivar stale: the names of the namespace given to :func:`status` that
        still hold objects of an earlier version of a reloaded module, as
        :func:`liveimport.stale` gives them (empty when no namespace was
        given).

    ``str()`` is a plain-text report with one table row per module (and a
    section listing the stale names, when there are some).
    """

    workspace: tuple[str, ...]
    modules: tuple[TrackedModule, ...]
    statements: tuple[str, ...]
    stale: tuple[StaleName, ...] = ()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """IPython's rich display: the modules as a dependency graph
        (``liveimport._graph``, drawn by the jupyterlite-liveimport extension;
        its last-reload and failure marks are those at display time), next to
        the text table (``text/plain``, what other frontends show)."""
        from ._graph import GRAPH_MIME, graph_data

        return {GRAPH_MIME: graph_data(self), "text/plain": str(self)}

    def module(self, name: str) -> TrackedModule | None:
        """The tracked module called ``name``, or ``None``."""
        for module in self.modules:
            if module.name == name:
                return module
        return None

    def __str__(self) -> str:
        lines = ["Workspace:"]
        lines += [f"  {d}" for d in self.workspace] or ["  (empty)"]
        lines.append("Tracked modules:")
        if self.modules:
            header = ("module", "tracked", "last modified", "imported by", "file")
            rows = [header] + [
                (
                    m.name,
                    "direct" if m.direct else "indirect",
                    "no file"
                    if m.file is None
                    else "missing"
                    if m.mtime is None
                    else time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(m.mtime)),
                    ", ".join(m.imported_by) or "-",
                    m.file or "-",
                )
                for m in self.modules
            ]
            widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
            for row in rows:
                cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
                lines.append("  " + "  ".join([*cells, row[-1]]))
        else:
            lines.append("  (none)")
        lines.append("Registered statements:")
        lines += [f"  {s}" for s in self.statements] or ["  (none)"]
        if self.stale:
            lines.append("Still on an old version (re-run the cell to get the new code):")
            stale_rows = [("name", "kind", "from", "cell")] + [
                (
                    s.name,
                    s.kind,
                    f"{s.module}.{s.qualname}",
                    "-" if s.cell is None else f"In [{s.cell}]",
                )
                for s in self.stale
            ]
            widths = [max(len(row[i]) for row in stale_rows) for i in range(3)]
            for stale_row in stale_rows:
                cells = [cell.ljust(width) for cell, width in zip(stale_row, widths, strict=False)]
                lines.append("  " + "  ".join([*cells, stale_row[-1]]))
        return "\n".join(lines)


def status(namespace: dict[str, Any] | None = None) -> Status:
    """A :class:`Status` snapshot: the workspace, every tracked module (name,
    source file, last seen mtime, whether a registered statement names it,
    which tracked modules import it) and, if `namespace` is given, its
    registered statements in replay order and its stale names
    (:func:`liveimport.stale`, computed now)."""
    workspace, modules, statements = STATE.status(namespace)
    return Status(
        workspace=tuple(workspace),
        modules=tuple(
            TrackedModule(name, file, mtime, bool(direct), tuple(importers))
            for name, file, mtime, direct, importers in modules
        ),
        statements=tuple(statements),
        stale=() if namespace is None else tuple(stale(namespace)),
    )
