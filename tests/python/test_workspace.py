"""Indirect tracking through the workspace, liveimport.workspace, status(),
_reset() and poll_lazy_imports()."""

import dataclasses
import os
import sys

import pytest

import liveimport
from liveimport import ModuleError
from liveimport_fixtures import ModuleDir, mods, ns, reloads, synced, syspath_prepend  # noqa: F401


@pytest.fixture
def outside(mods, monkeypatch):
    """A second module directory on sys.path but outside the workspace."""
    root = mods.root.parent / "outside"
    root.mkdir()
    syspath_prepend(monkeypatch, str(root))
    return ModuleDir(root)


def names(status):
    return [m.name for m in status.modules]


def test_default_workspace_is_the_working_directory(mods):
    assert liveimport.status().workspace == (os.path.abspath(os.getcwd()),)


def test_indirect_tracking_follows_the_workspace(mods, outside, ns):
    outside.write("far.py", "F = 1\n")
    mods.write("near.py", "N = 1\n")
    mods.write("deep.py", "D = 1\n")
    mods.write("helper.py", "import deep\nH = 1\n")
    mods.write("top.py", "import near, far\nfrom helper import H\nT = 1\n")
    mods.load(ns, "import top")
    status = liveimport.status()
    assert names(status)[0] == "top"
    assert set(names(status)) == {"top", "helper", "near", "deep"}
    assert status.module("top").direct
    assert not status.module("helper").direct
    assert status.module("deep").imported_by == ("helper",)
    assert status.module("far") is None

    outside.write("far.py", "F = 2\n")
    assert synced() == []  # not tracked: outside the workspace
    mods.touch("deep.py")
    assert reloads(synced()) == [
        ("deep", "modified", []),
        ("helper", "dependent", ["deep"]),
        ("top", "dependent", ["helper"]),
    ]


def test_empty_workspace_tracks_only_named_modules(mods, ns):
    mods.write("helper.py", "H = 1\n")
    mods.write("top.py", "import helper\n")
    liveimport.workspace()
    assert liveimport.status().workspace == ()
    mods.load(ns, "import top")
    assert names(liveimport.status()) == ["top"]
    mods.touch("helper.py")
    assert synced() == []


def test_extending_the_workspace_tracks_new_modules_at_once(mods, outside, ns):
    outside.write("far.py", "F = 1\n")
    mods.write("top.py", "import far\n")
    mods.load(ns, "import top")
    assert liveimport.status().module("far") is None
    liveimport.workspace(outside.root, extend=True)
    assert liveimport.status().workspace == (str(mods.root), str(outside.root))
    assert liveimport.status().module("far").imported_by == ("top",)
    outside.touch("far.py")
    assert reloads(synced()) == [("far", "modified", []), ("top", "dependent", ["far"])]


def test_shrinking_the_workspace_stops_syncing_indirect_modules(mods, ns):
    mods.write("helper.py", "H = 1\n")
    mods.write("top.py", "import helper\n")
    mods.load(ns, "import top")
    assert liveimport.status().module("helper") is not None
    liveimport.workspace()
    mods.touch("helper.py")
    assert synced() == []
    mods.touch("top.py")  # directly named modules still sync
    assert reloads(synced()) == [("top", "modified", [])]


def test_workspace_paths(mods):
    (mods.root / "lib").mkdir()
    (mods.root / "src").mkdir()
    liveimport.workspace("lib", mods.root / "src", "lib/../src")
    assert liveimport.status().workspace == (str(mods.root / "lib"), str(mods.root / "src"))
    liveimport.workspace("lib", extend=True)
    assert liveimport.status().workspace == (str(mods.root / "lib"), str(mods.root / "src"))


def test_workspace_rejects_missing_paths_and_files(mods):
    mods.write("plain.py", "")
    missing = os.path.join(str(mods.root), "missing")
    with pytest.raises(ValueError, match="missing does not exist"):
        liveimport.workspace(mods.root, "missing")
    with pytest.raises(ValueError, match=r"plain.py is not a directory"):
        liveimport.workspace("plain.py")
    assert missing not in liveimport.status().workspace
    assert liveimport.status().workspace == (str(mods.root),)  # unchanged


