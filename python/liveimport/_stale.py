"""Stale names: the variables that still hold objects of an earlier version of
a module LiveImport reloaded (issue 18).

LiveImport rebinds the names its registered statements bind and never patches
objects (LiveImport 1.3.1's semantics). So after ``shapes`` reloads, an
instance made before keeps its old class, ``f = shapes.area`` keeps the old
function, and an Enum member of the old class no longer equals the new one.
This module names them; it changes nothing.

A value is *stale* when it comes from a module that a sync reloaded
(``STATE.reloaded_modules()``) and is no longer that module's current version:

- a class whose ``__module__`` is that module and whose ``__qualname__``,
  looked up statically in the module (``vars()``, no ``__getattr__`` runs),
  gives another object; when the name is gone, the class's first base from the
  same module decides (so a generic alias such as ``Model[int]`` of a current
  ``Model`` is current), and a class without one is stale unless its
  qualified name holds ``<`` (a class made inside a function: undecidable,
  never reported). A name deleted from the source stays in the module after
  ``importlib.reload``, so its old object stays current;
- a function likewise (closures and lambdas, ``<`` in the qualified name, are
  only reported when their name resolves to another object);
- an instance of a stale class (kind ``"instance"``, or ``"enum member"`` when
  its class is an Enum), a bound method of a stale instance or of a stale
  class (``"method"``), a stale class (``"class"``) or function
  (``"function"``) itself;
- one level inside a ``list``, ``tuple``, ``set`` or ``frozenset`` (exact
  types) or a ``dict`` (its values), at most :data:`CONTAINER_LIMIT` elements
  each: the entry names the container, with the element's kind.

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
import enum
import functools
import itertools
import operator
import sys
import types
from collections.abc import Callable, Container, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from . import _cells, _engine
from ._containers import CONTAINER_LIMIT, SEQUENCES, elements_of, flagged_elements, holding
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


#: The fields of :class:`StaleName`, in order.
_FIELDS = tuple(field.name for field in dataclasses.fields(StaleName))
#: The fields of :class:`StaleName` as :func:`_entries` gives them to
#: ``_engine.new_instances``: a name, an origin, a cell.
_COLUMNS = (_FIELDS[0], _FIELDS[1:4], _FIELDS[4])

# (kind, module, qualname) of one stale value.
_Origin = tuple[str, str, str]

_MISSING: Any = object()
_FunctionType = types.FunctionType
_MethodType = types.MethodType


def _lookup(module: types.ModuleType, qualname: str) -> Any:
    """What ``qualname`` names in ``module`` now, found through ``vars()``
    (classes' ``__dict__`` for dotted parts, ``staticmethod`` and
    ``classmethod`` unwrapped); ``_MISSING`` when some part is absent."""
    parts = qualname.split(".")
    value = vars(module).get(parts[0], _MISSING)
    for part in parts[1:]:
        if not issubclass(type(value), type):
            return _MISSING
        value = value.__dict__.get(part, _MISSING)
    if issubclass(type(value), (staticmethod, classmethod)):
        value = value.__func__
    return value


def _key(cls: type) -> object:
    """A class's key among verdicts: itself when its metaclass is ``type``
    (hashed and compared by identity: no user code runs), else its ``id`` (a
    metaclass may define ``__hash__`` and ``__eq__``). ``id`` makes an
    ``int``: 0.2 µs in Pyodide 314, 0.6 µs in 0.29 (measured)."""
    return cls if type(cls) is type else id(cls)


class _Scan:
    """One detection pass: the reloaded modules and a verdict per class seen
    (by :func:`_key`: the classes stay alive through the values holding them)."""

    def __init__(self, modules: frozenset[str]) -> None:
        self.modules = modules
        self.classes: dict[object, tuple[str, str] | None] = {}
        #: Whether a stale class is a module type (``types.ModuleType`` or a
        #: subclass): only then can a stale value be a module.
        self.stale_module_type = False

    def class_origin(self, cls: type) -> tuple[str, str] | None:
        """``(module, qualname)`` when ``cls`` is stale, else ``None``."""
        key = _key(cls)
        if key in self.classes:
            return self.classes[key]
        self.classes[key] = None  # a base's verdict never loops back here
        verdict: tuple[str, str] | None = None
        modname = cls.__dict__.get("__module__")
        if isinstance(modname, str) and modname in self.modules:
            module = sys.modules.get(modname)
            qualname = cls.__qualname__
            if module is not None and isinstance(qualname, str):
                current = _lookup(module, qualname)
                if current is _MISSING:
                    base = next(
                        (b for b in cls.__mro__[1:] if b.__dict__.get("__module__") == modname),
                        None,
                    )
                    if base is not None:
                        if self.class_origin(base) is not None:
                            verdict = (modname, qualname)
                    elif "<" not in qualname:
                        verdict = (modname, qualname)  # removed from the new version
                elif current is not cls:
                    verdict = (modname, qualname)
        self.classes[key] = verdict
        if verdict is not None and issubclass(cls, types.ModuleType):
            self.stale_module_type = True
        return verdict

    def function_origin(self, function: types.FunctionType) -> tuple[str, str] | None:
        """``(module, qualname)`` when ``function`` is stale, else ``None``."""
        modname = function.__module__
        if not isinstance(modname, str) or modname not in self.modules:
            return None
        module = sys.modules.get(modname)
        qualname = function.__qualname__
        if module is None:
            return None
        current = _lookup(module, qualname)
        if current is function or (current is _MISSING and "<" in qualname):
            return None
        return (modname, qualname)

    def origin(self, value: object) -> _Origin | None:
        """``(kind, module, qualname)`` when ``value`` itself is stale."""
        cls = type(value)
        if cls is _FunctionType:
            found = self.function_origin(value)  # type: ignore[arg-type]
            return None if found is None else ("function", *found)
        if cls is _MethodType:
            owner = value.__self__  # type: ignore[attr-defined]
            owner_type = type(owner)
            found = self.class_origin(owner if issubclass(owner_type, type) else owner_type)
            if found is None:
                return None
            func = value.__func__  # type: ignore[attr-defined]
            qualname = getattr(func, "__qualname__", found[1])
            return ("method", found[0], qualname if isinstance(qualname, str) else found[1])
        if issubclass(cls, type):
            found = self.class_origin(value)  # type: ignore[arg-type]
            return None if found is None else ("class", *found)
        return self.instance_origin(cls)

    def instance_origin(self, cls: type) -> _Origin | None:
        """``(kind, module, qualname)`` of an instance of ``cls`` (that does
        not claim to be a class) when ``cls`` is stale, else ``None``."""
        verdict = self.class_origin(cls)
        if verdict is None:
            return None
        kind = "enum member" if isinstance(cls, enum.EnumMeta) else "instance"
        return (kind, *verdict)

    def element_origins(self, value: object, wanted: set[type]) -> Iterator[_Origin]:
        """The distinct stale origins among the first :data:`CONTAINER_LIMIT`
        elements of the container ``value`` (elements of a type in
        ``wanted`` are looked at, the others cannot be stale)."""
        elements = elements_of(value)
        seen: set[_Origin] = set()
        for element in itertools.islice(elements, CONTAINER_LIMIT):
            if type(element) in wanted:
                found = self.origin(element)
                if found is not None and found not in seen:
                    seen.add(found)
                    yield found


# Codes of a top-level value's type (:func:`_top_code`): what ``find`` does
# with the values of that type.
_IGNORED = 0  # cannot be stale, holds nothing examined
_CONTAINER = 1  # an exact list, tuple, set, frozenset or dict: its elements
_FUNCTION = 2  # a function: stale unless it is a module's current one
_METHOD = 3  # a bound method: stale when its owner is an old instance or class
_INSTANCE = 4  # an instance of a stale class (a stale dict subclass too)
_DICT_SUBCLASS = 5  # a dict subclass that is not stale: its values, one by one
_CLASS = 6  # a class: stale unless it is a module's current one


def _top_code(scan: _Scan, cls: type) -> int:
    """The code of a top-level value of type ``cls`` (``_CONTAINER`` ...)."""
    if cls in SEQUENCES or cls is dict:
        return _CONTAINER
    if cls is _FunctionType:
        return _FUNCTION
    if issubclass(cls, type):
        return _CLASS
    if cls is _MethodType:
        return _METHOD
    if scan.class_origin(cls) is not None:  # an instance of a stale class
        return _INSTANCE
    if issubclass(cls, dict):
        return _DICT_SUBCLASS
    return _IGNORED


_SELF = operator.attrgetter("__self__")
_FUNC = operator.attrgetter("__func__")
_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)
# The codes (:func:`_top_code`) of the values that may be stale themselves.
_MAY_BE_STALE = bytes([_INSTANCE, _FUNCTION, _CLASS, _METHOD])


def _origins(scan: _Scan, values: list[Any], codes: bytes) -> list[tuple[int, _Origin]]:
    """``(position, origin)`` of each value of ``values`` that is stale
    (:meth:`_Scan.origin`), in position order; ``codes`` gives each value's
    code (:func:`_top_code`): only those of :data:`_MAY_BE_STALE` may be
    stale.

    The same verdicts as :meth:`_Scan.origin` value by value, with Python code
    run once per distinct origin's key, not per value: an instance's origin
    depends on its type only, a function's on itself, a method's bound to an
    instance on the instance's type and its ``__func__``. The values are
    grouped by those keys in C loops (``map``, ``zip``, ``dict.fromkeys``), and
    only the old ones paired with their origin. Classes, and methods bound to
    a class, are looked at one by one.

    With the pyo3 engine each group is keyed, and each key judged once, in
    Rust (``_engine.judged_once``: by identity, no ``__hash__`` runs).

    :raises TypeError: a class is unhashable (its metaclass)."""
    if _engine.judged_once is not None:
        return _judged_once(_engine.judged_once, scan, values, codes)
    instances, functions, classes, methods = positions(codes, _MAY_BE_STALE)
    pairs: list[tuple[int, _Origin | None]] = []
    if instances:  # every one is of a stale class (_INSTANCE)
        types_ = list(map(type, pick(values, instances)))
        verdicts = {cls: scan.instance_origin(cls) for cls in set(types_)}
        pairs += zip(instances, map(verdicts.__getitem__, types_), strict=True)
    if functions:
        picked = pick(values, functions)
        verdicts_f = {f: scan.origin(f) for f in dict.fromkeys(picked)}  # hashed by identity
        old = {f for f, verdict in verdicts_f.items() if verdict is not None}
        if old:  # the pairs of the old ones only (most functions are current)
            kept = list(map(old.__contains__, picked))
            picked = list(itertools.compress(picked, kept))
            pairs += zip(
                itertools.compress(functions, kept),
                map(verdicts_f.__getitem__, picked),
                strict=True,
            )
    if classes:
        pairs += zip(classes, map(scan.origin, pick(values, classes)), strict=True)
    if methods:
        picked = pick(values, methods)
        owners_types = list(map(type, map(_SELF, picked)))
        distinct = set(owners_types)
        metaclasses = {cls for cls in distinct if issubclass(cls, type)}
        if metaclasses:  # bound to a class: one by one
            kept = list(map(metaclasses.__contains__, owners_types))
            pairs += zip(
                itertools.compress(methods, kept),
                map(scan.origin, itertools.compress(picked, kept)),
                strict=True,
            )
        # Bound to an instance: stale only when the instance's class is.
        old_classes = {
            cls for cls in distinct.difference(metaclasses) if scan.instance_origin(cls) is not None
        }
        if old_classes:
            kept = list(map(old_classes.__contains__, owners_types))
            methods = list(itertools.compress(methods, kept))
            picked = list(itertools.compress(picked, kept))
            owners_types = list(itertools.compress(owners_types, kept))
            keys = list(zip(owners_types, map(id, map(_FUNC, picked)), strict=True))
            verdicts_m = {
                key: scan.origin(method)
                for key, method in dict(zip(keys, picked, strict=True)).items()
            }
            pairs += zip(methods, map(verdicts_m.__getitem__, keys), strict=True)
    found: list[tuple[int, _Origin]] = list(filter(_SECOND, pairs))  # type: ignore[arg-type]
    found.sort(key=_FIRST)
    return found


# Keys of ``_engine.judged_once``: a value's type, the value, a bound method's
# owner class and function.
_BY_TYPE = 0
_BY_IDENTITY = 1
_BY_METHOD = 2


def _judged_once(
    judged_once: Callable[
        [list[Any], bytes, int, int, Callable[[Any], object]], list[tuple[int, object]]
    ],
    scan: _Scan,
    values: list[Any],
    codes: bytes,
) -> list[tuple[int, _Origin]]:
    """:func:`_origins` with the pyo3 engine: the values of each code of
    :data:`_MAY_BE_STALE` keyed and judged once per key in Rust
    (``judged_once``), the origins found merged in position order."""
    found: list[tuple[int, Any]] = []
    for code, key, judge in (
        (_INSTANCE, _BY_TYPE, scan.instance_origin),  # every one is of a stale class
        (_FUNCTION, _BY_IDENTITY, scan.origin),
        (_CLASS, _BY_IDENTITY, scan.origin),
        (_METHOD, _BY_METHOD, scan.origin),
    ):
        if code in codes:
            found += judged_once(values, codes, code, key, judge)
    found.sort(key=_FIRST)
    return found


def _element_origins(
    scan: _Scan, top: TypeCodes, owners: list[int], elements: list[Any]
) -> list[tuple[int, _Origin]]:
    """``(owner, origin)`` of the distinct stale origins among ``elements``,
    each of the container at position ``owners[i]`` (:func:`_containers.flagged_elements`),
    each container's in the order first met (as :meth:`_Scan.element_origins`)."""
    found = _origins(scan, elements, top.codes_of(elements))
    at = map(owners.__getitem__, map(_FIRST, found))
    return list(dict.fromkeys(zip(at, map(_SECOND, found), strict=True)))


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
    elements of the containers holding some, are grouped in C loops and
    Python code runs once per group (:func:`_origins`). Figures:
    ``bench/README.md``, "Stale names".
    """
    if not modules:
        return []
    hidden = hidden or {}
    scan = _Scan(modules)
    if names is None:
        keys = list(namespace)
        values = list(namespace.values())
    else:
        keys = [k for k in names if k in namespace]
        values = [namespace[k] for k in keys]
    try:
        top = TypeCodes(functools.partial(_top_code, scan))
        codes = top.codes_of(values)
        found = _origins(scan, values, codes)
        # Dict subclasses that are not stale: their values are examined.
        dicts = positions(codes, bytes([_DICT_SUBCLASS]))[0] if _DICT_SUBCLASS in codes else []
        # Containers: those holding an element that may be stale (holding),
        # then those elements (flagged_elements) grouped by origin.
        # Only those whose name may be reported (not ``__builtins__``'s classes).
        hits = holding(top, values, codes, _CONTAINER, _MAY_BE_STALE)
        hits = _reported(scan, keys, values, hits, skip, hidden)
        owners, elements = flagged_elements(top, values, hits, _MAY_BE_STALE)
        dicts = _reported(scan, keys, values, dicts, skip, hidden)
        if dicts:
            more_owners, more = flagged_elements(top, values, dicts, _MAY_BE_STALE)
            owners += more_owners
            elements += more
        if elements:
            found += _element_origins(scan, top, owners, elements)
            found.sort(key=_FIRST)
    except TypeError:  # a class made unhashable by its metaclass: one value at a time
        found = _one_by_one(scan, values)
    return _entries(scan, keys, values, found, skip, hidden, cell_of)


def _one_by_one(scan: _Scan, values: list[Any]) -> list[tuple[int, _Origin]]:
    """What :func:`find` finds, value by value (:meth:`_Scan.origin`,
    :meth:`_Scan.element_origins`): its way when a class is unhashable, and
    the reference its grouped passes are tested against."""
    found: list[tuple[int, _Origin]] = []
    every = _AnyType()
    for index, value in enumerate(values):
        origin = scan.origin(value)
        if origin is not None:
            found.append((index, origin))
        elif type(value) in SEQUENCES or issubclass(type(value), dict):
            found += [(index, o) for o in scan.element_origins(value, every)]
    return found


def _left_out(
    scan: _Scan,
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
    scan: _Scan,
    names: list[Any],
    values: list[Any],
    skip: Container[str],
    hidden: Mapping[str, object],
) -> list[bool] | None:
    """Which of ``names`` (each bound to the value at the same position of
    ``values``) may be reported: a string (exactly ``str``) not starting with
    ``_`` and not :func:`_left_out`. ``None`` when all may (the usual case,
    found in C loops: ``map(str.startswith, ...)``)."""
    if set(map(type, names)) <= {str}:
        underscored = list(map(str.startswith, names, itertools.repeat("_")))
    else:  # a key that is not exactly a string (a dict given to stale())
        underscored = [type(name) is not str or name.startswith("_") for name in names]
    out = _left_out(scan, names, values, skip, hidden)
    if not out and not any(underscored):
        return None
    return [not under and name not in out for under, name in zip(underscored, names, strict=True)]


def _reported(
    scan: _Scan,
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
    scan: _Scan,
    keys: list[Any],
    values: list[Any],
    found: list[tuple[int, _Origin]],
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
        origins: list[Any] = list(map(_SECOND, found))
        made = _engine.new_instances(StaleName, _COLUMNS, [names, origins, cells])
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


class _AnyType(set[type]):
    """Stands for every type (``in`` is always true)."""

    def __contains__(self, item: object) -> bool:
        return True


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
