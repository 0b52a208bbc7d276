"""Modules without a ``.py`` source file in registered statements (issue 10):
built-in, frozen, extension and zip-imported modules, modules with an unknown
source extension and namespace packages are registered and tracked as having
no source file, as LiveImport 1.3.1 does; their submodules with files reload."""

import importlib.machinery
import importlib.util
import os
import sys
import types
import zipfile

import pytest

import liveimport
from liveimport_fixtures import (  # noqa: F401 (fixtures)
    invalidate_caches,
    mods,
    ns,
    reloads,
    synced,
    syspath_prepend,
)
from nbshell import nb  # noqa: F401 (fixture)


def tracked(name):
    return liveimport.status().module(name)


STDLIB_STATEMENTS = [
    "import math",
    "import sys",
    "from math import pi",
    "import os.path",
    "from os import path",
    "import math as m2, sys as s2",
]


@pytest.mark.parametrize("statement", STDLIB_STATEMENTS)
def test_stdlib_modules_without_source_register(mods, ns, statement):
    mods.write("helpers.py", "H = 1\n")
    mods.load(ns, statement + "\nimport helpers")
    status = liveimport.status(ns)
    assert status.statements[-1] == "import helpers"
    assert len(status.statements) >= 2
    mods.write("helpers.py", "H = 2\n")
    assert reloads(synced()) == [("helpers", "modified", [])]
    assert ns["helpers"].H == 2


def test_builtin_module_is_tracked_without_file_and_never_reloads(mods, ns):
    mods.load(ns, "import sys\nfrom math import pi")
    for name in ("sys", "math"):
        info = tracked(name)
        assert info is not None and info.direct
        assert info.file is None and info.mtime is None
    assert synced() == []
    text = str(liveimport.status())
    assert "no file" in text


def test_names_bound_from_file_less_modules_are_still_checked(mods, ns):
    exec("import math", ns)
    with pytest.raises(
        ValueError, match=r"^No name pi in namespace; missing from math import pi\?$"
    ):
        liveimport.register(ns, "from math import pi")
    with pytest.raises(
        ValueError, match=r"^No name nope in math; missing from math import nope\?$"
    ):
        ns["nope"] = 0
        liveimport.register(ns, "from math import nope")


def test_module_whose_spec_is_none_is_rejected(mods, ns, monkeypatch):
    module = types.ModuleType("nospec_mod")
    module.__spec__ = None
    monkeypatch.setitem(sys.modules, "nospec_mod", module)
    exec("import nospec_mod", ns)
    with pytest.raises(ValueError, match=r"^Module nospec_mod has no spec$"):
        liveimport.register(ns, "import nospec_mod")
    assert liveimport.status(ns).statements == ()


def test_unknown_source_extension_and_no_location(mods, ns, monkeypatch):
    spec = importlib.machinery.ModuleSpec("odd_mod", None, origin=str(mods.path("odd_mod.txt")))
    spec.has_location = True
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "odd_mod", module)
    exec("import odd_mod", ns)
    liveimport.register(ns, "import odd_mod")
    assert tracked("odd_mod").file is None
    assert synced() == []


def test_zip_imported_module_registers(mods, ns, monkeypatch):
    archive = mods.path("bundle.zip")
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped_mod.py", "Z = 1\n")
    syspath_prepend(monkeypatch, str(archive))
    invalidate_caches()
    mods.load(ns, "from zipped_mod import Z")
    info = tracked("zipped_mod")
    assert info is not None and info.mtime is None  # its "file" lives inside the archive
    assert synced() == []
    assert ns["Z"] == 1


def test_namespace_package_submodule_reloads_with_dependents(mods, ns):
    mods.write("nspkg/mod.py", "VALUE = 1\n")
    mods.write("user.py", "from nspkg.mod import VALUE\nDOUBLE = VALUE * 2\n")
    mods.load(ns, "import nspkg\nfrom nspkg import mod\nimport user")
    assert tracked("nspkg").file is None
    assert tracked("nspkg.mod").file == os.path.abspath(mods.path("nspkg/mod.py"))
    mods.write("nspkg/mod.py", "VALUE = 5\n")
    assert reloads(synced()) == [
        ("nspkg.mod", "modified", []),
        ("user", "dependent", ["nspkg.mod"]),
    ]
    assert ns["mod"].VALUE == 5
    assert ns["user"].DOUBLE == 10


def test_import_of_namespace_package_submodule(mods, ns):
    mods.write("nsp2/inner.py", "X = 1\n")
    mods.load(ns, "import nsp2.inner")
    mods.write("nsp2/inner.py", "X = 2\n")
    assert reloads(synced()) == [("nsp2.inner", "modified", [])]
    assert ns["nsp2"].inner.X == 2


def test_hidden_magic_cell_with_math_and_namespace_package(nb):
    nb.write("nsq/mod.py", "def f():\n    return 1\n")
    cell = nb.run("""
        #_%%liveimport
        import math
        from math import pi
        from nsq import mod
        print("first", mod.f())
        """)
    assert cell.error is None, cell.stderr
    assert "first 1" in cell.stdout
    assert liveimport.status(nb.ns).statements == (
        "import math",
        "from math import pi",
        "from nsq import mod",
    )
    nb.write("nsq/mod.py", "def f():\n    return 2\n")
    cell = nb.run("print('now', mod.f(), round(pi, 2))")
    assert cell.error is None, cell.stderr
    assert "now 2 3.14" in cell.stdout
    assert any("Reloaded nsq.mod" in line for report in cell.reports for line in report)


def test_cell_magic_with_sys_and_os_path(nb):
    nb.write("tool.py", "T = 1\n")
    cell = nb.run("""
        %%liveimport
        import sys
        import os.path
        from os import path
        import tool
        """)
    assert cell.error is None, cell.stderr
    assert liveimport.status(nb.ns).statements == (
        "import sys",
        "import os.path",
        "from os import path",
        "import tool",
    )
    shown = nb.run("%liveimport").outputs
    text = "\n".join(str(data.get("text/plain", "")) for data in shown)
    assert "no file" in text
