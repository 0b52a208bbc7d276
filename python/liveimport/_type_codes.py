"""Codes per type, looked up for many values in C loops.

The stale-name detection (``_stale``) sorts every value of a namespace, and
the elements of its containers, by what their type means (a container, a
function, an instance of an old class ...): tens of thousands of values after
a reload, in a few milliseconds inside Pyodide. Here the values' types are
mapped to codes by ``map(type, ...)`` and ``operator.itemgetter`` over a dict
of codes (:class:`TypeCodes`), giving one byte per value; positions of a code
are found in those bytes (:func:`where`) and values picked by position
(:func:`pick`). Python code runs once per distinct type, not per value. With
the pyo3 engine the same passes run in Rust (``_engine.type_codes``,
``_engine.code_positions``, ``_engine.containers_holding``,
``_engine.elements_with``; ``src/type_codes.rs``), judging each new type
through the same table.
"""

from __future__ import annotations

import itertools
import operator
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from . import _engine

__all__ = ("TypeCodes", "pick", "positions", "where")

#: Codes are below this (they are bytes of a mask; :func:`where` has a table each).
CODES = 8

# ``bytes.translate`` tables keeping one code (as 1) and zeroing the others.
_SELECT = [bytes(int(b == code) for b in range(256)) for code in range(CODES)]


class TypeCodes(dict[type, int]):
    """A small ``int`` (0 to 7) per type, given by ``judge(cls)`` the first
    time the type is looked up (``__missing__``)."""

    def __init__(self, judge: Callable[[type], int]) -> None:
        super().__init__()
        self.judge = judge

    def __missing__(self, cls: type) -> int:
        verdict = self[cls] = self.judge(cls)
        return verdict

    def codes_of(self, values: list[Any]) -> bytes:
        """``bytes(self[type(v)] for v in values)``, most of the types new:
        in Rust with the pyo3 engine (``_engine.type_codes``), else
        :meth:`look_up` of the values' types (``unseen``).

        :raises TypeError: a type is unhashable (a class, by its metaclass)."""
        if _engine.type_codes is not None:
            return _engine.type_codes(values, self)
        return self.look_up(list(map(type, values)), unseen=True)

    def look_up(self, keys: Sequence[type], *, unseen: bool = False) -> bytes:
        """``bytes(self[k] for k in keys)``, the look-ups done in C
        (``operator.itemgetter``): Python code runs once per new type only.
        ``unseen``: most types of ``keys`` are new (then, before 3.14, they
        are found with a ``set`` first, and looked up in one pass).

        :raises TypeError: a key is unhashable (a class, by its metaclass)."""
        if len(keys) < 2:
            return bytes([self[k] for k in keys])
        if not _SLOW_SUBCLASS_SUBSCRIPT:
            return bytes(operator.itemgetter(*keys)(self))
        known = dict(self)
        if unseen:  # every type judged first: one look-up pass, no retries
            self.seed(set(keys).difference(known))
            return bytes(operator.itemgetter(*keys)(dict(self)))
        parts = []
        retries = _RETRIES
        for start in range(0, len(keys), _CHUNK):
            chunk = keys[start : start + _CHUNK]
            if len(chunk) < 2:
                parts.append(bytes([self[k] for k in chunk]))
                continue
            getter = operator.itemgetter(*chunk)
            while retries:
                try:
                    parts.append(bytes(getter(known)))
                    break
                except KeyError as missing:  # a new type: judged, and the chunk again
                    retries -= 1
                    cls = missing.args[0]
                    known[cls] = self[cls]
            else:  # many new types: all those of the chunk at once
                for cls in set(chunk).difference(known):
                    known[cls] = self[cls]
                parts.append(bytes(getter(known)))
        return b"".join(parts)

    def seed(self, classes: Iterable[type]) -> None:
        """Judge ``classes`` now (the types likely to be looked up)."""
        for cls in classes:
            if cls not in self:
                self[cls] = self.judge(cls)

    def having(self, code: int) -> set[type]:
        """The types looked up so far whose code is ``code``."""
        return {cls for cls, value in self.items() if value == code}


#: Whether a C-level look-up in a dict subclass goes through the generic
#: ``__getitem__`` slot even when the class does not override it: before
#: CPython 3.14 (measured: 2.3 times slower than in a plain dict in
#: Pyodide 0.29, 1.3 times natively in 3.11; as fast in 3.14). There,
#: :meth:`TypeCodes.look_up` looks up in a plain copy, :data:`_CHUNK` keys
#: at a time: a new type (its ``KeyError``) is judged and the chunk looked
#: up again, :data:`_RETRIES` times in all; then a chunk's new types are
#: found with a ``set`` of its keys.
_SLOW_SUBCLASS_SUBSCRIPT = sys.version_info < (3, 14)
_CHUNK = 2048
_RETRIES = 16


def pick(values: list[Any], positions: list[int]) -> list[Any]:
    """``[values[i] for i in positions]`` in one C call."""
    if len(positions) > 1:
        return list(operator.itemgetter(*positions)(values))
    return [values[i] for i in positions]


#: ``tuple(range(n))`` for the largest namespace seen (up to
#: :data:`_INDEXES_MAX`): ``itertools.compress`` over it picks positions
#: without making an ``int`` per value, as iterating a ``range`` does.
_indexes: tuple[int, ...] = ()
_INDEXES_MAX = 1 << 16


def where(mask: bytes, code: int) -> list[int]:
    """The positions of ``code`` in ``mask``: ``bytes.find`` from one to the
    next when they are few, else one pass (``itertools.compress``)."""
    global _indexes
    count = mask.count(code)
    if not count:
        return []
    if count * 8 < len(mask):
        found: list[int] = []
        find = mask.find
        at = find(code)
        while at >= 0:
            found.append(at)
            at = find(code, at + 1)
        return found
    size = len(mask)
    if len(_indexes) < size <= _INDEXES_MAX:
        _indexes = tuple(range(size))
    indexes: Iterable[int] = _indexes if size <= len(_indexes) else range(size)
    return list(itertools.compress(indexes, mask.translate(_SELECT[code])))


def positions(codes: bytes, wanted: bytes) -> list[list[int]]:
    """The positions of each code of ``wanted`` (codes below :data:`CODES`)
    in ``codes``: one list per byte of ``wanted``, in that order, each
    ascending; a code listed twice gets its positions in the first list only.
    In Rust with the pyo3 engine (``_engine.code_positions``), else
    :func:`where`."""
    if _engine.code_positions is not None:
        return _engine.code_positions(codes, wanted)
    return [[] if code in wanted[:i] else where(codes, code) for i, code in enumerate(wanted)]
