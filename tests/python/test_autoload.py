"""The autoload extra (``pip install "liveimport-lite[autoload]"``): a fresh
IPython, started the way ``ipython`` and Jupyter's ipykernel start theirs (so
that it runs the environment's startup files), accepts a LiveImport cell first
with no ``import liveimport``; LiveImport is imported only when such a cell
runs; ``LIVEIMPORT_NO_AUTOLOAD=1`` turns it off. Also ``%load_ext liveimport``
in such a fresh IPython.

Native only (each case is a new Python process). The startup file must be
installed in this environment (``scripts/test.sh`` installs the extra); when
it is not, every case is skipped, saying so.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

STARTUP = Path(sys.prefix, "etc", "ipython", "startup", "00-liveimport-lite.py")

pytestmark = [
    pytest.mark.skipif(sys.platform == "emscripten", reason="needs subprocesses (native only)"),
    pytest.mark.skipif(
        sys.platform != "emscripten" and not STARTUP.is_file(),
        reason=f"liveimport-lite[autoload] is not installed here (no {STARTUP})",
    ),
]

# Starts IPython as its terminal application does (profile, config, startup
# files), then runs the cells read from stdin through the shell, one by one
# (a number instead of a cell: pause that many seconds, as a user would), and
# prints a JSON list with one entry per cell.
DRIVER = r"""
import contextlib, io, json, sys, time
from IPython.terminal.ipapp import TerminalIPythonApp
app = TerminalIPythonApp.instance()
app.initialize(["--no-banner", "--HistoryManager.enabled=False"])
shell = app.shell
results = []
for cell in json.loads(sys.stdin.read()):
    if not isinstance(cell, str):
        time.sleep(cell)
        continue
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
        result = shell.run_cell(cell, store_history=True)
    results.append({"ok": result.success, "out": out.getvalue(),
                    "loaded": sorted(m for m in sys.modules if m == "liveimport" or m.startswith("liveimport."))})
sys.__stdout__.write(json.dumps(results) + "\n")
"""  # noqa: E501

_ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")

V1 = "def f():\n    return 1\n"
V2 = "def f():\n    return 2\n"


def run_ipython(tmp_path: Path, cells: list, **env: str) -> list[dict]:
    """Run ``cells`` in a fresh IPython whose working directory is
    ``tmp_path`` (also its IPYTHONDIR's parent); returns each cell's
    ``{"ok", "out", "loaded"}``."""
    environ = {k: v for k, v in os.environ.items() if k != "LIVEIMPORT_NO_AUTOLOAD"}
    environ.update(IPYTHONDIR=str(tmp_path / ".ipython"), TERM="dumb", **env)
    proc = subprocess.run(
        [sys.executable, "-c", DRIVER],
        input=json.dumps(cells),
        cwd=tmp_path,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    for r in results:
        r["out"] = _ANSI.sub("", r["out"])
    return results


EDIT = textwrap.dedent(f"""
    import os, time
    with open("helpers.py", "w") as file:
        file.write({V2!r})
    os.utime("helpers.py", (time.time() + 5, time.time() + 5))
    """)
PAST_GRACE = 1.2  # seconds: more than LiveImport's grace period


@pytest.mark.parametrize("magic", ["%%liveimport", "#_%%liveimport"])
def test_first_cell_may_be_a_liveimport_cell(tmp_path, magic):
    (tmp_path / "helpers.py").write_text(V1)
    plain, first, edit, after, status = run_ipython(
        tmp_path,
        [
            "import sys\nx = 1",
            f"{magic}\nimport helpers\nfrom helpers import f\nprint('f ->', f())",
            EDIT,
            PAST_GRACE,
            "print('f ->', f())",
            "%liveimport",
        ],
    )
    assert plain["ok"] and plain["loaded"] == [], (
        "nothing of LiveImport is imported before its first cell"
    )
    assert first["ok"], first["out"]
    assert "f -> 1" in first["out"]
    assert "liveimport" in first["loaded"]
    assert edit["ok"], edit["out"]
    assert after["ok"], after["out"]
    assert "Reloaded helpers modified" in after["out"]
    assert "f -> 2" in after["out"]
    assert status["ok"] and "helpers" in status["out"] and "from helpers import f" in status["out"]


def test_line_magic_first(tmp_path):
    (result,) = run_ipython(tmp_path, ["%liveimport"])
    assert result["ok"], result["out"]
    assert "liveimport" in result["loaded"]


def test_a_kernel_that_never_uses_it_imports_nothing(tmp_path):
    results = run_ipython(
        tmp_path,
        [
            "import json\nprint(json.dumps([1]))",
            "y = [i for i in range(3)]",
            "z = 2\n#_%%liveimport is special on a first line only",
        ],
    )
    assert all(r["ok"] for r in results), results
    assert [r["loaded"] for r in results] == [[], [], []]


@pytest.mark.parametrize("value", ["1", "yes", "TRUE"])
def test_no_autoload_turns_it_off(tmp_path, value):
    (tmp_path / "helpers.py").write_text(V1)
    (result,) = run_ipython(
        tmp_path, ["%%liveimport\nimport helpers"], LIVEIMPORT_NO_AUTOLOAD=value
    )
    assert not result["ok"]
    assert "Cell magic `%%liveimport` not found" in result["out"]
    assert result["loaded"] == []


@pytest.mark.parametrize("value", ["0", "false"])
def test_no_autoload_zero_or_false_keeps_it_on(tmp_path, value):
    (tmp_path / "helpers.py").write_text(V1)
    (result,) = run_ipython(
        tmp_path, ["%%liveimport\nimport helpers"], LIVEIMPORT_NO_AUTOLOAD=value
    )
    assert result["ok"], result["out"]


def test_load_ext_in_a_fresh_ipython(tmp_path):
    (tmp_path / "helpers.py").write_text(V1)
    load, first = run_ipython(
        tmp_path,
        ["%load_ext liveimport", "%%liveimport\nimport helpers"],
        LIVEIMPORT_NO_AUTOLOAD="1",
    )
    assert load["ok"], load["out"]
    assert "liveimport" in load["loaded"]
    assert first["ok"], first["out"]
