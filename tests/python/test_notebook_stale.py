"""Stale names in a notebook (issue 18), through real cells: the note after the
reload report, the cell that made each object, ``%liveimport``, the status
message, and that nothing else changes."""

from __future__ import annotations

import re

import liveimport
import liveimport._frontend as frontend
from nbshell import nb  # noqa: F401  (fixture)

SHAPES_V1 = """
class Square:
    def area(self):
        return 1

def area(shape):
    return shape.area()
"""
SHAPES_V2 = SHAPES_V1.replace("return 1", "return 2")


def notes(cell):
    """The text/plain outputs that are not reload reports."""
    return [data["text/plain"] for data in cell.outputs if "text/markdown" not in data]


def setup_shapes(nb):
    """Import shapes with %%liveimport, then make old objects in plain cells;
    returns the execution counts of the cells that made ``sq`` and ``f``."""
    nb.write("shapes.py", SHAPES_V1)
    assert nb.run("%%liveimport\nimport shapes").error is None
    made_sq = nb.run("sq = shapes.Square()\nitems = [sq]\nn = 1")
    made_f = nb.run("from shapes import area as f")
    assert made_sq.error is None and made_f.error is None
    return made_sq.result.execution_count, made_f.result.execution_count


def test_note_follows_the_unchanged_report(nb):
    sq_cell, f_cell = setup_shapes(nb)
    nb.write("shapes.py", SHAPES_V2)
    cell = nb.run("print(sq.area(), shapes.Square().area())")
    assert "1 2" in cell.stdout  # LiveImport's semantics: the old instance keeps its code
    assert len(cell.reports) == 1 and len(cell.reports[0]) == 1
    assert re.fullmatch(r"Reloaded shapes modified \d+ (seconds?|minutes?) ago", cell.reports[0][0])
    assert cell.outputs[0]["text/markdown"].startswith("```console\n")  # the report first
    assert notes(cell) == [
        f"Still on the old version of shapes: sq, items (Square, made in In [{sq_cell}]); "
        f"f (function area, In [{f_cell}]) \u2014 re-run those cells to get the new code."
    ]
    assert [(e.name, e.kind, e.module, e.qualname, e.cell) for e in liveimport.stale()] == [
        ("sq", "instance", "shapes", "Square", sq_cell),
        ("items", "instance", "shapes", "Square", sq_cell),
        ("f", "function", "shapes", "area", f_cell),
    ]


def test_remade_objects_leave_the_list_and_the_status(nb):
    _, f_cell = setup_shapes(nb)
    nb.write("shapes.py", SHAPES_V2)
    nb.run("pass")
    assert [e["name"] for e in frontend.status_message()["stale"]] == ["sq", "items", "f"]
    remade = nb.run("sq = shapes.Square()\nitems = [sq]")
    assert [e.name for e in liveimport.stale()] == ["f"]
    assert frontend.status_message()["stale"] == [
        {"name": "f", "kind": "function", "module": "shapes", "qualname": "area", "cell": f_cell}
    ]
    g_cell = nb.run("g = f")  # an alias of an old function joins the list
    assert remade.error is None
    assert [(e.name, e.cell) for e in liveimport.stale()] == [
        ("f", f_cell),
        ("g", g_cell.result.execution_count),
    ]
    assert [e["name"] for e in frontend.status_message()["stale"]] == ["f", "g"]


def test_no_note_without_stale_names_or_with_reports_off(nb):
    nb.write("shapes.py", SHAPES_V1)
    nb.run("%%liveimport\nimport shapes\nfrom shapes import Square")
    nb.run("sq = Square()\nnumbers = [1, 2]")
    nb.write("shapes.py", SHAPES_V2)
    cell = nb.run("sq = Square()")  # the note comes before the cell re-makes sq
    assert len(cell.reports) == 1
    assert notes(cell) == [
        "Still on the old version of shapes: sq (Square, made in "
        f"In [{cell.result.execution_count - 1}]) \u2014 re-run those "
        "cells to get the new code."
    ]
    assert liveimport.stale() == []
    nb.run("del sq")
    nb.write("shapes.py", SHAPES_V1)
    cell = nb.run("pass")
    assert len(cell.reports) == 1 and notes(cell) == []  # reloaded, nothing old is bound
    nb.run("old = Square()")
    liveimport.auto_sync(report=False)
    nb.write("shapes.py", SHAPES_V2)
    cell = nb.run("pass")
    assert cell.outputs == [] and cell.stderr == ""
    assert [e.name for e in liveimport.stale()] == ["old"]  # still computed on request


