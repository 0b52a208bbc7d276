"""The stale-name detection's code passes (``liveimport._type_codes``): the
pyo3 engine runs them in Rust (``_engine.type_codes``,
``_engine.containers_holding``; ``src/type_codes.rs``), the wasm-bindgen
engine in Python. Both must give the same codes, the same containers and the
same judged types; what a user sees, ``liveimport.stale()``, must not depend
on which ran."""

from __future__ import annotations

import collections
import gc
import operator
import random

import pytest

import liveimport
from liveimport import StaleName, _containers, _engine, _origins, _stale
from liveimport._type_codes import TypeCodes, positions
from liveimport_fixtures import mods, ns  # noqa: F401  (fixtures)
from test_stale import load_shapes, reload_shapes
from test_stale_containers import _random_container, _random_element

RUST = pytest.mark.skipif(
    _engine.type_codes is None, reason="the code passes run in Rust with the pyo3 engine only"
)


class Counted(TypeCodes):
    """A table whose judge counts its calls per type: code 1 for ``bool``,
    ``float`` and classes named ``Flag*``, else 0."""

    def __init__(self) -> None:
        self.calls: collections.Counter[type] = collections.Counter()
        super().__init__(self._judge)

    def _judge(self, cls: type) -> int:
        self.calls[cls] += 1
        return int(cls in (bool, float) or cls.__name__.startswith("Flag"))


class FlagA:
    pass


class FlagB:
    pass


class Other:
    pass


def python_passes(monkeypatch):
    """Make ``_type_codes`` and ``_stale`` run the passes in Python (as with
    the wasm-bindgen engine)."""
    for name in (
        "type_codes",
        "code_positions",
        "containers_holding",
        "elements_with",
        "judged_once",
        "new_instances",
    ):
        monkeypatch.setattr(_engine, name, None)


def holding(containers, table, code, limit):
    """``_engine.containers_holding`` over all of ``containers``, looking for
    an element of code ``code``."""
    assert _engine.containers_holding is not None
    every = bytes([_origins.CONTAINER]) * len(containers)
    return _engine.containers_holding(
        containers, every, _origins.CONTAINER, table, bytes([code]), limit
    )


@RUST
def test_type_codes_give_each_value_its_types_code_and_judge_each_type_once():
    table = Counted()
    table[int] = 0
    values = [1, 2.5, "s", True, FlagA(), 3, FlagA(), Other(), None]
    assert _engine.type_codes(values, table) == bytes([0, 1, 0, 1, 1, 0, 1, 0, 0])
    assert table.calls == {float: 1, str: 1, bool: 1, FlagA: 1, Other: 1, type(None): 1}
    assert _engine.type_codes(values, table) == bytes([0, 1, 0, 1, 1, 0, 1, 0, 0])
    assert max(table.calls.values()) == 1
    assert _engine.type_codes([], table) == b""


@RUST
def test_containers_holding_reads_each_kind_of_container_up_to_the_limit():
    table = Counted()
    long = [0] * 1000 + [FlagA()]
    containers = [
        [1, 2],
        (3, FlagA()),
        {4, 5.0},
        frozenset({"x"}),
        {"k": 1, "v": FlagB()},
        {FlagA(): 1},  # a dict's keys are not looked at
        long,
        [*long[:999], FlagB()],
        [],
    ]
    assert holding(containers, table, 1, 1000) == [1, 2, 4, 7]
    # Every type among the elements looked at is judged, after a hit too; none beyond the limit.
    assert set(table.calls) == {int, float, str, FlagA, FlagB}
    assert holding(containers, table, 0, 1000) == [0, 1, 2, 3, 4, 5, 6, 7]


@RUST
def test_containers_holding_refuses_other_containers_and_bad_codes():
    table = Counted()
    with pytest.raises(TypeError, match="exact list, tuple, set, frozenset or dict: OrderedDict"):
        holding([[1], collections.OrderedDict(a=1)], table, 1, 1000)
    bad = TypeCodes(lambda cls: 300)
    with pytest.raises(OverflowError):
        _engine.type_codes([1], bad)
    with pytest.raises(OverflowError):
        holding([[1]], bad, 1, 1000)


