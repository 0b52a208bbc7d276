"""Stale names: the variables that still hold objects of an earlier version of
a module LiveImport reloaded (issue 18).

LiveImport rebinds the names its registered statements bind and never patches
objects (LiveImport 1.3.1's semantics). So after ``shapes`` reloads, an
instance made before keeps its old class, ``f = shapes.area`` keeps the old
function, and an Enum member of the old class no longer equals the new one.
This module names them; it changes nothing.

A value is *stale* when it comes from an earlier version of a module that a
sync reloaded; the rules, one level inside containers included, are
``liveimport._origins``'s. An old element of a container is reported under the
container's name, with the element's kind.

Never reported: names starting with ``_`` (what IPython's ``%who`` leaves out:
``_``, ``_4``, ``_i4`` ...), IPython's hidden names (``In``, ``Out``, ...),
names the namespace's registered statements rebind, modules, and anything not
from a reloaded module. Detection only reads attributes through ``vars()`` and
``type()`` (a value's class is its real type, whatever its ``__class__``
claims): no user code runs.

The stale names of the notebook's namespace as of the last reload (or last
cell) are kept for the ``status`` comm message (:func:`watched`).
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import itertools
import operator
import types
from collections.abc import Callable, Container, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from . import _cells, _engine
from ._containers import CONTAINER_LIMIT, flagged_elements, holding
from ._origins import (
    CONTAINER,
    DICT_SUBCLASS,
    MAY_BE_STALE,
    Origin,
    Scan,
    one_by_one,
    origins,
    origins_of_elements,
    top_code,
)
from ._state import STATE
from ._type_codes import TypeCodes, pick, positions

__all__ = (
    "CONTAINER_LIMIT",
    "KINDS",
    "StaleName",
    "after_reload",
    "find",
    "recheck",
    "stale",
    "watched",
)

#: The kinds of :class:`StaleName`, in the order the issue lists them.
KINDS = ("instance", "class", "function", "enum member", "method")


@dataclass(frozen=True)
class StaleName:
    """A name whose value (or an element of it) comes from an earlier version
    of a reloaded module.

    :ivar name: the variable, e.g. ``"sq"`` (a container's name for an element).
    :ivar kind: ``"instance"``, ``"class"``, ``"function"``, ``"enum member"``
        or ``"method"`` (:data:`KINDS`): what the stale value (or element) is.
    :ivar module: the reloaded module it comes from, e.g. ``"shapes"``.
    :ivar qualname: the old class's ``__qualname__`` (instance, enum member,
        class) or the old function's (function, method: e.g. ``"Square.area"``).
    :ivar cell: the execution count of the notebook cell that last bound
        ``name`` (``In [7]`` is 7); ``None`` outside IPython or when unknown.
    """

    name: str
    kind: str
    module: str
    qualname: str
    cell: int | None

    def to_json(self) -> dict[str, Any]:
        """The entry as JSON data: ``{"name": str, "kind": str, "module": str,
        "qualname": str, "cell": int | None}`` (the ``status`` message's
        ``stale`` items and the graph data's)."""
        return {
            "name": self.name,
            "kind": self.kind,
            "module": self.module,
            "qualname": self.qualname,
            "cell": self.cell,
        }


_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)

#: The fields of :class:`StaleName`, in order.
_FIELDS = tuple(field.name for field in dataclasses.fields(StaleName))
#: The fields of :class:`StaleName` as :func:`_entries` gives them to
#: ``_engine.new_instances``: a name, an origin, a cell.
_COLUMNS = (_FIELDS[0], _FIELDS[1:4], _FIELDS[4])


