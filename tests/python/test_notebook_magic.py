"""The %%liveimport cell magic, the hidden #_%%liveimport magic and the
%liveimport line magic, driven through a real IPython shell (see nbshell)."""

from __future__ import annotations

import os

import pytest
from IPython.core.error import UsageError

import liveimport
from nbshell import nb  # noqa: F401  (fixture)

HELPERS_V1 = """
def f():
    return 1
"""
HELPERS_V2 = """
def f():
    return 2
"""


def statements(nb):
    return liveimport.status(nb.ns).statements


def test_magic_runs_the_cell_then_registers_its_imports(nb):
    nb.write("helpers.py", HELPERS_V1)
    cell = nb.run("""
        %%liveimport
        import helpers
        from helpers import f as g
        x = g() + 10
        print("ran", x)
        """)
    assert cell.error is None
    assert "ran 11" in cell.stdout
    assert statements(nb) == ("import helpers", "from helpers import f as g")

    nb.write("helpers.py", HELPERS_V2)
    cell = nb.run("print(g(), helpers.f())")
    assert "2 2" in cell.stdout


def test_magic_without_clear_accumulates_registrations(nb):
    nb.write("a.py", "A = 1\n")
    nb.write("b.py", "B = 1\n")
    nb.run("%%liveimport\nfrom a import A")
    nb.run("%%liveimport\nfrom b import B")
    assert statements(nb) == ("from a import A", "from b import B")


@pytest.mark.parametrize("flag", ["-c", "--clear"])
def test_magic_clear_discards_earlier_registrations(nb, flag):
    nb.write("a.py", "A = 1\n")
    nb.write("b.py", "B = 1\n")
    nb.run("%%liveimport\nfrom a import A")
    cell = nb.run(f"%%liveimport {flag}\nfrom b import B")
    assert cell.error is None
    assert statements(nb) == ("from b import B",)

    nb.write("a.py", "A = 2\n")
    nb.write("b.py", "B = 2\n")
    cell = nb.run("print(A, B)")
    assert "1 2" in cell.stdout  # a is no longer registered, b is
    assert len(cell.reports) == 1 and len(cell.reports[0]) == 1
    assert cell.reports[0][0].startswith("Reloaded b modified ")


def test_magic_line_comment_is_ignored(nb):
    nb.write("a.py", "A = 1\n")
    nb.write("b.py", "B = 1\n")
    nb.run("%%liveimport  # first: a\nfrom a import A")
    cell = nb.run("%%liveimport -c # --bogus is only a comment\nfrom b import B")
    assert cell.error is None
    assert statements(nb) == ("from b import B",)


def test_magic_rejects_unknown_arguments_naming_them(nb):
    nb.write("a.py", "A = 1\n")
    cell = nb.run("%%liveimport -x --clear extra\nfrom a import A\nran = True")
    assert isinstance(cell.error, UsageError)
    # Names exactly the unknown ones, then shows the usage.
    assert str(cell.error).startswith("Unknown %%liveimport arguments: -x extra.")
    assert "ran" not in nb.ns  # the cell body did not run
    assert statements(nb) == ()


def test_cell_that_raises_registers_nothing_and_fails(nb):
    nb.write("helpers.py", HELPERS_V1)
    cell = nb.run("""
        %%liveimport
        import helpers
        raise ValueError("boom")
        """)
    assert isinstance(cell.error, ValueError)
    assert "ValueError" in cell.stdout and "boom" in cell.stdout
    assert ", line 3" in cell.stdout  # the cell's own line numbering
    assert "helpers" in nb.ns  # the import ran...
    assert statements(nb) == ()  # ...but nothing was registered

    nb.write("helpers.py", HELPERS_V2)
    cell = nb.run("x = helpers.f()")
    assert nb.ns["x"] == 1 and cell.reports == []


def test_cell_with_a_syntax_error_registers_nothing(nb):
    nb.write("helpers.py", HELPERS_V1)
    cell = nb.run("%%liveimport\nimport helpers\nx = (\n")
    assert isinstance(cell.error, SyntaxError)
    assert statements(nb) == ()


