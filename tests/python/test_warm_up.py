"""The bootstrap's warm-up (``liveimport._warm_up``): it runs the code paths of
a first LiveImport cell that do not depend on the user's modules, without an
error and without changing anything a user sees (registrations, tracked
modules, history, the notebook's names, the files noted as written by kernel
code); a failure of it does not fail the bootstrap but is logged and counted
(``liveimport._incidents``), never passed over.

Runs natively and inside Pyodide (pyo3 and wasm-bindgen engines), like every
test here."""

from __future__ import annotations

import json
import logging

import liveimport
import liveimport._frontend as frontend
import liveimport._incidents as incidents
from liveimport._warm_up import warm_up
from nbshell import nb  # noqa: F401  (fixture)
from test_frontend_bootstrap import bootstrap_cell, comms  # noqa: F401  (comms: fixture)
from test_page_events import V2, page_nb  # noqa: F401  (page_nb: fixture)


def warm_up_failures() -> int:
    return incidents.counts().get("warm-up", 0)


def test_warm_up_runs_in_a_shell_and_without_one(nb):
    warm_up(nb.shell)  # any exception fails the test
    warm_up(None)


def test_the_bootstrap_warms_up_without_a_failure(nb, comms):
    before = warm_up_failures()
    cell = nb.run(bootstrap_cell("warm-up-token"))
    assert cell.error is None, cell.stdout
    assert warm_up_failures() == before, repr(incidents.last("warm-up"))
    assert len(comms) == 1


def test_warm_up_changes_nothing_a_user_sees(nb):
    nb.write("helpers.py", "def f():\n    return 1\n")
    assert nb.run("%%liveimport\nimport helpers").error is None

    def seen() -> tuple[object, ...]:
        return (
            liveimport.status(nb.ns),
            nb.shell.execution_count,
            list(nb.ns["In"]),
            sorted(nb.ns),
        )

    before = seen()
    warm_up(nb.shell)
    assert seen() == before


def test_warm_up_leaves_kernel_writes_to_the_next_sync(page_nb):
    # A sync relying on the page's events examines the files kernel code wrote
    # (noted by the audit hook): a warm-up taking those notes would hide them.
    nb = page_nb
    path = str(nb.root / "helpers.py")
    cell = nb.run(f"open({path!r}, 'w').write({V2!r})\nimport os; os.utime({path!r}, (1e9, 1e9))")
    assert cell.error is None, cell.stdout
    warm_up(nb.shell)
    cell = nb.run("print(f())")
    assert "2" in cell.stdout, (cell.stdout, cell.stderr)
    assert all(full is False for full in nb.syncs)


def test_a_failing_warm_up_is_logged_and_counted(nb, comms, monkeypatch, caplog):
    def broken(shell: object) -> None:
        raise TypeError("Engine() takes 3 positional arguments but 1 was given")

    monkeypatch.setattr(frontend, "warm_up", broken)
    before = warm_up_failures()
    with caplog.at_level(logging.WARNING, logger=incidents.LOGGER):
        frontend.bootstrap(json.dumps({"type": "settings"}))  # does not raise
    assert warm_up_failures() == before + 1
    assert isinstance(incidents.last("warm-up"), TypeError)
    [record] = [r for r in caplog.records if "warm-up" in r.getMessage()]
    assert record.levelno == logging.WARNING and record.name == "liveimport"
    assert len(comms) == 1, "the bootstrap did its work before the warm-up"
