"""The kernel side of the extension's bootstrap (``liveimport._frontend.bootstrap``):
it undoes its own traces in IPython's history only where the kernel stored it
(the request's token is in the last stored input, as in JupyterLite's Pyodide
kernel), never a user's cell; each bootstrap opens a new comm (a page that
reconnected to a running kernel, e.g. after a reload on desktop Jupyter).

The ``comm`` package is replaced by a recorder (no kernel here)."""

from __future__ import annotations

import json
import sys
import types

import pytest

import liveimport._frontend as frontend
from nbshell import nb  # noqa: F401  (fixture)


class FakeComm:
    """What ``comm.create_comm`` returns, recording what happens to it."""

    def __init__(self, target_name: str, data: dict) -> None:
        self.target_name = target_name
        self.data = data
        self.sent: list[dict] = []
        self.closed = False

    def on_msg(self, callback):
        self.msg_callback = callback

    def on_close(self, callback):
        self.close_callback = callback

    def send(self, data):
        self.sent.append(data)

    def close(self):
        self.closed = True


@pytest.fixture
def comms(monkeypatch):
    """The comms opened, in order."""
    opened: list[FakeComm] = []
    module = types.ModuleType("comm")

    def create_comm(target_name, data):
        opened.append(FakeComm(target_name, data))
        return opened[-1]

    module.create_comm = create_comm
    monkeypatch.setitem(sys.modules, "comm", module)
    monkeypatch.setattr(frontend._LINK, "comm", None)
    monkeypatch.setattr(frontend._LINK, "sent", None)
    return opened


def bootstrap_cell(token: str = "") -> str:
    args = repr(json.dumps({"type": "settings", "report": True}))
    if token:
        args += f", history_token={token!r}"
    return f'__import__("liveimport._frontend", fromlist=["_"]).bootstrap({args})'


def test_stored_bootstrap_with_its_token_is_taken_out(nb, comms):
    nb.run("a = 1")
    count = nb.shell.execution_count
    inputs = len(nb.ns["In"])
    # The Pyodide kernel stores the request as a cell despite store_history=False.
    cell = nb.run(bootstrap_cell("f3c1e0d2-token"))
    assert cell.error is None, cell.stdout
    assert nb.shell.execution_count == count
    assert len(nb.ns["In"]) == inputs
    assert all("liveimport._frontend" not in text for text in nb.ns["In"])
    assert len(comms) == 1 and comms[0].target_name == "liveimport"


def test_a_user_cell_is_never_rewound(nb, comms):
    nb.run("a = 1")
    count = nb.shell.execution_count
    # Run by hand (desktop Jupyter's history is an sqlite database): no token.
    cell = nb.run(bootstrap_cell())
    assert cell.error is None, cell.stdout
    assert nb.shell.execution_count == count + 1
    # A token that is not in the stored input (ipykernel honours
    # store_history=False: the last input is the user's).
    nb.run("b = 2")
    cell = nb.run(bootstrap_cell("other-token"), store_history=False)
    assert nb.shell.execution_count == count + 2
    assert nb.ns["In"][-1] == "b = 2"


def test_each_bootstrap_opens_a_new_comm(nb, comms):
    nb.run(bootstrap_cell(), store_history=False)
    nb.run(bootstrap_cell(), store_history=False)
    assert len(comms) == 2
    assert comms[0].closed and not comms[1].closed
    assert frontend._LINK.comm is comms[1]
    assert comms[1].data["type"] == "status"


def test_settings_apply_after_the_new_comm(nb, comms):
    import liveimport._nbi as nbi

    frontend.bootstrap(json.dumps({"type": "settings", "report": False, "grace": 2.5}))
    assert nbi._SETTINGS.report is False and nbi._SETTINGS.grace == 2.5
    frontend.bootstrap(json.dumps({"type": "settings", "run": True}))
    import liveimport._page as page

    assert page.active().run_open, "a run opened by the bootstrap survives the comm's reopening"