def test_magic_keeps_other_ipython_syntax(nb):
    nb.write("helpers.py", HELPERS_V1)
    cell = nb.run("""
        %%liveimport
        here = %pwd
        import helpers
        helpers.f() + 41
        """)
    assert cell.error is None
    assert f"Out[{cell.result.execution_count}]: 42" in cell.stdout
    assert nb.ns["here"] == os.getcwd()
    assert statements(nb) == ("import helpers",)


@pytest.mark.parametrize(
    "first_line", ["#_%%liveimport", "# _%%liveimport", "#\t_%%liveimport --clear # note"]
)
def test_hidden_magic_acts_as_the_cell_magic(nb, first_line):
    nb.write("helpers.py", HELPERS_V1)
    cell = nb.run(f"{first_line}\nimport helpers\n")
    assert cell.error is None
    assert statements(nb) == ("import helpers",)

    nb.write("helpers.py", HELPERS_V2)
    nb.run("x = helpers.f()")
    assert nb.ns["x"] == 2


def test_hidden_magic_keeps_traceback_line_numbers(nb):
    nb.write("helpers.py", HELPERS_V1)
    cell = nb.run("#_%%liveimport\nimport helpers\n\n1 / 0\n")
    assert isinstance(cell.error, ZeroDivisionError)
    assert "line 4" in cell.stdout
    assert statements(nb) == ()


def test_hidden_magic_can_be_switched_off_and_on(nb):
    nb.write("helpers.py", HELPERS_V1)
    liveimport.hidden_cell_magic(False)
    cell = nb.run("#_%%liveimport\nimport helpers\n")
    assert cell.error is None and "helpers" in nb.ns
    assert statements(nb) == ()  # an ordinary comment now

    liveimport.hidden_cell_magic(None)  # no change
    nb.run("#_%%liveimport\nimport helpers\n")
    assert statements(nb) == ()

    liveimport.hidden_cell_magic(True)
    nb.run("#_%%liveimport\nimport helpers\n")
    assert statements(nb) == ("import helpers",)


def test_hidden_magic_only_on_the_first_line(nb):
    nb.write("helpers.py", HELPERS_V1)
    nb.run("import os\n#_%%liveimport\nimport helpers\n")
    assert statements(nb) == ()
    nb.run("#_%%liveimporter\nimport helpers\n")
    assert statements(nb) == ()


def test_module_created_after_the_shell_started(nb):
    # Like JupyterLite's /drive: the directory's mtime never changes, so
    # Python's cached directory listing would hide the new file.
    cell = nb.run("""
        try:
            import late
        except ModuleNotFoundError:
            missing = True
        """)
    assert nb.ns.get("missing") is True
    frozen = os.stat(nb.root).st_mtime
    nb.write("late.py", "VALUE = 1\n")
    os.utime(nb.root, (frozen, frozen))

    # Within the grace period, so no auto-sync runs first: only the magic
    # refreshes the import caches.
    cell = nb.run("%%liveimport\nfrom late import VALUE\n", pause=0.1)
    assert cell.error is None, cell.stdout
    assert nb.ns["VALUE"] == 1
    assert statements(nb) == ("from late import VALUE",)


def test_status_line_magic_shows_the_namespace_status(nb):
    nb.write("base.py", "X = 1\n")
    nb.write("helpers.py", "import base\ndef f():\n    return base.X\n")
    nb.run("%%liveimport\nimport helpers\nfrom helpers import f")
    cell = nb.run("%liveimport  # what is tracked?")
    assert cell.error is None
    assert len(cell.outputs) == 1
    text = cell.outputs[0]["text/plain"]
    assert text == str(liveimport.status(nb.ns))
    for expected in (
        "helpers",
        "base",
        "direct",
        "indirect",
        "import helpers",
        "from helpers import f",
        str(nb.root / "helpers.py"),
    ):
        assert expected in text
    assert cell.result.result is None  # shown once, not also as Out[]


def test_status_line_magic_rejects_arguments(nb):
    cell = nb.run("%liveimport everything")
    assert isinstance(cell.error, UsageError)
    assert "everything" in str(cell.error)
    assert cell.outputs == []