@RUST
def test_code_positions_group_the_positions_by_code(monkeypatch):
    codes = bytes([0, 1, 4, 1, 2, 0, 4])
    assert _engine.code_positions(codes, bytes([4, 1])) == [[2, 6], [1, 3]]
    assert _engine.code_positions(codes, bytes([2, 7, 2])) == [[4], [], []]
    assert _engine.code_positions(b"", bytes([0])) == [[]]
    monkeypatch.setattr(_engine, "code_positions", None)  # the Python way
    assert positions(codes, bytes([4, 1])) == [[2, 6], [1, 3]]
    assert positions(codes, bytes([2, 7, 2])) == [[4], [], []]


@RUST
def test_containers_holding_reads_the_values_of_the_container_code_only():
    values = [[FlagA()], "not a container", [1], (FlagB(),), {"k": FlagA()}]
    codes = bytes([1, 0, 1, 1, 2])  # the dict's code is not the containers' one
    assert _engine.containers_holding(values, codes, 1, Counted(), b"\x01", 1000) == [0, 3]
    assert _engine.containers_holding(values, codes, 1, Counted(), b"", 1000) == []
    # Elements of either code: ints (0) and flagged ones (1).
    assert _engine.containers_holding(values, codes, 1, Counted(), b"\x00\x01", 1000) == [0, 2, 3]
    with pytest.raises(TypeError, match="exact list, tuple, set, frozenset or dict: str"):
        _engine.containers_holding(values, codes, 0, Counted(), b"\x01", 1000)
    with pytest.raises(ValueError, match="4 codes for 5 values"):
        _engine.containers_holding(values, codes[:4], 1, Counted(), b"\x01", 1000)


@RUST
def test_elements_with_gives_the_flagged_elements_themselves_with_their_owner():
    a, b, c = FlagA(), FlagB(), FlagA()
    long = [0] * 999 + [c, FlagB()]  # the 1,001st element is beyond the limit
    values = [[1, a, "s", b], "skipped", {"k": c, "n": 2}, {b}, (), long, frozenset({1})]
    owners, elements = _engine.elements_with(values, [0, 2, 3, 4, 5, 6], Counted(), b"\x01", 1000)
    assert owners == [0, 0, 2, 3, 5]
    assert list(map(id, elements)) == list(map(id, [a, b, c, b, c]))
    with pytest.raises(TypeError, match="OrderedDict"):
        _engine.elements_with([collections.OrderedDict(a=a)], [0], Counted(), b"\x01", 1000)
    with pytest.raises(TypeError, match="unhashable"):
        _engine.elements_with([[_UnhashableMeta("U", (), {})()]], [0], Counted(), b"\x01", 1000)
    with pytest.raises(IndexError):
        _engine.elements_with(values, [7], Counted(), b"\x01", 1000)


class _UnhashableMeta(type):
    __hash__ = None  # type: ignore[assignment]


class Owner:
    def method(self):
        pass

    def other(self):
        pass

    @classmethod
    def build(cls):
        pass


class Judge:
    """Records what it judges; a verdict for those of ``old`` (by identity)."""

    def __init__(self, *old):
        self.old = old
        self.judged = []

    def __call__(self, value):
        self.judged.append(value)
        return ("old", len(self.judged)) if any(value is o for o in self.old) else None


def judged(values, picked, key, judge):
    """``_engine.judged_once`` over the values at ``picked`` (code 1, the others 0)."""
    codes = bytes(int(i in picked) for i in range(len(values)))
    return _engine.judged_once(values, codes, 1, key, judge)


@RUST
def test_judged_once_judges_each_type_once_by_identity():
    a, b, c = FlagA(), FlagB(), FlagA()
    odd = _UnhashableMeta("Odd", (), {})
    values = [a, "skipped", b, c, odd(), odd()]
    judge = Judge(FlagA, odd)
    found = judged(values, [0, 2, 3, 4, 5], _origins.BY_TYPE, judge)
    assert found == [(0, ("old", 1)), (3, ("old", 1)), (4, ("old", 3)), (5, ("old", 3))]
    assert judge.judged == [FlagA, FlagB, odd]  # first met order, no hash of a class


@RUST
def test_judged_once_by_identity_and_by_method():
    def f():
        pass

    def g():
        pass

    judge = Judge(f)
    found = judged([f, g, f, g, f], [0, 1, 2, 3, 4], _origins.BY_IDENTITY, judge)
    assert found == [(0, ("old", 1)), (2, ("old", 1)), (4, ("old", 1))]
    assert judge.judged == [f, g]
    first, second = Owner(), Owner()
    methods = [first.method, second.method, first.other, Owner.build, 0, Owner.build]
    judge = Judge(methods[0], methods[3])
    found = judged(methods, [0, 1, 2, 3, 5], _origins.BY_METHOD, judge)
    # One group per (owner class, function): the same verdict for the two instances' method.
    assert found == [(0, ("old", 1)), (1, ("old", 1)), (3, ("old", 3)), (5, ("old", 3))]
    assert judge.judged == [methods[0], methods[2], methods[3]]


