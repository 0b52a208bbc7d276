"""The tracked modules as a dependency graph, for pictures: what the
extension's status dialog and the ``%liveimport`` output draw (MIME type
:data:`GRAPH_MIME`, rendered by the jupyterlite-liveimport extension; other
frontends show the text table instead).

The data (JSON) is::

    {"version": 1,
     "modules": [{"name": str, "direct": bool, "tracked": bool,
                  "file": str | None, "path": str | None,
                  "missing": bool, "reload": "modified" | "dependent" | None,
                  "failure": {"phase": str, "error": str, "line": int | None} | None}],
     "edges": [[importer, imported], ...],
     "last_reload": float | None,
     "reloaded": [{"module": str, "reason": str, "after": [str]}],
     "stale": [{"name": str, "kind": str, "module": str, "qualname": str,
                "cell": int | None}]}

``modules`` are the tracked modules in tracking order, then failing modules
that could not be tracked (``tracked`` false). ``path`` is the file's contents
path when a frontend page told the kernel where its files are (else None).
``missing``: the module has a source file that is gone. ``reload`` marks the
modules of the last sync that reloaded anything (``reloaded``, in reload
order: why each reloaded, and after which modules); ``last_reload`` is when
(seconds since the epoch). ``edges`` are top-level imports between tracked
modules. ``stale``: the snapshot's stale names (``Status.stale``, empty when it
was taken without a namespace): a module with some has old objects in use.
"""

from __future__ import annotations

from typing import Any

from . import _failures, _page
from ._state import STATE

__all__ = ("GRAPH_MIME", "graph_data")

#: The MIME type of the graph data.
GRAPH_MIME = "application/vnd.liveimport.graph+json"


def graph_data(status: Any) -> dict[str, Any]:
    """The graph of a :class:`liveimport.Status` snapshot, with the current
    last-reload and failure marks (see the module docstring)."""
    page = _page.active()
    failures = {f.module: f for f in _failures.current()}
    stats = STATE.reload_stats()
    last = {module: reason for module, reason, _ in stats.last_reloaded}

    def path_of(file: Any) -> Any:
        return page.contents_path(file) if page is not None and file else None

    def failure_of(name: str) -> Any:
        f = failures.get(name)
        return None if f is None else {"phase": f.phase, "error": f.error, "line": f.line}

    modules = []
    names = set()
    for m in status.modules:
        names.add(m.name)
        modules.append(
            {
                "name": m.name,
                "direct": m.direct,
                "tracked": True,
                "file": m.file,
                "path": path_of(m.file),
                "missing": m.file is not None and m.mtime is None,
                "reload": last.get(m.name),
                "failure": failure_of(m.name),
            }
        )
    for name, f in failures.items():
        if name not in names:
            modules.append(
                {
                    "name": name,
                    "direct": False,
                    "tracked": False,
                    "file": f.file,
                    "path": path_of(f.file),
                    "missing": False,
                    "reload": None,
                    "failure": failure_of(name),
                }
            )
    edges = [[importer, m.name] for m in status.modules for importer in m.imported_by]
    return {
        "version": 1,
        "modules": modules,
        "edges": edges,
        "last_reload": stats.last_reload,
        "reloaded": [
            {"module": module, "reason": reason, "after": list(after)}
            for module, reason, after in stats.last_reloaded
        ],
        "stale": [entry.to_json() for entry in getattr(status, "stale", ())],
    }
