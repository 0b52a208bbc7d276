"""Automatic sync before cells: the grace period, reload reports, reload
failures, bootstrap cells, and installing into the shell exactly once."""

from __future__ import annotations

import importlib
import re

import pytest

import liveimport
import liveimport._nbi as nbi
from nbshell import hook_counts, nb  # noqa: F401  (fixture)

V1 = "def f():\n    return 1\n"
V2 = "def f():\n    return 2\n"


def load_helpers(nb):
    nb.write("helpers.py", V1)
    cell = nb.run("%%liveimport\nimport helpers\nfrom helpers import f")
    assert cell.error is None, cell.stdout


def test_auto_sync_after_the_grace_period(nb):
    load_helpers(nb)
    nb.write("helpers.py", V2, age=30.5)
    cell = nb.run("print(f(), helpers.f())", pause=1.01)
    assert "2 2" in cell.stdout
    assert len(cell.reports) == 1
    assert re.fullmatch(r"Reloaded helpers modified 3[01] seconds ago", cell.reports[0][0]), (
        cell.reports
    )
    assert cell.stderr == "" and cell.errors == []


def test_no_sync_within_the_grace_period(nb):
    load_helpers(nb)
    nb.write("helpers.py", V2)
    cell = nb.run("print(f())", pause=0.99)  # e.g. Run All
    assert "1" in cell.stdout and cell.reports == []
    cell = nb.run("print(f())", pause=0.5)  # measured from the previous cell
    assert "1" in cell.stdout and cell.reports == []
    cell = nb.run("print(f())", pause=1.0)
    assert "2" in cell.stdout and len(cell.reports) == 1


def test_grace_period_is_configurable(nb):
    load_helpers(nb)
    liveimport.auto_sync(grace=5.0)
    nb.write("helpers.py", V2)
    assert "1" in nb.run("print(f())", pause=4.0).stdout
    assert "2" in nb.run("print(f())", pause=5.0).stdout
    liveimport.auto_sync(grace=0)
    nb.write("helpers.py", V1)
    assert "1" in nb.run("print(f())", pause=0.0).stdout


def test_grace_must_be_a_non_negative_number(nb):
    with pytest.raises(ValueError):
        liveimport.auto_sync(grace=-1)
    with pytest.raises(ValueError):
        liveimport.auto_sync(grace=float("nan"))


def test_auto_sync_can_be_disabled(nb):
    load_helpers(nb)
    liveimport.auto_sync(False)
    nb.write("helpers.py", V2)
    cell = nb.run("print(f())")
    assert "1" in cell.stdout and cell.reports == []
    cell = nb.run(
        "liveimport.sync()\nprint(f())".replace("liveimport.", "__import__('liveimport').")
    )
    assert "2" in cell.stdout and cell.reports == []
    liveimport.auto_sync(True)
    nb.write("helpers.py", V1)
    assert "1" in nb.run("print(f())").stdout


def test_report_lists_a_dependency_chain_in_reload_order(nb):
    nb.write("base.py", "X = 1\n")
    nb.write("mid.py", "import base\ndef x():\n    return base.X\n")
    nb.write("top.py", "import mid\ndef x():\n    return mid.x()\n")
    nb.run("%%liveimport\nimport top")
    nb.write("base.py", "X = 2\n", age=30.5)
    cell = nb.run("print(top.x())")
    assert "2" in cell.stdout
    assert len(cell.outputs) == 1
    markdown = cell.outputs[0]["text/markdown"]
    assert markdown.startswith("```console\n") and markdown.endswith("\n```")
    assert len(cell.reports) == 1
    first, second, third = cell.reports[0]
    assert re.fullmatch(r"Reloaded base modified 3[01] seconds ago", first)
    assert second == "Reloaded mid because base reloaded"
    assert third == "Reloaded top because mid reloaded"
    # A terminal shows the same lines as plain text.
    assert cell.outputs[0]["text/plain"] == "\n".join(cell.reports[0])


def test_report_age_is_measured_when_the_change_is_detected(nb):
    nb.write("base.py", "X = 1\n")
    nb.write("slow.py", "import time\nimport base\ntime.sleep(1.2)\n")
    nb.run("%%liveimport\nimport slow")
    nb.write("base.py", "X = 2\n", age=0.5)
    cell = nb.run("pass")
    assert len(cell.reports) == 1
    first, second = cell.reports[0]
    # Measured after the slow reload, the age would be over 1.7 s.
    match = re.fullmatch(r"Reloaded base modified (\d+) milliseconds ago", first)
    assert match and int(match.group(1)) < 1500, first
    assert second == "Reloaded slow because base reloaded"


def test_reports_can_be_switched_off(nb):
    load_helpers(nb)
    liveimport.auto_sync(report=False)
    nb.write("helpers.py", V2)
    cell = nb.run("print(f())")
    assert "2" in cell.stdout
    assert cell.outputs == [] and cell.stderr == "" and cell.errors == []
    liveimport.auto_sync(report=True)
    nb.write("helpers.py", V1)
    assert len(nb.run("pass").reports) == 1


