"""Auto-sync failures as ``error`` outputs (issue 19 item 2).

As LiveImport 1.3.1 (which re-raises the cause from its ``pre_run_cell``
hook), a failed auto-sync gives the cell an ``error`` output whose ``ename``
and ``evalue`` are the cause's (CPython's ``SyntaxError`` for an analysis
error, the module's own exception for a reload error); the cell still runs
and the execute reply's status stays ``ok``. The traceback lines are ours:
module, file and line, the module's own frames, what happens next. What
``nbshell`` records is what ipykernel publishes (IOPub ``error``, through
``shell._showtraceback``); JupyterLite's Pyodide kernel gets the same
message through its worker (``_nb_error``).
"""

from __future__ import annotations

import json
import sys
import types

import pytest

import liveimport
import liveimport._nb_error as nb_error
from liveimport import ModuleError
from liveimport._nb_report import failure_output
from nbshell import nb  # noqa: F401  (fixture)

V1 = "def f():\n    return 1\n"


def load_helpers(nb):
    nb.write("helpers.py", V1)
    assert nb.run("%%liveimport\nfrom helpers import f").error is None


def test_reload_error_is_an_error_output_and_the_cell_runs(nb):
    load_helpers(nb)
    path = nb.write("helpers.py", "def f():\n    return 2\nx = 1 / 0\n")
    cell = nb.run("print('value', f())")
    assert "value 1" in cell.stdout  # the cell ran, on the last good version
    assert cell.status == "ok" and cell.error is None
    assert cell.kinds == ["error"]
    [error] = cell.errors
    assert (error["ename"], error["evalue"]) == ("ZeroDivisionError", "division by zero")
    assert error["traceback"] == [
        f"LiveImport could not reload helpers ({path}, line 3): "
        "ZeroDivisionError: division by zero",
        "Traceback (most recent call last):",
        f'  File "{path}", line 3, in <module>',
        "    x = 1 / 0",
        *error["traceback"][4:-2],  # CPython 3.11+ marks the expression (~~^~~)
        "ZeroDivisionError: division by zero",
        "The previous version of helpers stays in use; fix the file and run a cell to reload it.",
    ]
    assert all(set(line) <= set(" ~^") for line in error["traceback"][4:-2])
    # Nothing else: no "Error in callback ..." line (IPython's, for a hook
    # that raises), nothing on stderr.
    assert "Error in callback" not in cell.stdout and cell.stderr == ""
    # As after IPython's own error display: %debug opens the module's frame.
    assert isinstance(sys.last_value, ZeroDivisionError)


def test_analysis_error_is_a_syntax_error_output(nb):
    load_helpers(nb)
    source = "def f():\n    return (2\n"
    path = nb.write("helpers.py", source)
    with pytest.raises(SyntaxError) as python:
        compile(source, str(path), "exec")
    cell = nb.run("print('value', f())")
    assert "value 1" in cell.stdout and cell.status == "ok"
    [error] = cell.errors
    assert error["ename"] == "SyntaxError"
    assert error["evalue"] == str(python.value)  # CPython's own message
    lines = error["traceback"]
    assert lines[0] == (
        f"LiveImport could not reload helpers ({path}, line 2): SyntaxError: {python.value.msg}"
    )
    assert f'  File "{path}", line 2' in lines
    assert lines[-1].startswith("The previous version of helpers stays in use")
    assert "Traceback" not in cell.error_text()


def test_failure_after_reports_and_before_the_cell_s_own_outputs(nb):
    nb.write("good.py", "G = 1\n")
    nb.write("bad.py", "B = 1\n")
    nb.run("%%liveimport\nfrom good import G\nfrom bad import B")
    nb.write("good.py", "G = 2\n")
    nb.write("bad.py", "B = 2\nraise RuntimeError('nope')\n")
    cell = nb.run("from IPython.display import display\ndisplay('shown by the cell')")
    assert cell.kinds == ["display_data", "error", "display_data"]
    assert cell.reports[0][0].startswith("Reloaded good modified")
    assert (cell.errors[0]["ename"], cell.errors[0]["evalue"]) == ("RuntimeError", "nope")
    assert cell.outputs[-1]["text/plain"] == "'shown by the cell'"


def test_the_cell_s_own_error_follows(nb):
    load_helpers(nb)
    nb.write("helpers.py", "raise KeyError('k')\n")
    cell = nb.run("1 / 0")
    assert [e["ename"] for e in cell.errors] == ["KeyError", "ZeroDivisionError"]
    assert cell.status == "error"  # the cell's own failure, as always


