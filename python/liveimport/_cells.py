"""Cell attribution: which notebook cell last bound each name (issue 18).

Installed into an IPython shell by ``liveimport._nbi``. Each cell costs what
its own code is, not what the namespace holds: an AST transformer (IPython's
``ast_transformers``; it returns the tree unchanged) collects the names the
cell's top-level statements bind (assignments, ``for``/``with``/``except``
targets, ``def``, ``class``, imports, ``match`` captures, ``del``, inside
``if``/``for``/``while``/``try``/``with``/``match`` blocks but not inside
functions or classes; ``from m import *`` adds m's public names after the
cell), and after the cell only those names are looked at: a name whose value
is another object than before (``id``) is attributed to the cell's execution
count. A cell that raised midway so attributes only what it did bind.

Names bound otherwise (``exec``, ``globals()[...]``, a function's ``global``
statement, an assignment expression, a line magic's code) keep their previous
attribution, or none (``cell_of`` gives ``None``). Cells run inside a cell
(``%%liveimport`` runs its body with ``run_cell``) count as the enclosing
cell; cells that do not store history (a frontend's silent requests)
attribute ``None``.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Mapping
from typing import Any

__all__ = ("CellTracker", "active", "bound_names", "install", "uninstall")


def _add_targets(target: ast.expr, out: set[str]) -> None:
    if isinstance(target, ast.Name):
        out.add(target.id)
    elif isinstance(target, (ast.Tuple, ast.List)):
        for element in target.elts:
            _add_targets(element, out)
    elif isinstance(target, ast.Starred):
        _add_targets(target.value, out)


def _add_pattern(pattern: ast.pattern, out: set[str]) -> None:
    for node in ast.walk(pattern):
        name = getattr(node, "name", None) or getattr(node, "rest", None)
        if isinstance(name, str):
            out.add(name)


_TYPE_ALIAS: Any = getattr(ast, "TypeAlias", ())  # Python 3.12+


def bound_names(body: list[ast.stmt], out: set[str], stars: list[str]) -> None:
    """Add to ``out`` the names the statements ``body`` bind or delete at
    their own level (see the module docstring); append to ``stars`` the
    modules of absolute ``from m import *`` statements."""
    for stmt in body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            out.add(stmt.name)
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                _add_targets(target, out)
        elif isinstance(stmt, (ast.AugAssign, ast.AnnAssign)):
            _add_targets(stmt.target, out)
        elif isinstance(stmt, ast.Delete):
            for target in stmt.targets:
                _add_targets(target, out)
        elif isinstance(stmt, ast.Import):
            for alias in stmt.names:
                out.add(alias.asname or alias.name.split(".", 1)[0])
        elif isinstance(stmt, ast.ImportFrom):
            for alias in stmt.names:
                if alias.name != "*":
                    out.add(alias.asname or alias.name)
                elif stmt.level == 0 and stmt.module:
                    stars.append(stmt.module)
        elif isinstance(stmt, (ast.For, ast.AsyncFor)):
            _add_targets(stmt.target, out)
            bound_names(stmt.body, out, stars)
            bound_names(stmt.orelse, out, stars)
        elif isinstance(stmt, (ast.While, ast.If)):
            bound_names(stmt.body, out, stars)
            bound_names(stmt.orelse, out, stars)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            for item in stmt.items:
                if item.optional_vars is not None:
                    _add_targets(item.optional_vars, out)
            bound_names(stmt.body, out, stars)
        elif isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
            bound_names(stmt.body, out, stars)  # type: ignore[attr-defined]
            for handler in stmt.handlers:  # type: ignore[attr-defined]
                if handler.name:
                    out.add(handler.name)
                bound_names(handler.body, out, stars)
            bound_names(stmt.orelse, out, stars)  # type: ignore[attr-defined]
            bound_names(stmt.finalbody, out, stars)  # type: ignore[attr-defined]
        elif isinstance(stmt, ast.Match):
            for case in stmt.cases:
                _add_pattern(case.pattern, out)
                bound_names(case.body, out, stars)
        elif _TYPE_ALIAS and isinstance(stmt, _TYPE_ALIAS):
            _add_targets(stmt.name, out)


class CellTracker:
    """The cell attribution of one shell's user namespace (see the module
    docstring). Its hooks are marked ``_liveimport_cells_hook``."""

    _liveimport_cells_hook = True

    def __init__(self, shell: Any) -> None:
        self.shell = shell
        #: The execution count of the cell that last bound each name.
        self.cells: dict[str, int | None] = {}
        #: ``id()`` of each attributed name's value when it was attributed.
        self.ids: dict[str, int] = {}
        #: Names the running cell's code binds, and its star-imported modules.
        self.pending: set[str] = set()
        self.stars: list[str] = []
        #: The ``ExecutionInfo`` of the cells running (nested ones last).
        self.running: list[Any] = []

    # IPython's AST transformer protocol: ``visit(tree) -> tree``.
    def visit(self, node: Any) -> Any:
        """Note the names the cell's top-level statements bind; return
        ``node`` unchanged."""
        body = getattr(node, "body", None)
        if isinstance(body, list):
            bound_names(body, self.pending, self.stars)
        return node

    def namespace(self) -> dict[str, Any]:
        """The shell's user namespace (the notebook's)."""
        namespace: dict[str, Any] = self.shell.user_ns
        return namespace

    def hidden(self) -> Mapping[str, object]:
        """IPython's hidden names (``user_ns_hidden``: ``In``, ``Out``, ...)."""
        hidden: Mapping[str, object] = getattr(self.shell, "user_ns_hidden", {})
        return hidden

    def cell_of(self, name: str) -> int | None:
        """The execution count of the cell that last bound ``name``; ``None``
        when unknown."""
        return self.cells.get(name)

    def pre_run_cell(self, info: Any) -> None:
        self.running.append(info)

    def post_run_cell(self, result: Any) -> None:
        """At the end of an outermost cell: attribute the names it bound."""
        info = getattr(result, "info", None)
        for index in range(len(self.running) - 1, -1, -1):
            if self.running[index] is info:
                del self.running[index:]
                break
        else:
            return  # an empty cell (IPython skips pre_run_cell) binds nothing
        if self.running:
            return  # nested: the enclosing cell attributes
        count = result.execution_count if getattr(info, "store_history", False) else None
        changed = self.settle(count if isinstance(count, int) else None)
        stale = sys.modules.get(f"{__package__}._stale")
        if stale is not None:
            stale.recheck(changed)

    def settle(self, count: int | None) -> list[str]:
        """Attribute to ``count`` the pending names whose value changed; forget
        those now unbound. Returns the names whose binding changed."""
        names = self.pending
        self.pending = set()
        if self.stars:
            for modname in self.stars:
                module = sys.modules.get(modname)
                if module is not None:
                    public = vars(module).get("__all__")
                    if not isinstance(public, (list, tuple)):
                        public = [n for n in vars(module) if not n.startswith("_")]
                    names.update(n for n in public if isinstance(n, str))
            self.stars = []
        namespace = self.namespace()
        changed: list[str] = []
        for name in names:
            value = namespace.get(name, _UNBOUND)
            if value is _UNBOUND:
                if self.cells.pop(name, _UNBOUND) is not _UNBOUND:
                    changed.append(name)
                self.ids.pop(name, None)
            elif self.ids.get(name) != id(value):
                self.ids[name] = id(value)
                self.cells[name] = count
                changed.append(name)
        return changed