def find(
    namespace: Mapping[str, object],
    modules: frozenset[str],
    *,
    skip: Container[str] = (),
    hidden: Mapping[str, object] | None = None,
    cell_of: Callable[[str], int | None] | None = None,
    names: Iterable[str] | None = None,
) -> list[StaleName]:
    """The stale names of ``namespace`` (rules in the module docstring), in
    the namespace's order; one entry per name and distinct ``(kind, module,
    qualname)`` (a container may hold old objects of several classes).

    :param modules: the reloaded modules (``STATE.reloaded_modules()``).
    :param skip: names never reported (those registered statements rebind).
    :param hidden: IPython's ``user_ns_hidden``: a name whose value is the
        hidden one is skipped.
    :param cell_of: gives each entry's ``cell`` (default: ``None``).
    :param names: look only at these names, in this order (default: all of
        the namespace, in its order).

    Cost: each distinct type is judged once (:class:`_type_codes.TypeCodes`); the
    values' types, and those of the containers' elements, are looked up in
    Rust with the pyo3 engine (``_engine.type_codes``,
    ``_engine.containers_holding``), else in C loops (elements gathered by
    ``gc.get_referents``, see :func:`_containers.holding`; ``map``,
    ``operator.itemgetter``, ``bytes.find``); the values that may be stale
    (functions, methods, classes, instances of stale classes), and the
    elements of the containers holding some, are grouped by key and Python
    code runs once per key (:func:`_origins.origins`: in Rust with the pyo3
    engine, else in C loops); the containers of names never reported are not
    looked into; the entries are made in Rust with the pyo3 engine
    (:func:`_entries`). Figures: ``bench/README.md``, "Stale names".
    """
    if not modules:
        return []
    hidden = hidden or {}
    scan = Scan(modules)
    if names is None:
        keys = list(namespace)
        values = list(namespace.values())
    else:
        keys = [k for k in names if k in namespace]
        values = [namespace[k] for k in keys]
    try:
        top = TypeCodes(functools.partial(top_code, scan))
        codes = top.codes_of(values)
        found = origins(scan, values, codes)
        # Dict subclasses that are not stale: their values are examined.
        dicts = positions(codes, bytes([DICT_SUBCLASS]))[0] if DICT_SUBCLASS in codes else []
        # Containers: those holding an element that may be stale (holding),
        # then those elements (flagged_elements) grouped by origin.
        # Only those whose name may be reported (not ``__builtins__``'s classes).
        hits = holding(top, values, codes, CONTAINER, MAY_BE_STALE)
        hits = _reported(scan, keys, values, hits, skip, hidden)
        owners, elements = flagged_elements(top, values, hits, MAY_BE_STALE)
        dicts = _reported(scan, keys, values, dicts, skip, hidden)
        if dicts:
            more_owners, more = flagged_elements(top, values, dicts, MAY_BE_STALE)
            owners += more_owners
            elements += more
        if elements:
            found += origins_of_elements(scan, top, owners, elements)
            found.sort(key=_FIRST)
    except TypeError:  # a class made unhashable by its metaclass: one value at a time
        found = one_by_one(scan, values)
    return _entries(scan, keys, values, found, skip, hidden, cell_of)


def _left_out(
    scan: Scan,
    names: list[Any],
    values: list[Any],
    skip: Container[str],
    hidden: Mapping[str, object],
) -> set[Any]:
    """The names of ``names`` (each bound to the value at the same position of
    ``values``, found stale by ``scan`` or holding what it found stale) never
    reported besides those starting with ``_``: those in ``skip``, those bound
    to their ``hidden`` value, those bound to a module."""
    if isinstance(skip, (set, frozenset)):
        out = set(skip.intersection(names))
    else:
        out = set(filter(skip.__contains__, names))
    hidden_here = hidden.keys() & names
    if scan.stale_module_type:  # types are not hashed: a metaclass may forbid it
        modules = list(map(issubclass, map(type, values), itertools.repeat(types.ModuleType)))
        out.update(itertools.compress(names, modules))
    if hidden_here:
        value_of = dict(zip(names, values, strict=True))
        out.update(name for name in hidden_here if hidden[name] is value_of[name])
    return out


def _kept(
    scan: Scan,
    names: list[Any],
    values: list[Any],
    skip: Container[str],
    hidden: Mapping[str, object],
) -> list[bool] | None:
    """Which of ``names`` (each bound to the value at the same position of
    ``values``) may be reported: a string (exactly ``str``) not starting with
    ``_`` and not :func:`_left_out`. ``None`` when all may (the usual case,
    found in C loops: ``map(str.startswith, ...)``)."""
    if all(map(operator.is_, map(type, names), itertools.repeat(str))):  # no type is hashed
        underscored = list(map(str.startswith, names, itertools.repeat("_")))
    else:  # a key that is not exactly a string (a dict given to stale())
        underscored = [type(name) is not str or name.startswith("_") for name in names]
    out = _left_out(scan, names, values, skip, hidden)
    if not out and not any(underscored):
        return None
    return [not under and name not in out for under, name in zip(underscored, names, strict=True)]


def _reported(
    scan: Scan,
    keys: list[Any],
    values: list[Any],
    at: list[int],
    skip: Container[str],
    hidden: Mapping[str, object],
) -> list[int]:
    """The positions of ``at`` whose name (in ``keys``) may be reported
    (:func:`_kept`), in order."""
    if not at:
        return at
    kept = _kept(scan, pick(keys, at), pick(values, at), skip, hidden)
    return at if kept is None else list(itertools.compress(at, kept))


