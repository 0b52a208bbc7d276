"""liveimport.sync: change detection, reload order, rebinding, reload events
and transactional failure handling."""

import importlib
import os
import sys
import time

import pytest

import liveimport
from liveimport import ModuleError
from liveimport_fixtures import mods, ns, page_write, reloads, synced  # noqa: F401 (fixtures)

# --- detection ---------------------------------------------------------------


def test_modified_module_reloads_and_rebinds(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    module = sys.modules["m"]
    assert synced() == []
    mods.write("m.py", "x = 2\n")
    mtime = mods.mtime("m.py")
    events = synced()
    assert reloads(events) == [("m", "modified", [])]
    assert events[0].mtime == mtime
    assert str(events[0]).startswith("Reloaded m modified ")
    assert ns["x"] == 2
    assert sys.modules["m"] is module  # reloaded in place, not replaced
    assert synced() == []  # seen now


def test_sync_without_observer(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    mods.write("m.py", "x = 2\n")
    liveimport.sync()
    assert ns["x"] == 2


def test_older_mtime_counts_as_modified(mods, ns):
    mods.write("m.py", "x = 1\n")
    old = mods.mtime("m.py")
    mods.write("m.py", "x = 2\n")
    mods.load(ns, "from m import x")
    mods.write("m.py", "x = 1\n", mtime=old)  # a reverted file
    assert reloads(synced()) == [("m", "modified", [])]
    assert ns["x"] == 1


def test_unchanged_content_with_new_mtime_reloads(mods, ns):
    mods.write("m.py", "import random\nx = random.random()\n")
    mods.load(ns, "from m import x")
    before = ns["x"]
    mods.touch("m.py")
    assert len(synced()) == 1
    assert ns["x"] != before


def test_deleted_file_is_skipped_then_recreated(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    os.remove(mods.path("m.py"))
    assert synced() == []  # no error
    assert ns["x"] == 1
    mods.write("m.py", "x = 3\n")
    assert reloads(synced()) == [("m", "modified", [])]
    assert ns["x"] == 3


def test_unregistered_namespace_is_untouched(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    other = {}
    exec("from m import x", other)
    mods.write("m.py", "x = 2\n")
    synced()
    assert ns["x"] == 2 and other["x"] == 1


def test_two_namespaces_rebind(mods, ns):
    mods.write("m.py", "x = 1\n")
    other = {}
    mods.load(ns, "from m import x")
    mods.load(other, "from m import x as y")
    mods.write("m.py", "x = 2\n")
    assert len(synced()) == 1
    assert ns["x"] == 2 and other["y"] == 2


# --- order ------------------------------------------------------------------


def test_dependent_reloads_after_dependency(mods, ns):
    mods.write("base.py", "VALUE = 1\n")
    mods.write("mid.py", "from base import VALUE\ndef get():\n    return VALUE\n")
    mods.load(ns, "from mid import get")  # base is tracked through the workspace
    mods.write("base.py", "VALUE = 2\n")
    events = synced()
    assert reloads(events) == [("base", "modified", []), ("mid", "dependent", ["base"])]
    assert str(events[1]) == "Reloaded mid because base reloaded"
    assert ns["get"]() == 2


def test_dependents_chain_and_after_lists(mods, ns):
    mods.write("a.py", "A = 1\n")
    mods.write("b.py", "import a\nB = a.A\n")
    mods.write("c.py", "import a\nimport b\nC = (a.A, b.B)\n")
    mods.load(ns, "from c import C")
    mods.write("a.py", "A = 2\n")
    events = synced()
    assert reloads(events) == [
        ("a", "modified", []),
        ("b", "dependent", ["a"]),
        ("c", "dependent", ["a", "b"]),
    ]
    assert str(events[2]) == "Reloaded c because a and b reloaded"
    assert ns["C"] == (2, 2)


def test_modified_dependency_and_dependent_both_modified(mods, ns):
    mods.write("a.py", "A = 1\n")
    mods.write("b.py", "import a\nB = 1\n")
    mods.load(ns, "from b import B\nfrom a import A")
    mods.touch("b.py")
    mods.touch("a.py")
    assert reloads(synced()) == [("a", "modified", []), ("b", "modified", ["a"])]


def test_unrelated_modules_do_not_reload(mods, ns):
    mods.write("a.py", "A = 1\n")
    mods.write("b.py", "B = 1\n")
    mods.load(ns, "from a import A\nfrom b import B")
    mods.touch("b.py")
    assert reloads(synced()) == [("b", "modified", [])]


def test_import_cycle_is_broken_at_the_most_recently_tracked_module(mods, ns):
    mods.write("ping.py", "import pong\nP = 1\n")
    mods.write("pong.py", "import ping\nQ = 1\n")
    mods.load(ns, "import ping")  # pong is tracked after ping: its import is ignored
    assert liveimport.status().module("pong").imported_by == ("ping",)
    mods.touch("ping.py")
    mods.touch("pong.py")
    assert reloads(synced()) == [("pong", "modified", []), ("ping", "modified", ["pong"])]
    mods.touch("ping.py")
    assert reloads(synced()) == [("ping", "modified", [])]
    mods.touch("pong.py")
    assert reloads(synced()) == [("pong", "modified", []), ("ping", "dependent", ["pong"])]


def test_import_cycle_order_follows_tracking_order(mods, ns):
    mods.write("ping.py", "import pong\nP = 1\n")
    mods.write("pong.py", "import ping\nQ = 1\n")
    mods.load(ns, "import pong")  # now ping is the more recently tracked one
    mods.touch("ping.py")
    mods.touch("pong.py")
    assert reloads(synced()) == [("ping", "modified", []), ("pong", "modified", ["ping"])]


def test_submodule_import_rebinds_top_package(mods, ns):
    mods.write("pkg/__init__.py", "")
    mods.write("pkg/sub.py", "V = 1\n")
    mods.load(ns, "import pkg.sub")
    mods.write("pkg/sub.py", "V = 2\n")
    assert [e.module for e in synced()] == ["pkg.sub"]
    assert ns["pkg"] is sys.modules["pkg"]
    assert ns["pkg"].sub.V == 2


def test_reload_sees_files_created_after_start(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    mods.write("fresh.py", "F = 42\n")
    mods.write("m.py", "from fresh import F\nx = F\n")
    assert [e.module for e in synced()] == ["m"]
    assert ns["x"] == 42
    assert liveimport.status().module("fresh").imported_by == ("m",)  # tracked now
    mods.write("fresh.py", "F = 43\n")
    assert reloads(synced()) == [("fresh", "modified", []), ("m", "dependent", ["fresh"])]
    assert ns["x"] == 43


# --- transactional failures --------------------------------------------------


def test_failed_reload_restores_module_and_names(mods, ns):
    mods.write("m.py", "x = 1\ndef f():\n    return 'old'\n")
    mods.load(ns, "import m\nfrom m import x, f")
    module = sys.modules["m"]
    before = dict(module.__dict__)
    old_f = ns["f"]
    mods.write("m.py", "x = 2\ny = 5\ndef f():\n    return 'new'\nraise RuntimeError('boom')\n")
    events = []
    with pytest.raises(ModuleError) as info:
        liveimport.sync(observer=events.append)
    error = info.value
    assert (error.module, error.phase) == ("m", "reload")
    assert isinstance(error.__cause__, RuntimeError)
    assert str(error) == "Reload of m failed: boom"
    assert events == []
    assert sys.modules["m"] is module
    assert module.__dict__ == before  # exactly as before, no stray "y"
    assert ns["x"] == 1 and ns["f"] is old_f and ns["m"] is module

    with pytest.raises(ModuleError):  # still modified: retried
        liveimport.sync()
    mods.write("m.py", "x = 3\ndef f():\n    return 'fixed'\n")
    assert reloads(synced()) == [("m", "modified", [])]
    assert ns["x"] == 3 and ns["f"]() == "fixed"


def test_syntax_error_at_sync_is_an_analysis_error(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    mods.write("m.py", "x = = 2\n")
    with pytest.raises(ModuleError) as info:
        liveimport.sync()
    assert info.value.phase == "analysis"  # found by the parser, before running anything
    assert isinstance(info.value.__cause__, SyntaxError)
    assert sys.modules["m"].x == 1 and ns["x"] == 1
    mods.write("m.py", "x = 2\n")
    liveimport.sync()
    assert ns["x"] == 2


def test_non_utf8_file_fails_reload_and_is_retried(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    mods.write("m.py", "x = 'caf\xe9'\n".encode("latin-1"))
    with pytest.raises(ModuleError) as info:
        liveimport.sync()
    assert isinstance(info.value.__cause__, SyntaxError)
    assert ns["x"] == 1
    mods.write("m.py", "# coding: latin-1\nx = 'caf\xe9'\n".encode("latin-1"))
    liveimport.sync()
    assert ns["x"] == "caf\xe9"


def test_missing_name_after_reload_is_a_failure(mods, ns):
    mods.write("m.py", "def f():\n    return 1\n")
    mods.load(ns, "from m import f")
    old_f = ns["f"]
    # reload keeps the old module dict, so a removed definition survives a
    # reload; a module that deletes the name really loses it
    mods.write("m.py", "def g():\n    return 2\ndel f\n")
    with pytest.raises(ModuleError) as info:
        liveimport.sync()
    cause = info.value.__cause__
    assert isinstance(cause, ImportError)
    assert str(cause).startswith("cannot import name 'f' from 'm' (")
    assert sys.modules["m"].f is old_f and not hasattr(sys.modules["m"], "g")
    assert ns["f"] is old_f


def test_bad_all_after_reload_is_a_failure(mods, ns):
    mods.write("m.py", "__all__ = ['a']\na = 1\n")
    mods.load(ns, "from m import *")
    mods.write("m.py", "__all__ = ['a', 'gone']\na = 2\n")
    with pytest.raises(ModuleError) as info:
        liveimport.sync()
    assert isinstance(info.value.__cause__, AttributeError)
    assert ns["a"] == 1 and sys.modules["m"].a == 1


def test_failure_skips_dependents_but_not_others(mods, ns):
    mods.write("a.py", "A = 1\n")
    mods.write("b.py", "import a\nB = a.A\n")
    mods.write("c.py", "C = 1\n")
    mods.load(ns, "from b import B\nfrom c import C")
    mods.write("a.py", "A = 1 / 0\n")
    mods.write("c.py", "C = 2\n")
    events = []
    with pytest.raises(ModuleError) as info:
        liveimport.sync(observer=events.append)
    assert info.value.module == "a"
    assert isinstance(info.value.__cause__, ZeroDivisionError)
    assert reloads(events) == [("c", "modified", [])]  # c keeps its reload
    assert ns["C"] == 2 and ns["B"] == 1
    mods.write("a.py", "A = 5\n")
    assert reloads(synced()) == [("a", "modified", []), ("b", "dependent", ["a"])]
    assert ns["B"] == 5


def test_dependent_failure_keeps_dependency_reload(mods, ns):
    mods.write("a.py", "A = 1\n")
    mods.write("b.py", "import a\nB = a.A\n")
    mods.load(ns, "from b import B\nfrom a import A")
    mods.write("a.py", "A = 2\n")
    mods.write("b.py", "import a\nB = a.A\nraise ValueError('b broke')\n")
    events = []
    with pytest.raises(ModuleError) as info:
        liveimport.sync(observer=events.append)
    assert info.value.module == "b"
    assert reloads(events) == [("a", "modified", [])]
    assert ns["A"] == 2 and ns["B"] == 1
    mods.write("b.py", "import a\nB = a.A * 10\n")
    assert reloads(synced()) == [("b", "modified", [])]
    assert ns["B"] == 20


def test_module_removed_from_sys_modules(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    del sys.modules["m"]
    mods.touch("m.py")
    with pytest.raises(ModuleError) as info:
        liveimport.sync()
    assert isinstance(info.value.__cause__, ImportError)
    assert ns["x"] == 1
    importlib.import_module("m")
    assert [e.module for e in synced()] == ["m"]  # retried with the new module


# --- dependency analysis -----------------------------------------------------


def test_relative_imports_inside_packages_are_dependencies(mods, ns):
    mods.write("pkg/__init__.py", "")
    mods.write("pkg/base.py", "V = 1\n")
    mods.write("pkg/user.py", "from .base import V\nfrom . import base\n")
    mods.load(ns, "from pkg.user import V")
    assert liveimport.status().module("pkg.base").imported_by == ("pkg.user",)
    mods.write("pkg/base.py", "V = 2\n")
    assert reloads(synced()) == [
        ("pkg.base", "modified", []),
        ("pkg.user", "dependent", ["pkg.base"]),
    ]
    assert ns["V"] == 2


def test_only_top_level_imports_are_dependencies(mods, ns):
    for name in ("infunc", "inif", "intry", "inclass"):
        mods.write(f"{name}.py", "X = 1\n")
    mods.write(
        "m.py",
        """
        import sys
        def f():
            import infunc
        if sys:
            import inif
        try:
            import intry
        except ImportError:
            pass
        class C:
            import inclass
        """,
    )
    mods.load(ns, "import m")
    exec("import infunc, inif, intry, inclass", {})  # all loaded, in the workspace
    liveimport.workspace(mods.root)  # looks for new indirect modules again
    assert [m.name for m in liveimport.status().modules] == ["m"]


# --- event-driven sync (private hooks for frontends) ---------------------------


def test_mark_dirty_and_partial_sync(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    # Behind Python's back: a write by Python code would be noted by the audit
    # hook (installed for the rest of the process by an earlier test).
    page_write(mods.path("m.py"), "x = 2\n", time.time() + 10)
    events = []
    liveimport._core._sync(events.append, full=False)
    assert events == [] and ns["x"] == 1  # nothing marked: no file looked at
    assert liveimport._core._mark_dirty([mods.path("m.py")]) == 1
    liveimport._core._sync(events.append, full=False)
    assert reloads(events) == [("m", "modified", [])] and ns["x"] == 2
    assert liveimport._core._mark_dirty([mods.path("unrelated.py")]) == 0
