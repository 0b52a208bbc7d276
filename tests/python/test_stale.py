"""Stale names (issue 18): ``liveimport.stale()`` names the variables still
holding objects of an earlier version of a reloaded module, without changing
what is reloaded or rebound. Notebook behaviour is in ``test_notebook_stale.py``."""

from __future__ import annotations

import copy
import dataclasses
import pickle

import pytest

import liveimport
import liveimport._cells
import liveimport._stale
from liveimport import StaleName
from liveimport_fixtures import mods, ns, synced  # noqa: F401  (fixtures)

SHAPES_V1 = """\
import enum

class Shape:
    def area(self):
        return 0

class Square(Shape):
    side = 1
    def area(self):
        return self.side ** 2
    @classmethod
    def unit(cls):
        return cls()

class Color(enum.Enum):
    RED = 1

def area(shape):
    return shape.area()
"""

SHAPES_V2 = SHAPES_V1.replace("return self.side ** 2", "return self.side * self.side")


def load_shapes(mods, ns, statements="import shapes"):
    mods.write("shapes.py", SHAPES_V1)
    mods.load(ns, statements)
    return ns["shapes"] if "shapes" in ns else __import__("shapes")


def reload_shapes(mods):
    mods.write("shapes.py", SHAPES_V2)
    assert [e.module for e in synced()] == ["shapes"]


def entry(name, kind, qualname, module="shapes"):
    return StaleName(name, kind, module, qualname, None)


def test_instance_of_a_replaced_class(mods, ns):
    shapes = load_shapes(mods, ns)
    ns["sq"] = shapes.Square()
    reload_shapes(mods)
    assert liveimport.stale(ns) == [entry("sq", "instance", "Square")]
    assert not isinstance(ns["sq"], ns["shapes"].Square)  # LiveImport's semantics, unchanged


def test_classes_and_functions_bound_under_other_names(mods, ns):
    shapes = load_shapes(mods, ns)
    ns["OldSq"] = shapes.Square
    ns["f"] = shapes.area
    reload_shapes(mods)
    assert liveimport.stale(ns) == [
        entry("OldSq", "class", "Square"),
        entry("f", "function", "area"),
    ]


def test_enum_members_and_bound_methods(mods, ns):
    shapes = load_shapes(mods, ns)
    ns["red"] = shapes.Color.RED
    ns["m"] = shapes.Square().area
    ns["unit"] = shapes.Square.unit
    reload_shapes(mods)
    assert ns["red"] != ns["shapes"].Color.RED
    assert liveimport.stale(ns) == [
        entry("red", "enum member", "Color"),
        entry("m", "method", "Square.area"),
        entry("unit", "method", "Square.unit"),
    ]


def test_one_level_inside_containers(mods, ns):
    shapes = load_shapes(mods, ns)
    sq = shapes.Square()
    ns["items"] = [1, sq]
    ns["pair"] = (shapes.area, 2)
    ns["table"] = {"a": shapes.Color.RED}
    ns["group"] = {sq}
    ns["nested"] = [[sq]]  # two levels down: not examined
    ns["mixed"] = [sq, shapes.Square(), shapes.Shape()]
    reload_shapes(mods)
    assert liveimport.stale(ns) == [
        entry("items", "instance", "Square"),
        entry("pair", "function", "area"),
        entry("table", "enum member", "Color"),
        entry("group", "instance", "Square"),
        entry("mixed", "instance", "Square"),
        entry("mixed", "instance", "Shape"),
    ]


def test_containers_are_examined_up_to_1000_elements(mods, ns):
    shapes = load_shapes(mods, ns)
    sq = shapes.Square()
    ns["within"] = [0] * 999 + [sq]
    ns["beyond"] = [0] * 1000 + [sq]
    reload_shapes(mods)
    assert [e.name for e in liveimport.stale(ns)] == ["within"]


def test_registered_names_modules_private_and_current_objects_are_not_reported(mods, ns):
    shapes = load_shapes(mods, ns, "import shapes\nfrom shapes import Square, area\n")
    import json

    ns["_private"] = shapes.Square()
    ns["json_module"] = json
    ns["decoder"] = json.JSONDecoder()  # not from a reloaded module
    ns["n"] = 3
    reload_shapes(mods)
    ns["fresh"] = ns["shapes"].Square()  # made after the reload
    ns["g"] = ns["area"]  # the rebound (new) function
    assert ns["Square"] is ns["shapes"].Square
    assert liveimport.stale(ns) == []


MODULE_TYPES = """\
import types

class Plugin(types.ModuleType):
    pass

class Widget:
    pass
"""


def test_modules_hidden_and_skipped_names_are_left_out_of_the_entries(mods, ns):
    """A module of an old module type is never reported (a list holding it
    is); nor a name bound to its hidden value (IPython's ``Out``), one the
    registered statements rebind (``skip``), or a key that is not a string."""
    mods.write("plugins.py", MODULE_TYPES)
    mods.load(ns, "import plugins")
    plugins = ns["plugins"]
    plugin, widget = plugins.Plugin("plugin"), plugins.Widget()
    namespace = dict(ns)
    namespace.update(plugin=plugin, in_list=[plugin], widget=widget, shown=widget)
    namespace.update(kept=[widget], Out=widget, _=widget)
    namespace[1] = widget
    mods.write("plugins.py", MODULE_TYPES + "VERSION = 2\n")
    assert [e.module for e in synced()] == ["plugins"]
    found = liveimport._stale.find(
        namespace,
        frozenset({"plugins"}),
        skip={"kept"},
        hidden={"Out": widget, "shown": object()},
    )
    assert [(e.name, e.kind, e.qualname) for e in found] == [
        ("in_list", "instance", "Plugin"),
        ("widget", "instance", "Widget"),
        ("shown", "instance", "Widget"),
    ]