def _entries(
    scan: Scan,
    keys: list[Any],
    values: list[Any],
    found: list[tuple[int, Origin]],
    skip: Container[str],
    hidden: Mapping[str, object],
    cell_of: Callable[[str], int | None] | None,
) -> list[StaleName]:
    """A :class:`StaleName` per ``(position, (kind, module, qualname))`` of
    ``found`` whose name may be reported (:func:`_kept`: not a key that is
    not a string, one starting with ``_``, in ``skip`` or bound to its
    ``hidden`` value, and not a module's). Each is equal to
    ``StaleName(name, kind, module, qualname, cell)`` and made without the
    frozen dataclass's ``__init__`` (five ``object.__setattr__`` calls):
    ``object.__new__``, then its fields set by ``object.__setattr__``, in Rust
    with the pyo3 engine (``_engine.new_instances``), else its ``__dict__``
    set whole, in C loops.
    ``bench/README.md``, "Stale names", has the figures."""
    if not found:
        return []
    at = list(map(_FIRST, found))
    names = pick(keys, at)
    kept = _kept(scan, names, pick(values, at), skip, hidden)
    if kept is not None:
        names = list(itertools.compress(names, kept))
        found = list(itertools.compress(found, kept))
    cells: list[Any] = list(map(cell_of, names)) if cell_of is not None else [None] * len(names)
    if _engine.new_instances is not None:
        origins_found: list[Any] = list(map(_SECOND, found))
        made = _engine.new_instances(StaleName, _COLUMNS, [names, origins_found, cells])
        return made  # type: ignore[return-value]
    fields = [
        {"name": name, "kind": kind, "module": module, "qualname": qualname, "cell": cell}
        for name, (_, (kind, module, qualname)), cell in zip(names, found, cells, strict=True)
    ]
    entries: list[StaleName] = list(map(object.__new__, itertools.repeat(StaleName, len(fields))))
    collections.deque(
        map(object.__setattr__, entries, itertools.repeat("__dict__"), fields), maxlen=0
    )
    return entries


def _context(namespace: dict[str, Any]) -> dict[str, Any]:
    """``find``'s keyword arguments for ``namespace``: the rebound names, and
    for the notebook's namespace the hidden names and the cell attribution."""
    tracker = _cells.active()
    context: dict[str, Any] = {"skip": STATE.rebound_names(namespace)}
    if tracker is not None and tracker.namespace() is namespace:
        context["hidden"] = tracker.hidden()
        context["cell_of"] = tracker.cell_of
    return context


def stale(namespace: dict[str, Any] | None = None) -> list[StaleName]:
    """The names whose values still come from an earlier version of a module
    that LiveImport reloaded, computed now (see :class:`StaleName`; the rules
    are in ``liveimport._stale``'s docstring). Nothing is changed: re-run the
    cell (or statement) that made an object to get one of the new version.

    :param namespace: the namespace to examine, e.g. ``globals()``. ``None``:
        the IPython user namespace when running under IPython (with LiveImport
        installed in the shell), else every namespace with registrations.
    :returns: one :class:`StaleName` per name and distinct origin, in
        namespace order; empty when no sync has reloaded a module.
    :raises TypeError: ``namespace`` is not a dict.

    Example, after ``shapes.py`` was edited and reloaded::

        >>> liveimport.stale()
        [StaleName(name='sq', kind='instance', module='shapes',
                   qualname='Square', cell=4)]
    """
    if namespace is not None and not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict, not {type(namespace).__name__}")
    modules = STATE.reloaded_modules()
    if not modules:
        return []
    if namespace is not None:
        targets = [namespace]
    else:
        tracker = _cells.active()
        targets = [tracker.namespace()] if tracker is not None else STATE.registered_namespaces()
    result: list[StaleName] = []
    for target in targets:
        result += find(target, modules, **_context(target))
    return result


class _Watch:
    """The stale names of the notebook's namespace as last computed, and a
    version that changes with them (for the ``status`` message)."""

    def __init__(self) -> None:
        self.entries: tuple[StaleName, ...] = ()
        self.version = 0

    def set(self, entries: Iterable[StaleName]) -> None:
        new = tuple(entries)
        if new != self.entries:
            self.entries = new
            self.version += 1


_WATCH = _Watch()


def watched() -> tuple[int, tuple[StaleName, ...]]:
    """``(version, entries)``: the notebook namespace's stale names as of the
    last reload or cell (``entries`` as :func:`stale` gave them then); the
    version changes whenever the entries do."""
    return _WATCH.version, _WATCH.entries


def after_reload() -> dict[str, str] | None:
    """After a sync that reloaded modules in a notebook: compute the stale
    names of the notebook's namespace (kept for :func:`watched`) and return
    the display data of the note naming them, ``None`` when there are none."""
    from ._nb_report import stale_note

    tracker = _cells.active()
    if tracker is None:
        return None
    entries = stale(tracker.namespace())
    _WATCH.set(entries)
    return {"text/plain": stale_note(entries)} if entries else None


def recheck(changed: Iterable[str]) -> None:
    """After a notebook cell: look again at the names listed and at the names
    the cell bound (``changed``), not at the whole namespace, so a re-made
    object leaves the list and ``g = f`` of a stale ``f`` joins it."""
    tracker = _cells.active()
    if tracker is None:
        return
    names = list(dict.fromkeys(itertools.chain((e.name for e in _WATCH.entries), changed)))
    if not names:
        return
    modules = STATE.reloaded_modules()
    if not modules:
        _WATCH.set(())
        return
    namespace = tracker.namespace()
    _WATCH.set(find(namespace, modules, names=names, **_context(namespace)))
