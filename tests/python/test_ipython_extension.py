"""``%load_ext liveimport`` (IPython's extension protocol) in a real IPython
shell (see nbshell); runs natively and inside Pyodide."""

from __future__ import annotations

import liveimport
import liveimport._nbi as nbi
from nbshell import hook_counts, nb  # noqa: F401  (fixture)

HELPERS = "def f():\n    return 1\n"


def _forget(shell):
    """The shell as if LiveImport had never been installed into it."""
    nbi._uninstall(shell)
    for kind in ("line", "cell"):
        shell.magics_manager.magics[kind].pop("liveimport", None)
    shell.extension_manager.loaded.discard("liveimport")


def test_load_ext_installs_magics_and_hooks(nb):
    _forget(nb.shell)
    assert hook_counts(nb.shell) == (0, 0, 0)
    cell = nb.run("%%liveimport\nx = 1")
    assert cell.error is not None, "no magic before %load_ext"

    cell = nb.run("%load_ext liveimport")
    assert cell.error is None, cell.stdout
    assert hook_counts(nb.shell) == (1, 1, 1)
    nb.write("helpers.py", HELPERS)
    cell = nb.run("#_%%liveimport\nimport helpers")
    assert cell.error is None, cell.stdout
    assert liveimport.status(nb.ns).statements == ("import helpers",)


def test_load_ext_twice_installs_once(nb):
    nb.run("%load_ext liveimport")
    nb.run("%reload_ext liveimport")
    liveimport.load_ipython_extension(nb.shell)
    assert hook_counts(nb.shell) == (1, 1, 1)
    assert nbi._HANDLER is not None and nbi._HANDLER.shell is nb.shell