_UNBOUND: Any = object()
_ACTIVE: CellTracker | None = None


def active() -> CellTracker | None:
    """The tracker installed in the running shell, or ``None`` (no IPython)."""
    return _ACTIVE


def uninstall(shell: Any) -> None:
    """Remove every tracker any copy of this module installed in ``shell``."""
    global _ACTIVE
    for event in ("pre_run_cell", "post_run_cell"):
        for callback in list(shell.events.callbacks.get(event, [])):
            if getattr(getattr(callback, "__self__", None), "_liveimport_cells_hook", False):
                shell.events.unregister(event, callback)
    transformers: list[Any] = shell.ast_transformers
    transformers[:] = [t for t in transformers if not getattr(t, "_liveimport_cells_hook", False)]
    if _ACTIVE is not None and _ACTIVE.shell is shell:
        _ACTIVE = None


def install(shell: Any) -> CellTracker:
    """Install a new tracker (empty attribution) into ``shell``, replacing
    any earlier one."""
    global _ACTIVE
    uninstall(shell)
    tracker = CellTracker(shell)
    shell.events.register("pre_run_cell", tracker.pre_run_cell)
    shell.events.register("post_run_cell", tracker.post_run_cell)
    shell.ast_transformers.append(tracker)
    _ACTIVE = tracker
    return tracker
