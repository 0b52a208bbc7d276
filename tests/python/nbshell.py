"""A notebook stand-in for the notebook integration tests (``test_notebook*.py``).

The ``nb`` fixture gives each test a real IPython ``InteractiveShell`` (the
kernel of Jupyter and of JupyterLite's Pyodide kernel) with LiveImport
installed into it, a fresh module directory (the current directory, on
``sys.path`` and the LiveImport workspace) and a fake clock for the grace
period. Cells run through ``shell.run_cell``; each returns a :class:`Cell`
holding what a user would see: stdout, stderr, the display data (reload
reports, ``%liveimport`` output) and the ``error`` outputs (reload failures,
and the cell's own error), recorded as ipykernel publishes them: every
error display of IPython ends in ``shell._showtraceback(etype, evalue,
stb)``, which ipykernel overrides to send the IOPub ``error`` message
``{"ename": etype.__name__, "evalue": str(evalue), "traceback": stb}``
(here the shell also prints the lines, as a terminal IPython does).

Runs natively and inside Pyodide: no subprocesses, no threads (IPython's
history, which would start a thread, is off), no network.
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

import liveimport
import liveimport._nbi as nbi
from liveimport_fixtures import isolated_directory

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def plain(text: str) -> str:
    """``text`` without ANSI colour codes."""
    return _ANSI.sub("", text)


class FakeClock:
    """Stands in for ``time.monotonic`` in ``liveimport._nbi`` (seconds)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Cell:
    """What running one cell showed.

    :ivar result: IPython's ``ExecutionResult``.
    :ivar stdout: printed text, including IPython's tracebacks of the cell.
    :ivar stderr: error stream text (none from LiveImport in a shell: its
        failures are error outputs, ``errors``).
    :ivar outputs: display data bundles (``{mime: text}``), in order.
    :ivar errors: the ``error`` outputs, in order: ``{"ename": str,
        "evalue": str, "traceback": [str], "position": int}``, ``position``
        being the number of display outputs shown before it.
    """

    def __init__(
        self,
        result: Any,
        stdout: str,
        stderr: str,
        outputs: list[dict[str, Any]],
        errors: list[dict[str, Any]] | None = None,
    ):
        self.result = result
        self.stdout = plain(stdout)
        self.stderr = plain(stderr)
        self.outputs = outputs
        self.errors = errors or []

    @property
    def status(self) -> str:
        """The execute reply's status ipykernel would send: ``"ok"`` unless
        the cell itself failed (``ExecutionResult.success``)."""
        return "ok" if self.result.success else "error"

    @property
    def kinds(self) -> list[str]:
        """The output types in the order shown: ``"display_data"`` and
        ``"error"`` (streams are not ordered here)."""
        kinds = ["display_data"] * len(self.outputs)
        for error in reversed(self.errors):
            kinds.insert(error["position"], "error")
        return kinds

    @property
    def failure(self) -> str:
        """The text of every ``error`` output (see :meth:`error_text`), each
        ending with a newline: the reload failures a user reads."""
        return "".join(self.error_text(i) + "\n" for i in range(len(self.errors)))

    def error_text(self, index: int = 0) -> str:
        """The traceback lines of the ``index``-th error output, joined, as
        a frontend shows them (without colour codes)."""
        return plain("\n".join(self.errors[index]["traceback"]))

    @property
    def error(self) -> BaseException | None:
        """The cell's error, if it failed."""
        return self.result.error_before_exec or self.result.error_in_exec

    @property
    def reports(self) -> list[list[str]]:
        """The lines of each Markdown console block displayed, in order."""
        blocks = []
        for data in self.outputs:
            markdown = data.get("text/markdown", "")
            if markdown.startswith("```console\n") and markdown.endswith("\n```"):
                blocks.append(markdown[len("```console\n") : -len("\n```")].split("\n"))
        return blocks


_SHELL: Any = None