def test_analysis_error_in_indirect_module(mods, ns):
    mods.write("helper.py", "H = 1\n")
    mods.write("other.py", "O = 1\n")
    mods.write("top.py", "import helper, other\n")
    exec("import top", ns)
    mods.write("helper.py", "H = (\n")
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "import top")
    assert (info.value.module, info.value.phase) == ("helper", "analysis")
    assert isinstance(info.value.__cause__, SyntaxError)
    status = liveimport.status(ns)
    assert status.statements == ("import top",)  # the registration itself stands
    assert status.module("other") is not None  # everything else was tracked
    assert status.module("helper") is None


# --- status ------------------------------------------------------------------


def test_status_snapshot(mods, ns):
    mods.write("helper.py", "H = 1\n")
    mods.write("m.py", "import helper\nx = 1\ny = 2\n")
    mods.load(ns, "from m import x\nimport m as mm\nfrom m import *")
    status = liveimport.status(ns)
    assert status.workspace == (str(mods.root),)
    m = status.module("m")
    assert m == liveimport.TrackedModule("m", str(mods.path("m.py")), mods.mtime("m.py"), True, ())
    helper = status.module("helper")
    assert (helper.direct, helper.imported_by) == (False, ("m",))
    assert helper.file == str(mods.path("helper.py"))
    assert status.statements == ("from m import x", "import m as mm", "from m import *")
    assert liveimport.status().statements == ()
    assert liveimport.status({}).statements == ()
    with pytest.raises(dataclasses.FrozenInstanceError):
        status.workspace = ()

    text = str(status)
    assert "Workspace:" in text and str(mods.root) in text
    assert "Tracked modules:" in text
    lines = text.splitlines()
    row = next(line for line in lines if line.strip().startswith("helper "))
    assert "indirect" in row and " m " in row and str(mods.path("helper.py")) in row
    assert "  from m import *" in lines


def test_status_mtime_follows_syncs(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    mods.write("m.py", "x = 2\n")
    assert liveimport.status().module("m").mtime != mods.mtime("m.py")
    synced()
    assert liveimport.status().module("m").mtime == mods.mtime("m.py")


def test_status_of_nothing(mods):
    text = str(liveimport.status())
    assert "(none)" in text
    assert liveimport.status().modules == ()


# --- reset ---------------------------------------------------------------------


def test_reset_forgets_everything(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    liveimport.workspace()
    liveimport._reset()
    status = liveimport.status(ns)
    assert status.modules == () and status.statements == ()
    assert status.workspace == (str(mods.root),)
    mods.write("m.py", "x = 2\n")
    assert synced() == []
    assert ns["x"] == 1


# --- lazy imports ----------------------------------------------------------------


def test_poll_lazy_imports_without_lazy_modules(mods):
    assert liveimport.poll_lazy_imports() is None
    assert "lazy" in liveimport.poll_lazy_imports.__doc__


def test_poll_lazy_imports_tracks_reified_modules(mods, ns, monkeypatch):
    # Simulates PEP 810 (Python 3.15): "helper" was imported lazily by top
    # and is not loaded yet, so it cannot be tracked until it is.
    mods.write("helper.py", "H = 1\n")
    mods.write("top.py", "import helper\n")
    exec("import top", ns)
    del sys.modules["helper"]
    monkeypatch.setattr(sys, "lazy_modules", {"helper"}, raising=False)
    liveimport.register(ns, "import top")
    assert liveimport.status().module("helper") is None
    liveimport.poll_lazy_imports()
    assert liveimport.status().module("helper") is None  # still not loaded
    import helper  # noqa: F401  (reification)

    liveimport.poll_lazy_imports()
    assert liveimport.status().module("helper").imported_by == ("top",)


def test_register_loads_lazily_imported_module(mods, ns, monkeypatch):
    mods.write("helper.py", "H = 1\n")
    exec("import helper", ns)
    del sys.modules["helper"]
    monkeypatch.setattr(sys, "lazy_modules", {"helper"}, raising=False)
    liveimport.register(ns, "import helper")
    assert "helper" in sys.modules
    assert liveimport.status().module("helper").direct
