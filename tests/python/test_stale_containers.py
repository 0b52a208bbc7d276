"""Stale names one level inside containers (issue 18): the shortcuts that make
the detection fast (container elements gathered with ``gc.get_referents``,
their types judged in C, the containers mapped back by their lengths) give
the entries that looking at each element gives. Rules: ``liveimport._stale``'s
docstring; the general cases are in ``test_stale.py``."""

from __future__ import annotations

import collections
import gc
import os

import liveimport
from liveimport import StaleName
from liveimport_fixtures import mods, ns, synced  # noqa: F401  (fixtures)
from test_stale import UNHASHABLE_CLASSES, load_shapes, reload_shapes


def entry(name, kind="instance", qualname="Square"):
    return StaleName(name, kind, "shapes", qualname, None)


def names(namespace):
    return [e.name for e in liveimport.stale(namespace)]


def test_dicts_with_other_keys_report_their_values_only(mods, ns):
    shapes = load_shapes(mods, ns)
    sq = shapes.Square()
    ns["plain"] = {"a": 1, "b": 2}  # str keys: the values alone are the referents
    ns["by_number"] = {1: sq, 2: 3}  # other keys: keys and values
    ns["keyed_by_old"] = {sq: "x", shapes.area: 2}  # old objects as keys only
    ns["after"] = [sq]
    reload_shapes(mods)
    assert liveimport.stale(ns) == [entry("by_number"), entry("after")]


def test_a_dict_given_an_old_object_after_it_held_only_plain_values(mods, ns):
    shapes = load_shapes(mods, ns)

    class Holder:
        pass

    holder = Holder()
    holder.n = 1
    ns["table"] = {"n": 1}
    ns["attributes"] = vars(holder)  # an instance's dict (shares its values)
    gc.collect()  # untracks dicts holding only plain values (before CPython 3.14)
    ns["table"]["sq"] = shapes.Square()
    holder.sq = shapes.Square()  # through the instance, not the dict
    reload_shapes(mods)
    assert liveimport.stale(ns) == [entry("table"), entry("attributes")]


def test_long_containers_are_examined_up_to_1000_elements(mods, ns):
    shapes = load_shapes(mods, ns)
    sq = shapes.Square()
    ns["short_before"] = [1, sq]
    ns["dict_within"] = {str(k): k for k in range(999)} | {"sq": sq}
    ns["dict_beyond"] = {str(k): k for k in range(1000)} | {"sq": sq}
    ns["tuple_within"] = (0,) * 999 + (sq,)
    ns["tuple_beyond"] = (0,) * 1000 + (sq,)
    ns["long_clean"] = [0] * 5000
    ns["empty"] = []
    ns["short_after"] = (sq, 2)
    ns["dict_int_keys_within"] = dict.fromkeys(range(999), 0) | {-1: sq}
    ns["dict_int_keys_beyond"] = dict.fromkeys(range(1000), 0) | {-1: sq}
    ns["long_list_within"] = [0] * 10 + [sq] + [0] * 2000
    ns["long_dict_within"] = {"sq": sq} | {str(k): k for k in range(1500)}
    ns["long_tuple_within"] = (0,) * 999 + (sq,) + (0,) * 5
    reload_shapes(mods)
    assert names(ns) == [
        "short_before",
        "dict_within",
        "tuple_within",
        "short_after",
        "dict_int_keys_within",
        "long_list_within",
        "long_dict_within",
        "long_tuple_within",
    ]


def test_many_containers_among_few_other_names(mods, ns):
    shapes = load_shapes(mods, ns)
    sq = shapes.Square()
    for k in range(40):  # most names are containers (another way to find them)
        ns[f"list{k}"] = [k, "x"] if k != 17 else [k, sq]
        ns[f"table{k}"] = {"k": k} if k != 29 else {"k": k, "old": shapes.Color.RED}
    ns["empty_list"] = []
    ns["empty_dict"] = {}
    ns["single"] = sq
    reload_shapes(mods)
    assert liveimport.stale(ns) == [
        entry("list17"),
        entry("table29", "enum member", "Color"),
        entry("single"),
    ]


