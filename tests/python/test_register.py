"""liveimport.register: statement parsing, evidence checks, analysis errors,
aliases, star imports and the order of registered statements."""

import sys

import pytest

import liveimport
from liveimport import ModuleError
from liveimport_fixtures import mods, ns, reloads, synced  # noqa: F401 (fixtures)


def statements(namespace):
    return list(liveimport.status(namespace).statements)


def tracked(name):
    return liveimport.status().module(name)


# --- the statement text ------------------------------------------------------


def test_syntax_error_in_statements(mods, ns):
    with pytest.raises(SyntaxError) as info:
        liveimport.register(ns, "import")
    assert info.value.filename == "<importstmts>"
    assert info.value.lineno == 1


def test_mixed_indentation_is_a_syntax_error(mods, ns):
    mods.write("red.py", "R = 1\n")
    mods.write("green.py", "G = 1\n")
    exec("import red, green", ns)
    with pytest.raises(SyntaxError):
        liveimport.register(ns, "import red\n    import green")
    assert statements(ns) == []


def test_common_indentation_and_semicolons_are_fine(mods, ns):
    mods.write("red.py", "R = 1\n")
    mods.write("green.py", "G = 1\n")
    exec("import red, green", ns)
    liveimport.register(
        ns,
        """
        import red
        import green""",
    )
    assert statements(ns) == ["import red", "import green"]
    other = {}
    exec("import red, green", other)
    liveimport.register(other, "import green; import red")
    assert statements(other) == ["import green", "import red"]


def test_non_import_statement_rejected(mods, ns):
    mods.write("m.py", "x = 1\n")
    exec("import m", ns)
    with pytest.raises(ValueError, match="Expected only imports, found y = 2"):
        liveimport.register(ns, "import m\ny = 2\n")
    assert statements(ns) == []
    assert tracked("m") is None


def test_non_import_statement_allowed_and_ignored(mods, ns):
    mods.write("m.py", "x = 1\n")
    exec("import m", ns)
    liveimport.register(ns, "import m\ny = 2\nif y:\n    import os\n", allow_other_statements=True)
    assert statements(ns) == ["import m"]
    assert "y" not in ns  # registration never executes anything


def test_empty_text_registers_nothing(mods, ns):
    liveimport.register(ns, "")
    liveimport.register(ns, "\n   \n# only a comment\n")
    assert statements(ns) == []
    assert liveimport.status().modules == ()


# --- relative imports --------------------------------------------------------


def test_relative_import_without_package(mods, ns):
    with pytest.raises(ImportError, match=r"Relative import \.x is outside any package"):
        liveimport.register(ns, "from .x import y")


def test_relative_import_above_top_level_package(mods, ns):
    with pytest.raises(ImportError, match=r"Relative import \.\.x would escape package pkg"):
        liveimport.register(ns, "from ..x import y", package="pkg")


def test_relative_import_with_package(mods, ns):
    mods.write("pkg/__init__.py", "")
    mods.write("pkg/sub/__init__.py", "")
    mods.write("pkg/sub/tool.py", "def f():\n    return 1\n")
    mods.write("pkg/util.py", "U = 1\n")
    exec("from pkg.sub.tool import f\nfrom pkg.util import U\nfrom pkg import sub", ns)
    liveimport.register(
        ns, "from .tool import f\nfrom ..util import U\nfrom .. import sub", package="pkg.sub"
    )
    assert statements(ns) == [
        "from pkg.sub.tool import f",
        "from pkg.util import U",
        "from pkg import sub",
    ]
    mods.write("pkg/sub/tool.py", "def f():\n    return 2\n")
    assert reloads(synced()) == [("pkg.sub.tool", "modified", [])]
    assert ns["f"]() == 2


# --- evidence that the statements ran ----------------------------------------


def test_module_not_loaded(mods, ns):
    mods.write("m.py", "x = 1\n")  # exists, but never imported
    ns["m"] = None
    with pytest.raises(ValueError, match=r"^Module m not loaded; missing import m\?$"):
        liveimport.register(ns, "import m")


def test_parent_package_must_bind_submodule(mods, ns):
    mods.write("pkg/__init__.py", "")
    mods.write("pkg/sub.py", "S = 1\n")
    exec("import pkg.sub", ns)
    del sys.modules["pkg"].sub
    with pytest.raises(ValueError, match=r"^No name sub in pkg; missing import pkg\.sub\?$"):
        liveimport.register(ns, "import pkg.sub")