@RUST
def test_judged_once_errors():
    def fails(value):
        raise LookupError("judge failed")

    with pytest.raises(ValueError, match="key must be 0"):
        judged([1], [0], 3, Judge())
    with pytest.raises(ValueError, match="2 codes for 1 values"):
        _engine.judged_once([1], b"\x01\x01", 1, _origins.BY_TYPE, Judge())
    with pytest.raises(TypeError, match="not a bound method: builtin_function_or_method"):
        judged([len, Owner().method], [0, 1], _origins.BY_METHOD, Judge())
    with pytest.raises(LookupError, match="judge failed"):
        judged([1], [0], _origins.BY_IDENTITY, fails)
    assert judged([1], [], _origins.BY_TYPE, fails) == []


@RUST
def test_an_unhashable_class_raises_type_error_from_both_passes():
    unhashable = _UnhashableMeta("Unhashable", (), {})
    with pytest.raises(TypeError, match="unhashable"):
        _engine.type_codes([unhashable()], Counted())
    with pytest.raises(TypeError, match="unhashable"):
        holding([[1, unhashable()]], Counted(), 1, 1000)


@RUST
def test_a_judge_that_keeps_adding_new_types_stops_with_type_error():
    """Judging runs Python code; one that puts an element of a new type in a
    container every time cannot keep the pass going (the kernel never waits
    forever on us)."""
    box: list[object] = [1]

    def judge(cls: type) -> int:
        box.append(type(f"New{len(box)}", (), {})())
        return 0

    with pytest.raises(TypeError, match="kept changing"):
        holding([box], TypeCodes(judge), 1, 100_000)


class _Finalized:
    """Cyclic garbage whose finalizer changes a container being read."""

    def __init__(self, victim: dict[str, object]) -> None:
        self.cycle = self
        self.victim = victim

    def __del__(self) -> None:
        self.victim.clear()
        self.victim["new"] = FlagA()


@RUST
def test_no_collection_runs_finalizers_during_a_pass():
    """A pass allocates (a set's iterator), and a collection then would run
    finalizers: here one that empties a dict being read. The collector is off
    during a pass and put back as it was after."""
    victim = {"a": 1, "b": 2}
    containers = [victim, *({k} for k in range(200))]
    every = bytes([_origins.CONTAINER]) * len(containers)  # made before the garbage is
    table = Counted()
    table[int] = 0  # nothing to judge: one pass
    threshold = gc.get_threshold()
    gc.collect()
    gc.disable()  # the garbage is made first, with no collection
    for _ in range(50):
        _Finalized(victim)
    gc.set_threshold(1)
    gc.enable()
    try:
        assert (
            _engine.containers_holding(containers, every, _origins.CONTAINER, table, b"\x01", 1000)
            == []
        )
        assert gc.isenabled()
    finally:
        gc.set_threshold(*threshold)
    gc.collect()
    assert list(victim) == ["new"]  # the finalizers ran, after the pass
    gc.disable()
    try:
        assert holding([[FlagA()]], Counted(), 1, 1000) == [0]
        assert not gc.isenabled()
    finally:
        gc.enable()


def _namespace(seed, plain, pools):
    rng = random.Random(seed)
    namespace = {}
    for k in range(300):
        if rng.random() < 0.5:
            namespace[f"v{k}"] = _random_container(rng, plain, pools)
        else:
            namespace[f"v{k}"] = _random_element(rng, pools)
    return namespace