def get_shell(tmp_dir: Path) -> Any:
    """The process's ``InteractiveShell`` singleton, created on first use
    without history (no thread, no sqlite file) and with its profile
    directory under ``tmp_dir``; ``sys.modules["__main__"]`` is left as it
    was."""
    global _SHELL
    if _SHELL is None:
        from IPython.core.interactiveshell import InteractiveShell
        from traitlets.config import Config

        config = Config()
        config.HistoryManager.enabled = False
        saved_env = os.environ.get("IPYTHONDIR")
        saved_main = sys.modules.get("__main__")
        os.environ["IPYTHONDIR"] = str(tmp_dir)
        try:
            _SHELL = InteractiveShell.instance(config=config)
        finally:
            if saved_env is None:
                os.environ.pop("IPYTHONDIR", None)
            else:
                os.environ["IPYTHONDIR"] = saved_env
            if saved_main is not None:
                sys.modules["__main__"] = saved_main
    return _SHELL


class Notebook:
    """A shell with LiveImport installed plus a directory of modules.

    ``run`` advances the fake clock by ``pause`` seconds (default 10: a user
    thinking between cells, well over the 1 s grace period) and runs a cell.
    """

    def __init__(self, shell: Any, root: Path, clock: FakeClock):
        self.shell = shell
        self.root = root
        self.clock = clock
        self._tick = float(int(time.time()) - 7200)

    @property
    def ns(self) -> dict[str, Any]:
        """The notebook's namespace."""
        return self.shell.user_ns

    def write(self, name: str, text: str, *, age: float | None = None) -> Path:
        """Write module file ``name`` (dedented) and set its mtime to ``age``
        seconds before now, or by default to the next tick of a 10 s clock
        that started two hours ago; returns the path."""
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        if age is None:
            self._tick += 10.0
            mtime = self._tick
        else:
            mtime = time.time() - age
        os.utime(path, (mtime, mtime))
        return path

    def run(self, code: str, *, pause: float = 10.0, store_history: bool = True) -> Cell:
        """Run a cell (dedented) after ``pause`` fake seconds."""
        from IPython.utils.capture import capture_output

        self.clock.advance(pause)
        code = textwrap.dedent(code).lstrip("\n")
        errors: list[dict[str, Any]] = []
        shell = self.shell
        shown = type(shell)._showtraceback.__get__(shell)

        def showtraceback(etype: type, evalue: BaseException, stb: list[str]) -> None:
            errors.append(
                {
                    "ename": etype.__name__,
                    "evalue": str(evalue),
                    "traceback": list(stb),
                    "position": len(shell.display_pub.outputs),
                }
            )
            shown(etype, evalue, stb)

        shell._showtraceback = showtraceback
        try:
            with capture_output(display=True) as captured:
                result = shell.run_cell(code, store_history=store_history)
        finally:
            del shell._showtraceback
        return Cell(
            result,
            captured.stdout,
            captured.stderr,
            [dict(output.data) for output in captured.outputs],
            errors,
        )


def hook_counts(shell: Any) -> tuple[int, int, int]:
    """How many LiveImport pre_run_cell hooks, post_run_cell hooks and hidden
    magic transformers ``shell`` has."""

    def ours(callback: Any) -> bool:
        owner = getattr(callback, "__self__", callback)
        return getattr(owner, "_liveimport_hook", False) or getattr(
            callback, "_liveimport_hook", False
        )

    return (
        sum(map(ours, shell.events.callbacks["pre_run_cell"])),
        sum(map(ours, shell.events.callbacks["post_run_cell"])),
        sum(map(ours, shell.input_transformers_cleanup)),
    )


@pytest.fixture
def nb(tmp_path, tmp_path_factory, monkeypatch):
    """A :class:`Notebook` in a fresh module directory with LiveImport reset."""
    shell = get_shell(tmp_path_factory.mktemp("ipython"))
    clock = FakeClock()
    monkeypatch.setattr(nbi, "_monotonic", clock)

    def reset() -> None:
        shell.reset(new_session=False)
        liveimport._reset()

    with isolated_directory(tmp_path, monkeypatch, "nb", reset) as root:
        yield Notebook(shell, root, clock)