def test_name_missing_from_namespace(mods, ns):
    mods.write("m.py", "x = 1\ny = 2\n")
    exec("from m import y", ns)
    with pytest.raises(ValueError, match=r"^No name x in namespace; missing from m import x\?$"):
        liveimport.register(ns, "from m import x, y")
    with pytest.raises(
        ValueError, match=r"^No name z in namespace; missing from m import x as z\?$"
    ):
        liveimport.register(ns, "from m import x as z")
    with pytest.raises(ValueError, match=r"^No name m in namespace; missing import m\?$"):
        liveimport.register(ns, "import m")
    assert statements(ns) == []  # all or nothing


def test_name_missing_from_module(mods, ns):
    mods.write("m.py", "x = 1\n")
    exec("import m", ns)
    ns["nope"] = 0
    with pytest.raises(ValueError, match=r"^No name nope in m; missing from m import nope\?$"):
        liveimport.register(ns, "from m import nope")


# --- analysis of module sources ----------------------------------------------


def test_module_with_syntax_error(mods, ns):
    mods.write("m.py", "x = 1\n")
    exec("from m import x", ns)
    mods.write("m.py", "x = (\n")
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "from m import x")
    error = info.value
    assert (error.module, error.phase) == ("m", "analysis")
    assert isinstance(error.__cause__, SyntaxError)
    assert str(error).startswith("Analysis of m failed: ")
    assert statements(ns) == []
    assert tracked("m") is None


@pytest.mark.parametrize(
    "source, line, message",
    [
        ("x = 1\n  y = 2\n", 2, "unexpected indent"),
        ("x = 1\ny = 'abc\nz = 2\n", 2, "unterminated string literal"),
        ("x = [1,\n  2)\n", 2, "does not match"),
        ("import helper\nfrom . import\n", 2, ""),
    ],
)
def test_module_with_tokenizer_or_import_error(mods, ns, source, line, message):
    mods.write("helper.py", "H = 1\n")
    mods.write("m.py", "x = 1\n")
    exec("from m import x", ns)
    mods.write("m.py", source)
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "from m import x")
    assert info.value.phase == "analysis"
    cause = info.value.__cause__
    assert isinstance(cause, SyntaxError) and message in cause.msg
    assert (cause.filename, cause.lineno) == (str(mods.path("m.py")), line)
    assert tracked("m") is None


def test_any_syntax_error_is_an_analysis_error_at_register(mods, ns):
    mods.write("helper.py", "H = 1\n")
    mods.write("m.py", "x = 1\n")
    exec("from m import x", ns)
    mods.write("m.py", "import helper\nx = = 2\n")
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "from m import x")
    assert info.value.phase == "analysis"
    assert str(info.value).startswith("Analysis of m failed: invalid syntax")
    cause = info.value.__cause__
    assert isinstance(cause, SyntaxError)
    assert (cause.lineno, cause.filename) == (2, str(mods.path("m.py")))
    assert statements(ns) == []


def test_non_utf8_source_without_cookie(mods, ns):
    mods.write("m.py", "x = 1\n")
    exec("from m import x", ns)
    mods.write("m.py", "x = 'caf\xe9'\n".encode("latin-1"))
    with pytest.raises(ModuleError) as info:
        liveimport.register(ns, "from m import x")
    assert info.value.phase == "analysis"
    assert isinstance(info.value.__cause__, SyntaxError)


def test_non_utf8_source_with_coding_cookie(mods, ns):
    source = "# -*- coding: latin-1 -*-\nx = 'caf\xe9'\nimport helper\n"
    mods.write("helper.py", "H = 1\n")
    mods.write("m.py", source.encode("latin-1"))
    exec("from m import x", ns)
    assert ns["x"] == "caf\xe9"
    liveimport.register(ns, "from m import x")
    assert tracked("helper") is not None  # its imports were analysed
    mods.write("m.py", source.replace("caf", "th").encode("latin-1"))
    assert reloads(synced()) == [("m", "modified", [])]
    assert ns["x"] == "th\xe9"


def test_bom_and_crlf_source(mods, ns):
    mods.write("helper.py", "H = 1\n")
    mods.write("m.py", b"\xef\xbb\xbfimport helper\r\nx = 1\r\n")
    exec("from m import x", ns)
    liveimport.register(ns, "from m import x")
    assert tracked("helper").imported_by == ("m",)


# --- bindings: aliases, submodules, star imports -----------------------------