def test_reload_failure_is_shown_and_the_cell_runs_on_the_last_good_version(nb):
    load_helpers(nb)
    path = nb.write("helpers.py", "def f():\n    return 2\nx = 1 / 0\n")
    cell = nb.run("print('value', f(), helpers.f())")
    assert cell.error is None  # the user's cell ran, and succeeded
    assert "value 1 1" in cell.stdout  # against the last good version
    assert cell.reports == []
    lines = cell.failure.splitlines()
    assert lines[0] == (
        f"LiveImport could not reload helpers ({path}, line 3): ZeroDivisionError: division by zero"
    )
    assert f'File "{path}", line 3, in <module>' in cell.failure
    assert "x = 1 / 0" in cell.failure
    # Only the module's own frames: none of LiveImport's or importlib's.
    assert "liveimport" not in cell.failure.replace("LiveImport", "")
    assert "importlib" not in cell.failure
    assert lines[-1] == (
        "The previous version of helpers stays in use; fix the file and run a cell to reload it."
    )

    # Still broken: retried, and shown again, on the next sync.
    cell = nb.run("print('value', f())")
    assert "value 1" in cell.stdout and "could not reload helpers" in cell.failure

    nb.write("helpers.py", "def f():\n    return 3\n")
    cell = nb.run("print('value', f(), helpers.f())")
    assert "value 3 3" in cell.stdout
    assert cell.stderr == "" and cell.errors == []
    assert len(cell.reports) == 1 and cell.reports[0][0].startswith("Reloaded helpers modified")


def test_syntax_error_in_a_modified_module(nb):
    load_helpers(nb)
    path = nb.write("helpers.py", "def f():\n    return (2\n")
    cell = nb.run("print('value', f())")
    assert cell.error is None and "value 1" in cell.stdout
    first = cell.failure.splitlines()[0]
    assert first.startswith(f"LiveImport could not reload helpers ({path}, line 2): ")
    assert "SyntaxError" in first
    assert f'File "{path}", line 2' in cell.failure
    assert "stays in use" in cell.failure


def test_reloads_before_a_failure_are_reported(nb):
    nb.write("good.py", "G = 1\n")
    nb.write("bad.py", "B = 1\n")
    nb.run("%%liveimport\nfrom good import G\nfrom bad import B")
    nb.write("good.py", "G = 2\n")
    nb.write("bad.py", "B = 2\nraise RuntimeError('nope')\n")
    cell = nb.run("print(G, B)")
    assert "2 1" in cell.stdout
    assert len(cell.reports) == 1 and cell.reports[0][0].startswith("Reloaded good modified")
    assert "could not reload bad" in cell.failure and "RuntimeError: nope" in cell.failure


def test_reports_of_a_bootstrap_cell_are_deferred(nb):
    load_helpers(nb)
    nb.write("helpers.py", V2)
    # A frontend's bootstrap cell (no history) triggers the sync...
    cell = nb.run("pass", store_history=False)
    assert cell.reports == []
    # ...and the user's cell right after it shows the report.
    cell = nb.run("print(f())", pause=0.3)
    assert "2" in cell.stdout and len(cell.reports) == 1
    # Shown once only.
    assert nb.run("pass", pause=0.3).reports == []


def test_deferred_reports_expire_with_the_grace_period(nb):
    load_helpers(nb)
    nb.write("helpers.py", V2)
    assert nb.run("pass", store_history=False).reports == []
    cell = nb.run("print(f())", pause=5.0)
    assert "2" in cell.stdout and cell.reports == []


def test_hooks_are_installed_once(nb):
    shell = nb.shell
    assert hook_counts(shell) == (1, 1, 1)
    liveimport._reset()
    liveimport._reset()
    importlib.import_module("liveimport")
    importlib.reload(liveimport)
    assert hook_counts(shell) == (1, 1, 1)
    clock, link_check = nbi._monotonic, nbi._link_check
    importlib.reload(nbi)
    # What the rest of the session set in the module (the test clock, and
    # ``_frontend``'s link check: reloading resets it to "no frontend").
    nbi._monotonic = clock
    nbi.set_link_check(link_check)
    assert hook_counts(shell) == (1, 1, 1)
    liveimport.hidden_cell_magic(False)
    assert hook_counts(shell) == (1, 1, 0)
    liveimport.hidden_cell_magic(True)
    liveimport.hidden_cell_magic(True)
    assert hook_counts(shell) == (1, 1, 1)

    # Still one report per sync.
    load_helpers(nb)
    nb.write("helpers.py", V2)
    assert len(nb.run("pass").reports) == 1


def test_reset_restores_default_settings(nb):
    load_helpers(nb)
    liveimport.auto_sync(False, grace=100.0, report=False)
    liveimport.hidden_cell_magic(False)
    liveimport._reset()
    assert hook_counts(nb.shell) == (1, 1, 1)
    load_helpers(nb)  # registrations were reset too
    nb.write("helpers.py", V2)
    cell = nb.run("print(f())", pause=1.0)
    assert "2" in cell.stdout and len(cell.reports) == 1
    nb.run("#_%%liveimport -c\nimport helpers")
    assert liveimport.status(nb.ns).statements == ("import helpers",)


def test_outside_a_shell_nothing_is_installed(nb, monkeypatch):
    monkeypatch.setattr(nbi, "_current_shell", lambda: None)
    liveimport._reset()
    assert hook_counts(nb.shell) == (0, 0, 0)
    assert nbi._HANDLER is None
    liveimport.auto_sync(True, grace=2.0, report=False)  # recorded, harmless
    liveimport.hidden_cell_magic(False)
    monkeypatch.undo()
    monkeypatch.setattr(nbi, "_monotonic", nb.clock)
    liveimport._reset()
    assert hook_counts(nb.shell) == (1, 1, 1)