def test_one_name_and_one_element(mods, ns):
    shapes = load_shapes(mods, ns)
    alone = {"only": [shapes.Square()]}
    single = {"one": shapes.Square()}
    reload_shapes(mods)
    assert liveimport.stale(alone) == [entry("only")]
    assert liveimport.stale(single) == [entry("one")]
    assert liveimport.stale({"none": []}) == []
    assert liveimport.stale({}) == []


def test_current_functions_and_classes_in_containers_are_not_reported(mods, ns):
    shapes = load_shapes(mods, ns)
    ns["old"] = [shapes.area, shapes.Square, len, int]
    reload_shapes(mods)
    ns["new"] = [ns["shapes"].area, ns["shapes"].Square, len, int]
    ns["new_table"] = {"f": ns["shapes"].area, "builtins": len}
    assert liveimport.stale(ns) == [entry("old", "function", "area"), entry("old", "class")]


def test_dict_subclasses_run_none_of_their_methods(mods, ns):
    shapes = load_shapes(mods, ns)

    class Guarded(dict):
        def values(self):
            raise AssertionError("values() ran")

        def __iter__(self):
            raise AssertionError("__iter__ ran")

        def __len__(self):
            raise AssertionError("__len__ ran")

        def __getitem__(self, key):
            raise AssertionError("__getitem__ ran")

    guarded = Guarded(a=1)
    dict.__setitem__(guarded, "sq", shapes.Square())
    ns["guarded"] = guarded
    ns["ordered"] = collections.OrderedDict(a=shapes.area)
    ns["counts"] = collections.Counter(a=1)
    ns["beyond"] = Guarded((str(k), k) for k in range(1000))
    dict.__setitem__(ns["beyond"], "sq", shapes.Square())
    reload_shapes(mods)
    assert liveimport.stale(ns) == [entry("guarded"), entry("ordered", "function", "area")]


def test_an_old_dict_subclass_is_reported_itself_not_its_values(mods, ns):
    mods.write("tables.py", "class Table(dict):\n    pass\n\nclass Row:\n    pass\n")
    mods.load(ns, "import tables")
    tables = ns["tables"]
    ns["old_table"] = tables.Table(row=tables.Row())
    ns["new_dict"] = {"row": tables.Row()}
    mods.write("tables.py", "class Table(dict):\n    pass\n\nclass Row:\n    size = 2\n")
    assert [e.module for e in synced()] == ["tables"]
    ns["new_table"] = ns["tables"].Table(row=ns["new_dict"]["row"])
    assert liveimport.stale(ns) == [
        StaleName("old_table", "instance", "tables", "Table", None),
        StaleName("new_dict", "instance", "tables", "Row", None),
        StaleName("new_table", "instance", "tables", "Row", None),
    ]


def test_the_same_container_under_two_names_and_private_containers(mods, ns):
    shapes = load_shapes(mods, ns)
    shared = [shapes.Square()]
    ns["first"] = shared
    ns["_hidden"] = shared
    ns["second"] = shared
    builtins = {"len": len, "int": int, "old": shapes.Square()}
    reload_shapes(mods)
    ns["__builtins__"] = builtins  # as exec() puts there: a dict
    assert names(ns) == ["first", "second"]


def test_unhashable_classes_inside_long_containers_and_dicts(mods, ns):
    source = UNHASHABLE_CLASSES
    mods.write("odd.py", source)
    mods.load(ns, "import odd")
    ns["long"] = [0] * 1500 + [ns["odd"].Odd()]
    ns["table"] = {"odd": ns["odd"].Odd()}
    ns["near"] = [0] * 999 + [ns["odd"].Odd()]
    mods.write("odd.py", source + "VERSION = 2\n")
    assert [e.module for e in synced()] == ["odd"]
    assert [(e.name, e.kind) for e in liveimport.stale(ns)] == [
        ("table", "instance"),
        ("near", "instance"),
    ]


class _UnhashableMeta(type):
    def __eq__(cls, other):  # no __hash__: its classes are unhashable
        return cls is other


class _Unhashable(metaclass=_UnhashableMeta):
    """Not from a reloaded module: never reported; in a namespace, it makes
    the detection look at one value at a time (no C-loop shortcut)."""


