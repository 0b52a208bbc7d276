"""Which values are stale, and where each comes from: its *origin*, ``(kind,
module, qualname)`` (issue 18; ``liveimport._stale`` names the variables that
hold them).

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

Only attributes are read, through ``vars()`` and ``type()`` (a value's class
is its real type, whatever its ``__class__`` claims): no user code runs.

A namespace's values are sorted by a code per type (:func:`top_code`, through
``_type_codes.TypeCodes``); those that may be stale are grouped by what their
origin depends on and judged once per group (:func:`origins`: in Rust with the
pyo3 engine, ``_engine.judged_once``).
"""

from __future__ import annotations

import enum
import itertools
import operator
import sys
import types
from collections.abc import Callable, Iterator
from typing import Any

from . import _engine
from ._containers import CONTAINER_LIMIT, SEQUENCES, elements_of
from ._type_codes import TypeCodes, pick, positions

__all__ = (
    "BY_IDENTITY",
    "BY_METHOD",
    "BY_TYPE",
    "CLASS",
    "CONTAINER",
    "DICT_SUBCLASS",
    "FUNCTION",
    "IGNORED",
    "INSTANCE",
    "MAY_BE_STALE",
    "METHOD",
    "Origin",
    "Scan",
    "one_by_one",
    "origins",
    "origins_of_elements",
    "top_code",
)

#: ``(kind, module, qualname)`` of one stale value (``kind`` one of
#: ``liveimport._stale.KINDS``).
Origin = tuple[str, str, str]

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


class Scan:
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

    def origin(self, value: object) -> Origin | None:
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

    def instance_origin(self, cls: type) -> Origin | None:
        """``(kind, module, qualname)`` of an instance of ``cls`` (that does
        not claim to be a class) when ``cls`` is stale, else ``None``."""
        verdict = self.class_origin(cls)
        if verdict is None:
            return None
        kind = "enum member" if isinstance(cls, enum.EnumMeta) else "instance"
        return (kind, *verdict)

    def element_origins(self, value: object, wanted: set[type]) -> Iterator[Origin]:
        """The distinct stale origins among the first :data:`CONTAINER_LIMIT`
        elements of the container ``value`` (elements of a type in
        ``wanted`` are looked at, the others cannot be stale)."""
        elements = elements_of(value)
        seen: set[Origin] = set()
        for element in itertools.islice(elements, CONTAINER_LIMIT):
            if type(element) in wanted:
                found = self.origin(element)
                if found is not None and found not in seen:
                    seen.add(found)
                    yield found


# Codes of a top-level value's type (:func:`top_code`): what ``_stale.find`` does
# with the values of that type.
IGNORED = 0  # cannot be stale, holds nothing examined
CONTAINER = 1  # an exact list, tuple, set, frozenset or dict: its elements
FUNCTION = 2  # a function: stale unless it is a module's current one
METHOD = 3  # a bound method: stale when its owner is an old instance or class
INSTANCE = 4  # an instance of a stale class (a stale dict subclass too)
DICT_SUBCLASS = 5  # a dict subclass that is not stale: its values, one by one
CLASS = 6  # a class: stale unless it is a module's current one


def top_code(scan: Scan, cls: type) -> int:
    """The code of a top-level value of type ``cls`` (``CONTAINER`` ...)."""
    if cls in SEQUENCES or cls is dict:
        return CONTAINER
    if cls is _FunctionType:
        return FUNCTION
    if issubclass(cls, type):
        return CLASS
    if cls is _MethodType:
        return METHOD
    if scan.class_origin(cls) is not None:  # an instance of a stale class
        return INSTANCE
    if issubclass(cls, dict):
        return DICT_SUBCLASS
    return IGNORED


_SELF = operator.attrgetter("__self__")
_FUNC = operator.attrgetter("__func__")
_FIRST = operator.itemgetter(0)
_SECOND = operator.itemgetter(1)
# The codes (:func:`top_code`) of the values that may be stale themselves.
MAY_BE_STALE = bytes([INSTANCE, FUNCTION, CLASS, METHOD])


def origins(scan: Scan, values: list[Any], codes: bytes) -> list[tuple[int, Origin]]:
    """``(position, origin)`` of each value of ``values`` that is stale
    (:meth:`Scan.origin`), in position order; ``codes`` gives each value's
    code (:func:`top_code`): only those of :data:`MAY_BE_STALE` may be
    stale.

    The same verdicts as :meth:`Scan.origin` value by value, with Python code
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
    instances, functions, classes, methods = positions(codes, MAY_BE_STALE)
    pairs: list[tuple[int, Origin | None]] = []
    if instances:  # every one is of a stale class (INSTANCE)
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
    found: list[tuple[int, Origin]] = list(filter(_SECOND, pairs))  # type: ignore[arg-type]
    found.sort(key=_FIRST)
    return found


# Keys of ``_engine.judged_once``: a value's type, the value, a bound method's
# owner class and function.
BY_TYPE = 0
BY_IDENTITY = 1
BY_METHOD = 2


def _judged_once(
    judged_once: Callable[
        [list[Any], bytes, int, int, Callable[[Any], object]], list[tuple[int, object]]
    ],
    scan: Scan,
    values: list[Any],
    codes: bytes,
) -> list[tuple[int, Origin]]:
    """:func:`origins` with the pyo3 engine: the values of each code of
    :data:`MAY_BE_STALE` keyed and judged once per key in Rust
    (``judged_once``), the origins found merged in position order."""
    found: list[tuple[int, Any]] = []
    for code, key, judge in (
        (INSTANCE, BY_TYPE, scan.instance_origin),  # every one is of a stale class
        (FUNCTION, BY_IDENTITY, scan.origin),
        (CLASS, BY_IDENTITY, scan.origin),
        (METHOD, BY_METHOD, scan.origin),
    ):
        if code in codes:
            found += judged_once(values, codes, code, key, judge)
    found.sort(key=_FIRST)
    return found


def origins_of_elements(
    scan: Scan, top: TypeCodes, owners: list[int], elements: list[Any]
) -> list[tuple[int, Origin]]:
    """``(owner, origin)`` of the distinct stale origins among ``elements``,
    each of the container at position ``owners[i]`` (:func:`_containers.flagged_elements`),
    each container's in the order first met (as :meth:`Scan.element_origins`)."""
    found = origins(scan, elements, top.codes_of(elements))
    at = map(owners.__getitem__, map(_FIRST, found))
    return list(dict.fromkeys(zip(at, map(_SECOND, found), strict=True)))


def one_by_one(scan: Scan, values: list[Any]) -> list[tuple[int, Origin]]:
    """What ``_stale.find`` finds, value by value (:meth:`Scan.origin`,
    :meth:`Scan.element_origins`): its way when a class is unhashable, and
    the reference its grouped passes are tested against."""
    found: list[tuple[int, Origin]] = []
    every = _AnyType()
    for index, value in enumerate(values):
        origin = scan.origin(value)
        if origin is not None:
            found.append((index, origin))
        elif type(value) in SEQUENCES or issubclass(type(value), dict):
            found += [(index, o) for o in scan.element_origins(value, every)]
    return found


class _AnyType(set[type]):
    """Stands for every type (``in`` is always true)."""

    def __contains__(self, item: object) -> bool:
        return True
