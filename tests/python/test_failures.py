"""Failures stay visible until fixed: the status the frontend shows lists every
module that fails to analyse or reload (module, phase, error, file, line), a
fix clears it; with the extension's frontend connected, a failure's output
ends with a link that opens the file at the line."""

from __future__ import annotations

import os

import pytest

import liveimport
import liveimport._frontend as frontend
import liveimport._page as page
from nbshell import nb  # noqa: F401  (fixture)


class FakeComm:
    """The extension's end of the comm: keeps what the kernel sent."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def send(self, data: dict) -> None:
        self.sent.append(data)


@pytest.fixture
def connected(nb, monkeypatch):
    """``nb`` with the extension's frontend connected (comm open, the page
    told the kernel the notebook's path)."""
    (nb.root / "nb.ipynb").write_text("{}")
    comm = FakeComm()
    monkeypatch.setattr(frontend._LINK, "comm", comm)
    monkeypatch.setattr(frontend._LINK, "sent", None)
    page.activate().connect("nb.ipynb", [], True)
    frontend._install_hooks(nb.shell)
    nb.comm = comm
    try:
        yield nb
    finally:
        nb.shell.events.unregister("pre_run_cell", frontend._LINK.pre_run_cell)
        nb.shell.events.unregister("post_run_cell", frontend._LINK.post_run_cell)


def failures():
    return frontend.status_message()["failures"]


def test_reload_failure_stays_until_fixed(connected):
    nb = connected
    nb.write("helpers.py", "def f():\n    return 1\n")
    nb.write("user.py", "import helpers\n")
    assert nb.run("%%liveimport\nimport helpers, user").error is None
    assert failures() == []
    nb.write("helpers.py", "def f():\n    return 1\nraise ValueError('broken')\n")
    cell = nb.run("pass")
    assert "could not reload helpers" in cell.failure
    expected = {
        "module": "helpers",
        "phase": "reload",
        "error": "ValueError: broken",
        "file": str(nb.root / "helpers.py"),
        "path": "helpers.py",
        "line": 3,
    }
    assert failures() == [expected]
    # The status pushed to the page after the cell carries it.
    assert nb.comm.sent and nb.comm.sent[-1]["failures"] == [expected]
    # Still failing: the next cells retry, the failure stays.
    nb.run("pass")
    assert failures() == [expected]
    nb.write("helpers.py", "def f():\n    return 2\n")
    cell = nb.run("pass")
    assert cell.stderr == "" and cell.errors == []
    assert failures() == []
    assert nb.comm.sent[-1]["failures"] == []


def test_syntax_error_location(connected):
    nb = connected
    nb.write("helpers.py", "x = 1\n")
    nb.run("%%liveimport\nimport helpers")
    nb.write("helpers.py", "x = 1\ny = (\n")
    nb.run("pass")
    [failure] = failures()
    assert failure["module"] == "helpers" and failure["error"].startswith("SyntaxError")
    assert failure["path"] == "helpers.py" and failure["line"] == 2


def test_analysis_failure_of_an_indirect_module(connected):
    nb = connected
    nb.write("lib.py", "x = 1\n")
    nb.write("user.py", "VALUE = 1\n")
    nb.run("import lib")  # loaded, not tracked
    nb.run("%%liveimport\nimport user")
    nb.write("lib.py", "x = (\n")  # unclosed: cannot be analysed
    nb.write("user.py", "import lib\nVALUE = 2\n")  # user now depends on lib
    cell = nb.run("pass")
    assert "could not reload lib" in cell.failure, cell.failure
    [failure] = failures()
    assert (failure["module"], failure["phase"], failure["path"], failure["line"]) == (
        "lib",
        "analysis",
        "lib.py",
        1,
    )
    nb.write("lib.py", "x = 2\n")
    cell = nb.run("pass")
    assert cell.stderr == "" and cell.errors == []
    assert failures() == []
    assert liveimport.status().module("lib") is not None, "tracked now"


def test_a_deleted_failing_module_fails_no_more(connected):
    nb = connected
    nb.write("helpers.py", "x = 1\n")
    nb.run("%%liveimport\nimport helpers")
    nb.write("helpers.py", "x = 1 / 0\n")
    nb.run("pass")
    assert [f["module"] for f in failures()] == ["helpers"]
    os.remove(nb.root / "helpers.py")
    cell = nb.run("pass")
    assert cell.reports == [["helpers.py was deleted; the loaded version of helpers stays in use"]]
    assert failures() == []


def test_failure_output_links_to_the_line(connected):
    nb = connected
    nb.write("pkg/__init__.py", "")
    nb.write("pkg/helpers.py", "x = 1\n")
    nb.run("%%liveimport\nimport pkg.helpers")
    nb.write("pkg/helpers.py", "x = 1\n\ny = 1 / 0\n")
    cell = nb.run("pass")
    assert "could not reload pkg.helpers" in cell.failure
    links = [
        o
        for o in cell.outputs
        if "text/html" in o and "jp-LiveImport-failureLink" in o["text/html"]
    ]
    assert len(links) == 1
    html = links[0]["text/html"]
    assert 'href="pkg/helpers.py#line=2"' in html, html  # 0-based, as JupyterLab's editor reads it
    assert "pkg/helpers.py at line 3" in links[0]["text/plain"]


def test_no_link_without_the_frontend(nb):
    nb.write("helpers.py", "x = 1\n")
    nb.run("%%liveimport\nimport helpers")
    nb.write("helpers.py", "x = 1 / 0\n")
    cell = nb.run("pass")
    assert "could not reload helpers" in cell.failure
    assert not any("text/html" in o for o in cell.outputs)


def test_reset_forgets_failures(connected):
    nb = connected
    nb.write("helpers.py", "x = 1\n")
    nb.run("%%liveimport\nimport helpers")
    nb.write("helpers.py", "x = 1 / 0\n")
    nb.run("pass")
    assert failures()
    liveimport._reset()
    assert failures() == []
