"""Loading Pyodide packages along the module graph (``liveimport._packages``,
issue 20): the engine's rule (which top-level modules a module imports at top
level, and where), what a cell shows when a workspace module imports something
no package provides, and where the preparation is installed. Loading itself
needs Pyodide's ``loadPackage`` (tests/pyodide/packages.test.mjs)."""

from __future__ import annotations

import sys
from types import SimpleNamespace
from typing import Any

import pytest

import liveimport
import liveimport._nbi as nbi
import liveimport._packages as packages
from liveimport import _engine
from liveimport_fixtures import mods  # noqa: F401  (fixture)


def run(coroutine: Any) -> Any:
    """Drive a coroutine that never suspends (nothing to load) to its result."""
    with pytest.raises(StopIteration) as stop:
        coroutine.send(None)
    return stop.value.value


def test_the_engine_names_the_top_level_modules_a_module_imports_and_where():
    source = (
        "import os, scipy.ndimage\nfrom scipy.optimize import fit\n"
        "if x:\n    import nested\nfrom . import sib\n"
    )
    FIRST = "import os, scipy.ndimage"
    assert _engine.import_lines(source, "pkg", "pkg/m.py") == [
        ("os", ["os"], 1, FIRST),
        (
            "scipy",
            ["scipy.ndimage", "scipy.optimize", "scipy.optimize.fit"],
            1,
            "import os, scipy.ndimage",
        ),
        ("pkg", ["pkg", "pkg.sib"], 5, "from . import sib"),
    ]
    with pytest.raises(SyntaxError):
        _engine.import_lines("import (a\n", "", "m.py")


def test_an_import_no_package_provides_is_named_with_its_module_and_line(mods, capsys):
    mods.write("helpers.py", "import os\nfrom mid import g\n")
    mods.write("mid.py", "import json\n\nimport no_such_package_xyz\ng = 1\n")
    assert run(packages.prepare("%%liveimport\nimport helpers\n", sync=False)) == []
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        "mid.py, line 3: import no_such_package_xyz: no package of this Pyodide provides "
        "'no_such_package_xyz'; install it with %pip install no_such_package_xyz\n"
    )
    with pytest.raises(ModuleNotFoundError):
        import helpers  # noqa: F401


def test_modules_already_imported_cost_no_look_up(mods, capsys):
    mods.write("helpers.py", "import no_such_package_xyz\n")
    sys.modules["helpers"] = SimpleNamespace(__file__=str(mods.path("helpers.py")))  # type: ignore[assignment]
    try:
        assert run(packages.prepare("import helpers\nx = 1\n")) == []
        assert run(packages.prepare("x = 1\n")) == []
    finally:
        del sys.modules["helpers"]
    assert capsys.readouterr() == ("", "")


def test_turned_off_it_does_nothing(mods, capsys):
    mods.write("helpers.py", "import no_such_package_xyz\n")
    packages.load_packages(False)
    try:
        assert run(packages.prepare("import helpers\n")) == []
    finally:
        packages.load_packages()
    assert capsys.readouterr() == ("", "")
    with pytest.raises(ValueError, match="positive number"):
        packages.load_packages(timeout=-1)


class FakeTransformManager:
    def __init__(self) -> None:
        self.line_transforms: list[Any] = ["pip_magic"]


def test_installed_as_pyodide_kernel_line_transform_in_pyodide_only(mods):
    shell = SimpleNamespace(kernel=SimpleNamespace(lite_transform_manager=FakeTransformManager()))
    transforms = shell.kernel.lite_transform_manager.line_transforms
    installed = packages.install(shell, nbi.auto_sync_enabled)
    assert installed == (sys.platform == "emscripten")
    packages.install(shell, nbi.auto_sync_enabled)
    assert len(transforms) == (2 if installed else 1)
    assert transforms[0] == "pip_magic"
    if installed:  # the transform hands the lines on unchanged
        assert run(transforms[1](["x = 1\n"])) == ["x = 1\n"]
    packages.uninstall(shell)
    assert transforms == ["pip_magic"]
    assert packages.install(SimpleNamespace(), nbi.auto_sync_enabled) is False
    assert liveimport  # the package imports without pyodide_kernel
