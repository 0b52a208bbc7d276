"""The containers' elements that the stale-name detection examines
(``_stale``): at most :data:`CONTAINER_LIMIT` of each top-level ``list``,
``tuple``, ``set``, ``frozenset`` (exact types) or ``dict`` (its values), the
first in iteration order. Two passes over them: which containers hold an
element of a wanted code (:func:`holding`), and those elements
(:func:`flagged_elements`). Both run in Rust with the pyo3 engine
(``_engine.containers_holding``, ``_engine.elements_with``), else in C loops
here; what a code means is the caller's table (:class:`_type_codes.TypeCodes`).
"""

from __future__ import annotations

import bisect
import gc
import itertools
import operator
from collections.abc import Iterable, Sequence
from typing import Any

from . import _engine
from ._type_codes import TypeCodes, pick, where

__all__ = ("CONTAINER_LIMIT", "SEQUENCES", "elements_of", "flagged_elements", "holding")

#: At most this many elements of each top-level container are examined.
CONTAINER_LIMIT = 1000

#: The container types examined besides ``dict`` (exact types only).
SEQUENCES = (list, tuple, set, frozenset)
_EXACT = frozenset({*SEQUENCES, dict})
# Types common among container elements, judged before the elements are.
_ATOMIC = (int, float, complex, str, bytes, bool, type(None), *SEQUENCES, dict)


def elements_of(container: object) -> Iterable[object]:
    """The elements examined of a container: a dict's values (through
    ``dict.values``: no override runs), a sequence's or set's items."""
    if issubclass(type(container), dict):
        return dict.values(container)  # type: ignore[arg-type]
    return container  # type: ignore[return-value]


def _all_below_256(lengths: list[int]) -> bool:
    """Whether every length is below 256 (one C pass: ``bytes``)."""
    try:
        bytes(lengths)
    except ValueError:
        return False
    return True


def holding(
    table: TypeCodes, values: list[Any], codes: bytes, container_code: int, wanted: bytes
) -> list[int]:
    """The positions, in order, of the values whose code in ``codes`` (one per
    value, ``table``'s) is ``container_code`` (exact ``list``, ``tuple``, ``set``,
    ``frozenset`` and ``dict`` values) that hold, among their first
    :data:`CONTAINER_LIMIT` elements, one whose type's code in ``table`` is in
    ``wanted``.

    With the pyo3 engine the pass runs in Rust (``_engine.containers_holding``),
    each container's elements read in iteration order up to the limit.
    Otherwise the elements of the containers within the limit (all their
    elements) are gathered in one C call, ``gc.get_referents``: a list's,
    tuple's and set's referents are its items (in some order), a dict whose
    keys are all strings refers to its values only, and no container gives
    fewer referents than its ``len()``; so when the total is the sum of the
    lengths, each gave exactly its elements (else, e.g. a dict with other
    keys also gave its keys, the elements are gathered by iteration). The
    longer containers' first elements are gathered one container at a time
    (``itertools.islice``). The elements' types are looked up in C
    (:meth:`_type_codes.TypeCodes.look_up` of a table of 1 for a type whose
    code is wanted), and the flagged ones mapped back to their container by
    the containers' lengths.

    :raises TypeError: an element's class is unhashable (its metaclass)."""
    if _engine.containers_holding is not None:
        return _engine.containers_holding(
            values, codes, container_code, table, wanted, CONTAINER_LIMIT
        )
    positions = where(codes, container_code)
    containers = pick(values, positions)
    flags = TypeCodes(lambda cls: int(table[cls] in wanted))
    flags.seed(itertools.chain(_ATOMIC, table))
    # Exact builtin types: their length, no user code runs (``length_hint``
    # costs half of ``len`` in Pyodide); ``bytes`` of the lengths fails when
    # one is over 255, only then is their maximum needed.
    lengths = list(map(operator.length_hint, containers))
    hits: list[int] = []
    within: Sequence[int] = range(len(containers))
    if not _all_below_256(lengths) and max(lengths) > CONTAINER_LIMIT:
        within = [i for i, length in enumerate(lengths) if length <= CONTAINER_LIMIT]
        for index in (i for i, length in enumerate(lengths) if length > CONTAINER_LIMIT):
            kinds = list(
                map(type, itertools.islice(elements_of(containers[index]), CONTAINER_LIMIT))
            )
            if 1 in flags.look_up(kinds):
                hits.append(index)
        containers = [containers[i] for i in within]
        lengths = [lengths[i] for i in within]
    if containers:
        elements = gc.get_referents(*containers)
        ends = list(itertools.accumulate(lengths))
        if len(elements) != ends[-1]:
            elements = list(itertools.chain.from_iterable(map(elements_of, containers)))
        flagged = flags.look_up(tuple(map(type, elements)))
        find = flagged.find
        at = find(1)
        while at >= 0:
            position = bisect.bisect_right(ends, at)
            hits.append(within[position])
            at = find(1, ends[position])
    return [positions[i] for i in sorted(hits)]


def flagged_elements(
    table: TypeCodes, values: list[Any], positions: list[int], wanted: bytes
) -> tuple[list[int], list[Any]]:
    """``(owners, elements)``: the elements whose type's code in ``table`` is
    in ``wanted`` among the first :data:`CONTAINER_LIMIT` of each container at
    ``positions`` of ``values`` (a dict's values, through ``dict.values``: a
    dict subclass's too), in order, each with its container's position in
    ``owners``. In Rust with the pyo3 engine for exact containers
    (``_engine.elements_with``).

    :raises TypeError: an element's class is unhashable (its metaclass)."""
    containers = pick(values, positions)
    if _engine.elements_with is not None and all(map(_EXACT.__contains__, map(type, containers))):
        return _engine.elements_with(values, positions, table, wanted, CONTAINER_LIMIT)
    gathered = list(
        map(
            list,
            map(itertools.islice, map(elements_of, containers), itertools.repeat(CONTAINER_LIMIT)),
        )
    )
    owners = list(
        itertools.chain.from_iterable(map(itertools.repeat, positions, map(len, gathered)))
    )
    elements = list(itertools.chain.from_iterable(gathered))
    kept = list(map(wanted.__contains__, table.look_up(list(map(type, elements)))))
    return list(itertools.compress(owners, kept)), list(itertools.compress(elements, kept))
