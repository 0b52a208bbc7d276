"""Syntax errors are analysis errors (issue 10, LiveImport 1.3.1's
``ModuleError(module, "analysis")``): whatever the running Python's parser
rejects in a tracked module is reported with CPython's own ``SyntaxError``
before anything runs, at ``register()``, ``workspace()`` and ``sync()``; the
module keeps its last good version and the next sync retries."""

import ast
import sys

import pytest

import liveimport
from liveimport import ModuleError
from liveimport_fixtures import mods, ns, reloads, synced  # noqa: F401 (fixtures)
from nbshell import nb  # noqa: F401 (fixture)

BROKEN = {
    "double equals": "x = = 1\n",
    "def without parameters' end": "def f(:\n    pass\n",
    "unclosed bracket": "x = (1,\n",
    "bad target": "f() = 1\n",
    "keyword as name": "class = 1\n",
    "python 2 print": "print 'hello'\n",
}


def cpython_error(source, filename):
    with pytest.raises(SyntaxError) as info:
        ast.parse(source, filename)
    return info.value


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_register_of_a_module_made_invalid(mods, ns, kind):
    mods.write("m.py", "x = 1\n")
    exec("import m", ns)
    path = mods.write("m.py", "import os\n" + BROKEN[kind])
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "import m")
    error = info.value
    assert (error.module, error.phase) == ("m", "analysis")
    expected = cpython_error("import os\n" + BROKEN[kind], str(path))
    cause = error.__cause__
    assert type(cause) is type(expected)
    assert (cause.msg, cause.filename, cause.lineno, cause.offset) == (
        expected.msg,
        expected.filename,
        expected.lineno,
        expected.offset,
    )
    assert str(error) == f"Analysis of m failed: {expected}"
    assert liveimport.status(ns).statements == ()


@pytest.mark.parametrize("kind", sorted(BROKEN))
def test_sync_reports_analysis_before_running_any_module(mods, ns, kind):
    mods.write(
        "counter.py", "import sys\nsys.li_counter_runs = getattr(sys, 'li_counter_runs', 0) + 1\n"
    )
    mods.write("m.py", "def f():\n    return 1\n")
    mods.load(ns, "import counter\nfrom m import f")
    runs = sys.li_counter_runs
    mods.write(
        "counter.py",
        "import sys\nsys.li_counter_runs = getattr(sys, 'li_counter_runs', 0) + 1\nZ = 1\n",
    )
    mods.write("m.py", BROKEN[kind])
    for _ in range(2):  # the next sync retries, and fails the same way, until fixed
        with pytest.raises(ModuleError) as info:
            liveimport.sync()
        assert (info.value.module, info.value.phase) == ("m", "analysis")
        assert isinstance(info.value.__cause__, SyntaxError)
        assert sys.li_counter_runs == runs, "no module of the sync ran"
        assert ns["f"]() == 1, "names stay bound to the last good version"
    mods.write("m.py", "def f():\n    return 2\n")
    assert sorted(event.module for event in synced()) == ["counter", "m"]
    assert ns["f"]() == 2 and sys.li_counter_runs == runs + 1


def test_indirect_module_is_analysed_when_tracking_starts(mods, ns):
    mods.write("helper.py", "H = 1\n")
    mods.write("main.py", "import helper\n")
    exec("import main", ns)
    mods.write("helper.py", "H = = 1\n")
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "import main")
    assert (info.value.module, info.value.phase) == ("helper", "analysis")
    assert liveimport.status(ns).statements == ("import main",)  # the direct module registered


def test_workspace_reports_newly_tracked_invalid_module(mods, ns, tmp_path):
    lib = tmp_path / "lib"
    lib.mkdir()
    (lib / "extra.py").write_text("E = 1\n")
    sys.path.insert(0, str(lib))
    try:
        mods.write("main.py", "import extra\n")
        mods.load(ns, "import main")
        assert liveimport.status().module("extra") is None
        (lib / "extra.py").write_text("E = (\n")
        with pytest.raises(ModuleError) as info:
            liveimport.workspace(mods.root, lib)
        assert (info.value.module, info.value.phase) == ("extra", "analysis")
    finally:
        sys.path.remove(str(lib))
        sys.modules.pop("extra", None)


@pytest.mark.skipif(sys.version_info >= (3, 14), reason="t-strings are valid from 3.14")
def test_syntax_of_a_later_python_is_an_analysis_error(mods, ns):
    mods.write("m.py", "x = 1\n")
    exec("import m", ns)
    mods.write("m.py", "x = t'hello {1}'\n")
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "import m")
    assert info.value.phase == "analysis"


@pytest.mark.skipif(sys.version_info < (3, 14), reason="t-strings and PEP 758 need 3.14")
def test_new_syntax_of_the_running_python_is_accepted(mods, ns):
    mods.write(
        "m.py", "x = t'hello {1}'\ntry:\n    pass\nexcept ValueError, TypeError:\n    pass\n"
    )
    mods.load(ns, "import m")
    assert liveimport.status().module("m") is not None


def test_relative_import_escaping_the_package_is_an_import_error_cause(mods, ns):
    mods.write("top.py", "x = 1\n")
    exec("import top", ns)
    mods.write("top.py", "from .. import x\n")
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "import top")
    assert info.value.phase == "analysis"
    assert isinstance(info.value.__cause__, ImportError)
    assert "Relative import .. is outside any package" in str(info.value.__cause__)


def test_notebook_cell_after_broken_save_shows_concise_analysis_error(nb):
    nb.write("helpers.py", "def f():\n    return 1\n")
    nb.run("%%liveimport\nfrom helpers import f")
    nb.write("helpers.py", "def f(:\n    return 2\n")
    cell = nb.run("print('still', f())")
    assert "still 1" in cell.stdout
    assert "helpers" in cell.failure and "line 1" in cell.failure
    assert "Traceback" not in cell.failure
    nb.write("helpers.py", "def f():\n    return 3\n")
    cell = nb.run("print('now', f())")
    assert "now 3" in cell.stdout and cell.stderr == "" and cell.errors == []