def test_reports_off_still_show_failures(nb):
    # LiveImport 1.3.1: auto_sync(report=False) silences reload reports; a
    # failure is raised from the hook all the same.
    load_helpers(nb)
    liveimport.auto_sync(report=False)
    nb.write("helpers.py", "raise ValueError('v')\n")
    cell = nb.run("pass")
    assert [e["ename"] for e in cell.errors] == ["ValueError"] and cell.status == "ok"


def test_failure_of_a_bootstrap_cell_shows_in_the_next_cell(nb):
    load_helpers(nb)
    nb.write("helpers.py", "raise ValueError('v')\n")
    assert nb.run("pass", store_history=False).errors == []
    cell = nb.run("pass", pause=0.3)
    assert [e["ename"] for e in cell.errors] == ["ValueError"]


def test_error_output_names_the_cause_of_a_module_error_and_any_other_error_itself():
    try:
        try:
            raise KeyError("k")
        except KeyError as cause:
            raise ModuleError("m", "reload") from cause
    except ModuleError as error:
        output = failure_output(error)
    assert (output.ename, output.evalue) == ("KeyError", "'k'")
    assert output.traceback[0] == "LiveImport could not reload m: KeyError: 'k'"
    # Not a module's failure (a bug of LiveImport's): the error itself, with
    # its whole traceback.
    try:
        try:
            raise KeyError("k")
        except KeyError as cause:
            raise RuntimeError("bug") from cause
    except RuntimeError as error:
        output = failure_output(error)
    assert (output.ename, output.evalue) == ("RuntimeError", "bug")
    assert output.traceback[0] == "LiveImport: automatic sync failed: RuntimeError: bug"


class FakeLiteKernel:
    """The Python side of JupyterLite's Pyodide kernel: the request being
    answered, as its worker sets it (``toPy`` of the message)."""

    def __init__(self) -> None:
        self._parent_header = {
            "header": {"msg_id": "m1", "msg_type": "execute_request", "session": "s"},
            "content": {"code": "pass"},
        }


@pytest.fixture
def lite(nb, monkeypatch):
    """``nb`` as JupyterLite's kernel: ``pyodide_kernel.ipython_shell`` is
    its shell; the worker's messages are kept in ``nb.posted``."""
    module = types.ModuleType("pyodide_kernel")
    module.ipython_shell = nb.shell  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "pyodide_kernel", module)
    monkeypatch.setattr(nb.shell, "kernel", FakeLiteKernel(), raising=False)
    monkeypatch.setattr(nb_error, "_in_pyodide", True)
    nb.posted = []

    def post(text: str) -> bool:
        nb.posted.append(json.loads(text))
        return True

    monkeypatch.setattr(nb_error, "_lite_post", post)
    return nb


def test_jupyterlite_kernel_gets_the_worker_message_of_an_error(lite):
    nb = lite
    load_helpers(nb)
    path = nb.write("helpers.py", "x = 1 / 0\n")
    cell = nb.run("print('ran')")
    assert "ran" in cell.stdout and cell.status == "ok"
    # Not through the shell's _showtraceback: the Pyodide kernel's records
    # the error and turns the execute reply's status into "error".
    assert cell.errors == [] and cell.stderr == ""
    [message] = nb.posted
    assert message["type"] == "execute_error"
    assert message["parentHeader"] == {
        "msg_id": "m1",
        "msg_type": "execute_request",
        "session": "s",
    }
    bundle = message["bundle"]
    assert (bundle["ename"], bundle["evalue"]) == ("ZeroDivisionError", "division by zero")
    assert bundle["traceback"][0] == (
        f"LiveImport could not reload helpers ({path}, line 1): ZeroDivisionError: division by zero"
    )


def test_jupyterlite_without_the_worker_path_writes_stderr(lite, monkeypatch):
    nb = lite
    monkeypatch.setattr(nb_error, "_lite_post", lambda text: False)  # coincident worker
    load_helpers(nb)
    nb.write("helpers.py", "x = 1 / 0\n")
    cell = nb.run("print('ran')")
    assert "ran" in cell.stdout and cell.errors == []
    assert "could not reload helpers" in cell.stderr
    assert "stays in use" in cell.stderr


@pytest.mark.skipif(sys.platform != "emscripten", reason="Pyodide's JavaScript function")
def test_no_worker_message_outside_a_web_worker():
    # Under Node (no WorkerGlobalScope) the JavaScript side posts nothing.
    assert nb_error._lite_post('{"type": "execute_error"}') is False
