"""What only Python can do about import records: check ``sys.modules`` and a
namespace for evidence that a registered statement ran, find a module's
source file, and rebind a namespace by replaying records.

A record is the engine's tuple ``(kind, module, name, asname)`` (see
``_engine.pyi``): ``("import", "a.b", None, None)`` is ``import a.b``,
``("import", "a.b", None, "x")`` is ``import a.b as x``,
``("from", "m", "n", None|"k")`` is ``from m import n [as k]`` and
``("star", "m", None, None)`` is ``from m import *``.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any

Record = tuple[str, str, str | None, str | None]
ModuleSpec = tuple[str, str | None, str]

_MISSING = object()


class _Issue(Exception):
    """A record lacks evidence; ``str()`` is the user-facing reason."""


def canonical(record: Record) -> str:
    """The canonical statement text of ``record``, e.g. ``from m import n as k``
    (the same text as ``_engine.canonical_statement``)."""
    kind, module, name, asname = record
    if kind == "import":
        return f"import {module}" + ("" if asname is None else f" as {asname}")
    if kind == "star":
        return f"from {module} import *"
    return f"from {module} import {name}" + ("" if asname is None else f" as {asname}")


def bound_name(record: Record) -> str | None:
    """The namespace name ``record`` binds; ``None`` for a star import."""
    kind, module, name, asname = record
    if kind == "import":
        return module.split(".", 1)[0] if asname is None else asname
    if kind == "star":
        return None
    return name if asname is None else asname


def is_lazy(modulename: str) -> bool:
    """True if ``modulename`` is lazily imported (PEP 810, Python 3.15+) and
    not loaded yet. Always false before 3.15 (no ``sys.lazy_modules``)."""
    lazy = getattr(sys, "lazy_modules", None)
    if not lazy or modulename in sys.modules:
        return False
    try:
        return modulename in lazy
    except TypeError:  # pragma: no cover - unexpected shape of sys.lazy_modules
        return False


def _located_spec(module: Any) -> tuple[Any, str] | None:
    """``(module.__spec__, absolute path of its .py origin)``, or ``None``
    (see :func:`source_file`); one spec look-up, as tracking calls this for
    every workspace module."""
    spec = getattr(module, "__spec__", None)
    if spec is None or not getattr(spec, "has_location", False):
        return None
    origin = spec.origin
    if not isinstance(origin, str) or not origin.endswith(".py"):
        return None
    return spec, os.path.abspath(origin)


def source_file(module: Any) -> str | None:
    """The absolute path of ``module``'s ``.py`` source file (from
    ``__spec__.origin``), or ``None`` if it has no spec, no location or a
    non-``.py`` origin (builtins, extension modules, namespace packages)."""
    located = _located_spec(module)
    return located[1] if located is not None else None


def module_spec(name: str, module: Any) -> ModuleSpec | None:
    """The engine's ``(name, file, package)`` for a loaded module with a ``.py``
    source file, or ``None`` if it has none (as :func:`source_file`)."""
    located = _located_spec(module)
    if located is None:
        return None
    spec, file = located
    return (name, file, getattr(spec, "parent", None) or "")


def tracked_spec(name: str, module: Any) -> ModuleSpec:
    """The engine's ``(name, file, package)`` for a module a registered
    statement names: ``file`` is ``None`` for a module without a ``.py``
    source file (built-in, frozen, extension, zip-imported, namespace
    package), which is tracked but never reloads (LiveImport 1.3.1's
    ``_locate``).

    Raises ``ValueError("Module X has no spec")`` when ``__spec__`` is
    ``None`` (as LiveImport 1.3.1).
    """
    located = _located_spec(module)
    if located is not None:
        spec, file = located
        return (name, file, getattr(spec, "parent", None) or "")
    spec = getattr(module, "__spec__", None)
    if spec is None:
        raise ValueError(f"Module {name} has no spec")
    return (name, None, getattr(spec, "parent", None) or "")


def _require_module(modulename: str) -> ModuleType:
    module = sys.modules.get(modulename)
    if module is None:
        raise _Issue(f"Module {modulename} not loaded")
    return module


def _require_attr(module: ModuleType, name: str) -> Any:
    try:
        return getattr(module, name)
    except AttributeError:
        raise _Issue(f"No name {name} in {module.__name__}") from None


def _validate_hierarchy(modulename: str) -> ModuleType:
    """The loaded module ``modulename`` whose parents are loaded and bind it;
    lazily imported modules are loaded first."""
    if is_lazy(modulename):
        importlib.import_module(modulename)  # noqa: TID251 (the user's module)
    parts = modulename.split(".")
    parentname = parts[0]
    parent = _require_module(parentname)
    for part in parts[1:]:
        childname = f"{parentname}.{part}"
        child = _require_module(childname)
        _require_attr(parent, part)
        parentname, parent = childname, child
    return parent


def validate(record: Record, namespace: dict[str, Any]) -> list[ModuleSpec]:
    """Check that ``record``'s statement (or an equivalent) ran in
    ``namespace``; return the modules to attach: the record's module and, for
    ``from m import sub`` where ``sub`` is the loaded submodule ``m.sub``, that
    submodule too (see :func:`tracked_spec` for modules without a source file).

    Raises ``ValueError`` ("No name x in namespace; missing from m import x?",
    "Module m not loaded; missing import m?", "Module m has no spec").
    """
    kind, modulename, name, _ = record
    try:
        module = _validate_hierarchy(modulename)
        if kind == "from":
            assert name is not None
            if name not in getattr(module, "__dict__", {}):
                submodname = f"{modulename}.{name}"
                if is_lazy(submodname):
                    importlib.import_module(submodname)  # noqa: TID251 (the user's module)
            _require_attr(module, name)
        bound = bound_name(record)
        if bound is not None and bound not in namespace:
            raise _Issue(f"No name {bound} in namespace")
    except _Issue as issue:
        raise ValueError(f"{issue}; missing {canonical(record)}?") from None

    specs = [tracked_spec(modulename, module)]
    if kind == "from" and name is not None:  # a "from" record always names one
        submodname = f"{modulename}.{name}"
        child = sys.modules.get(submodname)
        if child is not None and getattr(module, name, None) is child:
            specs.append(tracked_spec(submodname, child))
    return specs


def _public_names(module: ModuleType) -> Iterable[str]:
    """The names ``from module import *`` binds: ``__all__`` if defined, else
    every name not starting with ``_``."""
    names = getattr(module, "__all__", None)
    if names is not None:
        return list(names)
    return [n for n in getattr(module, "__dict__", {}) if not n.startswith("_")]


def rebind_problem(record: Record, module: ModuleType) -> BaseException | None:
    """The exception executing ``record``'s statement would raise against the
    just reloaded ``module`` (the record's own module), or ``None`` when it can
    rebind. Mirrors Python: ``ImportError("cannot import name 'x' from 'm'
    (/path/m.py)")`` for ``from``, ``AttributeError`` for a bad ``__all__``."""
    kind, modulename, name, _ = record
    if kind == "from":
        assert name is not None
        if getattr(module, name, _MISSING) is _MISSING:
            where = source_file(module) or "unknown location"
            return ImportError(
                f"cannot import name {name!r} from {modulename!r} ({where})",
                name=modulename,
                path=source_file(module),
            )
    elif kind == "star":
        for star in _public_names(module):
            if not isinstance(star, str):
                return TypeError(
                    f"Item in {modulename}.__all__ must be str, not {type(star).__name__}"
                )
            if getattr(module, star, _MISSING) is _MISSING:
                return AttributeError(f"module {modulename!r} has no attribute {star!r}")
    return None


def bindings(records: Iterable[Record]) -> dict[str, Any]:
    """The names replaying ``records`` in order binds, with their values
    (later records win). A record whose module or name vanished (say, deleted
    from ``sys.modules`` by hand) is skipped: its names keep their values."""
    result: dict[str, Any] = {}
    for record in records:
        kind, modulename, name, asname = record
        try:
            if kind == "import":
                target = modulename.split(".", 1)[0] if asname is None else modulename
                result[bound_name(record)] = _require_module(target)  # type: ignore[index]
            elif kind == "from":
                module = _require_module(modulename)
                result[bound_name(record)] = _require_attr(module, name)  # type: ignore[index,arg-type]
            else:
                module = _require_module(modulename)
                for star in _public_names(module):
                    value = getattr(module, star, _MISSING)
                    if value is not _MISSING:
                        result[star] = value
        except _Issue:
            continue
    return result