@RUST
def test_rust_and_python_passes_agree_on_random_containers(monkeypatch):
    plain = [0, 1, 2.5, "text", None, True, b"x", (1, 2), len, int, [3], {"k": 1}]
    pools = [plain, plain, [FlagA(), FlagB(), Other(), FlagA]]
    for seed in range(6):
        containers = [
            c
            for c in _namespace(seed, plain, pools).values()
            if type(c) in (list, tuple, set, frozenset, dict)
        ]
        values = [v for c in containers for v in _containers.elements_of(c)]
        rust_table, python_table = Counted(), Counted()

        def passes(table, containers=containers, values=values):
            every = bytes([_origins.CONTAINER]) * len(containers)
            everywhere = list(range(len(containers)))
            return (
                _containers.holding(table, containers, every, _origins.CONTAINER, b"\x01"),
                table.codes_of(values),
                _containers.flagged_elements(table, containers, everywhere, b"\x01"),
                positions(table.codes_of(values), bytes([1, 0])),
            )

        rust = passes(rust_table)
        with monkeypatch.context() as patch:
            python_passes(patch)
            python = passes(python_table)
        assert rust[:2] == python[:2], f"seed {seed}"
        assert rust[2][0] == python[2][0], f"seed {seed}"  # the same owners ...
        assert all(map(operator.is_, rust[2][1], python[2][1])), f"seed {seed}"  # ... elements
        assert rust[3] == python[3], f"seed {seed}"
        assert rust[0], f"seed {seed}: no container holds a flagged element"
        assert rust_table.having(1) == python_table.having(1), f"seed {seed}"


def test_stale_entries_are_the_same_whichever_passes_ran(mods, ns, monkeypatch):
    """``liveimport.stale()`` through the engine's passes (Rust with pyo3) and
    through the Python ones, on random namespaces of old and new objects."""
    shapes = load_shapes(mods, ns)
    old = [shapes.Square(), shapes.Color.RED, shapes.area, shapes.Square, shapes.Square().area]
    old += [shapes.Square.unit, shapes.Shape().area]
    reload_shapes(mods)
    current = ns["shapes"]
    new = [current.Square(), current.area, current.Square().area, current.Square.unit]
    plain = [0, 1, 2.5, "text", None, True, (1, 2), len, [3], {"k": 1}]
    for seed in range(4):
        namespace = _namespace(seed, plain, [plain, plain, new, old])
        engine = liveimport.stale(namespace)
        with monkeypatch.context() as patch:
            python_passes(patch)
            assert liveimport.stale(namespace) == engine, f"seed {seed}"
        assert any(isinstance(namespace[e.name], list) for e in engine), f"seed {seed}"


@RUST
def test_new_instances_are_made_as_object_new_and_setattr_make_them():
    columns = [["a", "b"], [("instance", "m", "C"), ("class", "m", "D")], [1, None]]
    made = _engine.new_instances(StaleName, _stale._COLUMNS, columns)
    assert made == [
        StaleName("a", "instance", "m", "C", 1),
        StaleName("b", "class", "m", "D", None),
    ]
    assert [type(e) for e in made] == [StaleName, StaleName]
    assert list(vars(made[0])) == list(_stale._FIELDS)
    flat = _engine.new_instances(StaleName, _stale._FIELDS, [["a"], ["kind"], ["m"], ["Q"], [2]])
    assert flat == [StaleName("a", "kind", "m", "Q", 2)]
    assert _engine.new_instances(StaleName, _stale._FIELDS, [[]] * 5) == []

    class Slotted:
        __slots__ = ("x", "y")

        def __init__(self):
            raise AssertionError("__init__ ran")

        def __setattr__(self, name, value):
            raise AssertionError("__setattr__ ran")

    [one] = _engine.new_instances(Slotted, (("x", "y"),), [[(5, 6)]])
    assert (one.x, one.y) == (5, 6)


@RUST
def test_new_instances_errors():
    class OwnNew:
        def __new__(cls):
            return super().__new__(cls)

    class Number(int):
        pass

    with pytest.raises(TypeError, match=r"OwnNew is not made by object\.__new__"):
        _engine.new_instances(OwnNew, (), [])
    with pytest.raises(TypeError, match=r"Number is not made by object\.__new__"):
        _engine.new_instances(Number, ("x",), [[1]])
    with pytest.raises(ValueError, match="2 fields for 1 columns"):
        _engine.new_instances(Owner, ("a", "b"), [[1]])
    with pytest.raises(ValueError, match="the columns differ in length"):
        _engine.new_instances(Owner, ("a", "b"), [[1], [1, 2]])
    with pytest.raises(TypeError, match="a field is a str or a tuple of str"):
        _engine.new_instances(Owner, (1,), [[1]])
    with pytest.raises(TypeError, match="a value to unpack is not a tuple"):
        _engine.new_instances(Owner, (("a", "b"),), [[[1, 2]]])
    with pytest.raises(ValueError, match="3 values to unpack into 2 fields"):
        _engine.new_instances(Owner, (("a", "b"),), [[(1, 2, 3)]])
    with pytest.raises(AttributeError):
        _engine.new_instances(object, ("x",), [[1]])  # no __dict__