def test_aliases_rebind_under_their_alias(mods, ns):
    mods.write("pkg/__init__.py", "")
    mods.write("pkg/sub.py", "V = 1\n")
    mods.write("m.py", "def f():\n    return 1\n")
    mods.load(
        ns,
        """
        import m as mm
        from m import f as g
        import pkg.sub as ps
        import pkg.sub
        """,
    )
    assert statements(ns) == [
        "import m as mm",
        "from m import f as g",
        "import pkg.sub as ps",
        "import pkg.sub",
    ]
    mods.write("m.py", "def f():\n    return 2\n")
    mods.write("pkg/sub.py", "V = 2\n")
    assert sorted(e.module for e in synced()) == ["m", "pkg.sub"]
    assert ns["g"]() == 2 and ns["mm"].f() == 2
    assert "f" not in ns and "m" not in ns
    assert ns["ps"].V == 2 and ns["pkg"].sub.V == 2


def test_from_package_import_submodule_tracks_submodule(mods, ns):
    mods.write("pkg/__init__.py", "")
    mods.write("pkg/sub.py", "V = 1\n")
    liveimport.workspace()  # only what statements name is tracked
    mods.load(ns, "from pkg import sub")
    assert tracked("pkg.sub").direct
    mods.write("pkg/sub.py", "V = 2\n")
    assert reloads(synced()) == [("pkg.sub", "modified", [])]
    assert ns["sub"].V == 2


def test_star_import_with_all(mods, ns):
    mods.write("m.py", "__all__ = ['a']\na = 1\nb = 2\n")
    mods.load(ns, "from m import *")
    assert ns["a"] == 1 and "b" not in ns
    mods.write("m.py", "__all__ = ['a', 'c']\na = 10\nb = 20\nc = 30\n")
    synced()
    assert (ns["a"], ns["c"]) == (10, 30)
    assert "b" not in ns


def test_star_import_without_all(mods, ns):
    mods.write("m.py", "p = 1\n_q = 2\n")
    mods.load(ns, "from m import *")
    mods.write("m.py", "p = 10\n_q = 20\nr = 30\n")
    synced()
    assert (ns["p"], ns["r"]) == (10, 30)
    assert "_q" not in ns


def test_names_not_bound_by_statements_are_untouched(mods, ns):
    mods.write("m.py", "x = 1\ny = 2\n")
    mods.load(ns, "from m import x")
    ns["y"] = "mine"
    mods.write("m.py", "y = 20\nx = 10\n")
    synced()
    assert ns["x"] == 10
    assert ns["y"] == "mine"


# --- order of statements -----------------------------------------------------


def test_registration_is_idempotent(mods, ns):
    mods.write("m.py", "x = 1\n")
    mods.load(ns, "from m import x")
    liveimport.register(ns, "from m import x")
    liveimport.register(ns, "from m import x\nfrom m import x")
    assert statements(ns) == ["from m import x"]


def test_later_registrations_win_and_reregistering_moves_to_end(mods, ns):
    mods.write("a.py", "def f():\n    return 'a'\n")
    mods.write("b.py", "def f():\n    return 'b'\n")
    mods.load(ns, "from a import f")
    mods.load(ns, "from b import f")
    assert statements(ns) == ["from a import f", "from b import f"]
    mods.touch("a.py")
    assert [e.module for e in synced()] == ["a"]
    assert ns["f"]() == "b"  # replay order: b's statement came later

    mods.load(ns, "from a import f")
    assert statements(ns) == ["from b import f", "from a import f"]
    mods.touch("b.py")
    assert [e.module for e in synced()] == ["b"]
    assert ns["f"]() == "a"


def test_from_import_splits_into_one_statement_per_name(mods, ns):
    mods.write("m.py", "x = 1\ny = 2\n")
    mods.load(ns, "from m import x, y as z")
    assert statements(ns) == ["from m import x", "from m import y as z"]


def test_clear_discards_prior_registrations(mods, ns):
    mods.write("a.py", "A = 1\n")
    mods.write("b.py", "B = 1\n")
    mods.load(ns, "from a import A")
    mods.load(ns, "from b import B", clear=True)
    assert statements(ns) == ["from b import B"]
    mods.write("a.py", "A = 2\n")
    assert synced() == []  # a no longer attached to any namespace
    assert ns["A"] == 1
    liveimport.register(ns, "", clear=True)
    assert statements(ns) == []
