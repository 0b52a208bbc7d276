"""The status as a dependency graph (``liveimport._graph``): what the
extension's dialog and ``%liveimport`` draw. Direct and indirect modules,
import edges, the last reload (why each module reloaded) and failures are
marked; ``%liveimport`` carries the graph next to the text table."""

from __future__ import annotations

import os

import liveimport
from liveimport._graph import GRAPH_MIME, graph_data
from nbshell import nb  # noqa: F401  (fixture)


def nodes(data):
    return {m["name"]: m for m in data["modules"]}


def test_graph_of_the_tracked_modules(nb):
    nb.write("units.py", "m = 1\n")
    nb.write("physics.py", "from units import m\nG = 9.81 * m\n")
    nb.write("plotting.py", "import physics\nimport units\n")
    cell = nb.run("%%liveimport\nimport plotting\nfrom physics import G")
    assert cell.error is None, cell.stdout
    data = graph_data(liveimport.status())
    n = nodes(data)
    assert set(n) == {"plotting", "physics", "units"}
    assert n["plotting"]["direct"] and n["physics"]["direct"] and not n["units"]["direct"]
    assert n["units"]["file"] == str(nb.root / "units.py")
    assert sorted(map(tuple, data["edges"])) == [
        ("physics", "units"),
        ("plotting", "physics"),
        ("plotting", "units"),
    ]
    assert all(
        m["reload"] is None and m["failure"] is None and not m["missing"] for m in n.values()
    )

    # A reload: why each module reloaded.
    nb.write("units.py", "m = 2\n")
    nb.run("pass")
    data = graph_data(liveimport.status())
    n = nodes(data)
    assert (n["units"]["reload"], n["physics"]["reload"], n["plotting"]["reload"]) == (
        "modified",
        "dependent",
        "dependent",
    )
    assert data["reloaded"][0] == {"module": "units", "reason": "modified", "after": []}
    assert data["reloaded"][1] == {"module": "physics", "reason": "dependent", "after": ["units"]}
    assert data["last_reload"] is not None

    # A failure, then a deleted file.
    nb.write("physics.py", "from units import m\nG = 9.81 * m / 0\n")
    nb.run("pass")
    failure = nodes(graph_data(liveimport.status()))["physics"]["failure"]
    assert (failure["phase"], failure["line"]) == ("reload", 2)
    assert failure["error"].startswith("ZeroDivisionError: ")  # wording varies by version
    os.remove(nb.root / "plotting.py")
    nb.run("pass")
    assert nodes(graph_data(liveimport.status()))["plotting"]["missing"] is True


def test_liveimport_magic_carries_the_graph(nb):
    nb.write("helpers.py", "X = 1\n")
    nb.run("%%liveimport\nimport helpers")
    cell = nb.run("%liveimport")
    [output] = cell.outputs
    assert output["text/plain"] == str(liveimport.status(nb.ns)), "the table is still there"
    assert [m["name"] for m in output[GRAPH_MIME]["modules"]] == ["helpers"]