def test_remade_objects_leave_the_list(mods, ns):
    shapes = load_shapes(mods, ns)
    ns["a"] = shapes.Square()
    ns["b"] = shapes.Square()
    reload_shapes(mods)
    assert [e.name for e in liveimport.stale(ns)] == ["a", "b"]
    ns["a"] = ns["shapes"].Square()
    assert [e.name for e in liveimport.stale(ns)] == ["b"]


def test_a_failed_reload_leaves_nothing_stale(mods, ns):
    shapes = load_shapes(mods, ns)
    ns["c"] = shapes.Color.RED
    mods.write("shapes.py", SHAPES_V1 + "raise RuntimeError('broken')\n")
    with pytest.raises(liveimport.ModuleError):
        liveimport.sync()
    assert liveimport.stale(ns) == []  # the module was restored: nothing is old
    reload_shapes(mods)
    assert liveimport.stale(ns) == [entry("c", "enum member", "Color")]


def test_classes_made_from_a_module_class_follow_their_base(mods, ns):
    def parametrised(base):  # as generic aliases are made (``Model[int]``)
        return type(f"{base.__name__}[int]", (base,), {"__module__": "shapes"})

    shapes = load_shapes(mods, ns)
    ns["old"] = parametrised(shapes.Square)()
    reload_shapes(mods)
    ns["new"] = parametrised(ns["shapes"].Square)()
    assert liveimport.stale(ns) == [entry("old", "instance", "Square[int]")]


def test_nothing_before_a_reload(mods, ns):
    shapes = load_shapes(mods, ns)
    ns["sq"] = shapes.Square()
    assert liveimport.stale(ns) == []
    assert liveimport.stale() == []


def test_without_ipython_none_means_every_registered_namespace(mods, monkeypatch):
    monkeypatch.setattr(liveimport._cells, "active", lambda: None)  # as in plain Python
    first: dict = {}
    second: dict = {}
    shapes = load_shapes(mods, first)
    mods.load(second, "import shapes")
    first["x"] = shapes.Square()
    second["y"] = shapes.area
    unregistered = {"z": shapes.Square()}
    reload_shapes(mods)
    assert liveimport.stale() == [entry("x", "instance", "Square"), entry("y", "function", "area")]
    assert liveimport.stale(unregistered) == [entry("z", "instance", "Square")]


def test_a_module_reloaded_as_a_dependency_counts(mods, ns):
    mods.write("base.py", "class Unit:\n    pass\n")
    mods.write("user.py", "import base\nVALUE = 1\n")
    mods.load(ns, "import user")
    ns["u"] = __import__("base").Unit()
    mods.write("base.py", "class Unit:\n    size = 2\n")
    assert [e.module for e in synced()] == ["base", "user"]
    assert liveimport.stale(ns) == [entry("u", "instance", "Unit", module="base")]


def test_stale_name_shape_and_errors(mods, ns):
    name = StaleName("sq", "instance", "shapes", "Square", 4)
    assert name.to_json() == {
        "name": "sq",
        "kind": "instance",
        "module": "shapes",
        "qualname": "Square",
        "cell": 4,
    }
    with pytest.raises(AttributeError):
        name.cell = 5  # type: ignore[misc]
    with pytest.raises(TypeError):
        liveimport.stale([])  # type: ignore[arg-type]
    assert "stale" in liveimport.__all__ and "StaleName" in liveimport.__all__


def test_found_entries_are_the_same_as_constructed_ones(mods, ns):
    shapes = load_shapes(mods, ns)
    ns["sq"] = shapes.Square()
    reload_shapes(mods)
    [found] = liveimport.stale(ns)
    made = entry("sq", "instance", "Square")
    assert type(found) is StaleName
    assert list(vars(found).items()) == list(vars(made).items())  # same fields, same order
    assert (found, hash(found), repr(found)) == (made, hash(made), repr(made))
    assert copy.copy(found) == made and pickle.loads(pickle.dumps(found)) == made
    assert dataclasses.replace(found, cell=3) == StaleName("sq", "instance", "shapes", "Square", 3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        found.name = "other"  # type: ignore[misc]


#: A module whose classes are unhashable: their metaclass defines ``__eq__``
#: without ``__hash__``.
UNHASHABLE_CLASSES = """\
class Meta(type):
    def __eq__(cls, other):  # no __hash__: its classes are unhashable
        return cls is other

class Odd(metaclass=Meta):
    pass
"""


def test_classes_made_unhashable_by_their_metaclass(mods, ns):
    source = UNHASHABLE_CLASSES
    mods.write("odd.py", source)
    mods.load(ns, "import odd")
    ns["old"] = ns["odd"].Odd()
    ns["items"] = [ns["odd"].Odd()]
    mods.write("odd.py", source + "VERSION = 2\n")
    assert [e.module for e in synced()] == ["odd"]
    ns["new"] = ns["odd"].Odd()
    assert liveimport.stale(ns) == [
        entry("old", "instance", "Odd", module="odd"),
        entry("items", "instance", "Odd", module="odd"),
    ]