def test_extension_setting_silences_the_note_only(nb):
    nb.write("shapes.py", SHAPES_V1)
    nb.run("%%liveimport\nimport shapes")
    nb.run("sq = shapes.Square()")
    frontend.apply_settings({"stale_note": False})
    nb.write("shapes.py", SHAPES_V2)
    cell = nb.run("pass")
    assert len(cell.reports) == 1 and notes(cell) == []
    assert [e["name"] for e in frontend.status_message()["stale"]] == ["sq"]


def test_names_bound_inside_a_liveimport_cell_and_blocks(nb):
    nb.write("shapes.py", SHAPES_V1)
    made = nb.run("""
        %%liveimport
        import shapes
        for k in range(1):
            looped = shapes.Square()
        with open(__import__("os").devnull) as handle:
            kept = {"a": shapes.Square()}
        try:
            raise ValueError
        except ValueError:
            caught = shapes.area
    """)
    assert made.error is None, made.stdout
    count = made.result.execution_count
    nb.run("exec('hidden = shapes.Square()')")  # bound by exec: cell unknown
    nb.write("shapes.py", SHAPES_V2)
    nb.run("pass")
    assert [(e.name, e.kind, e.cell) for e in liveimport.stale()] == [
        ("looped", "instance", count),
        ("kept", "instance", count),
        ("caught", "function", count),
        ("hidden", "instance", None),
    ]


def test_liveimport_line_magic_lists_stale_names(nb):
    sq_cell, _ = setup_shapes(nb)
    before = nb.run("%liveimport").outputs[0]["text/plain"]
    assert "Still on an old version" not in before
    nb.write("shapes.py", SHAPES_V2)
    nb.run("pass")
    text = nb.run("%liveimport").outputs[0]["text/plain"]
    assert text.split("Registered statements:")[1].startswith(
        before.split("Registered statements:")[1] + "\n"
    )  # a section after the others
    lines = text.split("Still on an old version (re-run the cell to get the new code):\n")[1]
    rows = [line.split() for line in lines.splitlines()]
    assert rows[0] == ["name", "kind", "from", "cell"]
    assert rows[1] == ["sq", "instance", "shapes.Square", "In", f"[{sq_cell}]"]
    assert [row[0] for row in rows[1:]] == ["sq", "items", "f"]


def test_star_imports_and_deletions_update_the_attribution(nb):
    nb.write("shapes.py", SHAPES_V1 + "\n__all__ = ['Square', 'area']\n")
    nb.run("%%liveimport\nimport shapes")
    star = nb.run("from shapes import *\nsq = Square()")
    nb.run("temp = shapes.Square()")
    nb.run("del temp")
    nb.write("shapes.py", SHAPES_V2)
    nb.run("pass")
    count = star.result.execution_count
    assert [(e.name, e.kind, e.cell) for e in liveimport.stale()] == [
        ("Square", "class", count),
        ("area", "function", count),
        ("sq", "instance", count),
    ]


def test_bound_names_of_a_cell():
    import ast

    from liveimport._cells import bound_names

    code = """
import a.b, c as d
from e import f, g as h
from .rel import *
from star import *
x = y = 1
p, (q, *r) = 1, (2, 3)
z += 1
w: int = 2
obj.attr = 3
items[0] = 4
del gone
for i in []:
    inner = 1
while False:
    looped = 1
else:
    after = 1
with open("f") as (fh, other):
    inside = 1
try:
    t = 1
except ValueError as err:
    handled = 1
finally:
    final = 1
match x:
    case [first, *rest]:
        matched = 1
    case {"k": value, **others}:
        pass
    case Point(x=px) as whole:
        pass
def func():
    local = 1
class Klass:
    attribute = 1
if (walrus := 1):
    pass
"""
    names: set[str] = set()
    stars: list[str] = []
    bound_names(ast.parse(code).body, names, stars)
    assert names == {
        "a",
        "d",
        "f",
        "h",
        "x",
        "y",
        "p",
        "q",
        "r",
        "z",
        "w",
        "gone",
        "i",
        "inner",
        "looped",
        "after",
        "fh",
        "other",
        "inside",
        "t",
        "err",
        "handled",
        "final",
        "first",
        "rest",
        "matched",
        "value",
        "others",
        "px",
        "whole",
        "func",
        "Klass",
    }
    assert stars == ["star"]