def _random_element(rng, pools):
    return rng.choice(rng.choice(pools))


def _random_container(rng, plain, pools):
    """A list, tuple, set, frozenset, dict (str or int keys) or OrderedDict,
    mostly of plain values, sometimes longer than 1,000, with up to two
    elements drawn from ``pools`` (old objects among them)."""
    size = (
        rng.choice([0, 1, 2, 10, 999, 1000, 1001, 1500])
        if rng.random() < 0.2
        else rng.randrange(12)
    )
    items = [rng.choice(plain) for _ in range(size)]
    for _ in range(rng.randrange(3)):
        if items:
            items[rng.randrange(len(items))] = _random_element(rng, pools)
    kind = rng.choice(["list", "tuple", "set", "frozenset", "dict", "intdict", "ordered"])
    if kind in ("set", "frozenset"):
        hashable = [x for x in items if isinstance(x, collections.abc.Hashable)]
        return set(hashable) if kind == "set" else frozenset(hashable)
    if kind == "dict":
        return {f"k{k}": x for k, x in enumerate(items)}
    if kind == "intdict":
        return dict(enumerate(items))
    if kind == "ordered":
        return collections.OrderedDict((f"k{k}", x) for k, x in enumerate(items))
    return tuple(items) if kind == "tuple" else items


def test_same_entries_as_one_value_at_a_time_on_random_namespaces(mods, ns):
    import random

    shapes = load_shapes(mods, ns)
    old = [
        shapes.Square(),
        shapes.Shape(),
        shapes.Color.RED,
        shapes.area,
        shapes.Square,
        shapes.Square().area,
        shapes.Square.unit,
    ]
    reload_shapes(mods)
    new_shapes = ns["shapes"]
    new = [
        new_shapes.Square(),
        new_shapes.Color.RED,
        new_shapes.area,
        new_shapes.Square,
        new_shapes.Square().area,  # a current method, grouped with the old ones' owners
        new_shapes.Square.unit,
    ]
    plain = [0, 1, 2.5, "text", None, True, b"x", (1, 2), len, int, [3], {"k": 1}]
    plain += [new_shapes, os.path.join, collections.OrderedDict(v=old[0])]
    pools = [plain, plain, plain, new, old]
    for seed in range(4):
        rng = random.Random(seed)
        namespace = {}
        for k in range(300):
            name = f"{'_' if rng.random() < 0.05 else 'v'}{k}"
            if rng.random() < 0.5:
                namespace[name] = _random_container(rng, plain, pools)
            else:
                namespace[name] = _random_element(rng, pools)
        fast = liveimport.stale(namespace)
        namespace["zz_unhashable"] = _Unhashable()
        assert liveimport.stale(namespace) == fast, f"seed {seed}"
        containers = (list, tuple, set, frozenset, dict)
        inside = [e for e in fast if isinstance(namespace[e.name], containers)]
        assert inside and len(inside) < len(fast), f"seed {seed}: {fast}"


def test_a_value_claiming_another_class_is_judged_by_its_real_type(mods, ns):
    """``__class__`` can lie (``isinstance(odd, type)`` is true here); the
    detection reads ``type()`` only, so an old ``Table`` is an old instance
    whatever it claims, and its ``__class__`` property never runs."""
    source = """\
class Table(dict):
    @property
    def __class__(self):
        raise AssertionError("user code ran")

class Claims:
    @property
    def __class__(self):
        return type

    def method(self):
        pass

class Row:
    pass
"""
    mods.write("tables.py", source)
    mods.load(ns, "import tables")
    tables = ns["tables"]
    ns["odd"] = tables.Table(row=tables.Row())
    ns["claims"] = tables.Claims()
    ns["bound"] = tables.Claims().method
    ns["held"] = [tables.Claims()]
    mods.write("tables.py", source + "VERSION = 2\n")
    assert [e.module for e in synced()] == ["tables"]
    assert liveimport.stale(ns) == [
        StaleName("odd", "instance", "tables", "Table", None),
        StaleName("claims", "instance", "tables", "Claims", None),
        StaleName("bound", "method", "tables", "Claims.method", None),
        StaleName("held", "instance", "tables", "Claims", None),
    ]
