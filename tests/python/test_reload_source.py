"""Reloads from the source the engine read (``liveimport._reload_source``)
give a module exactly what ``importlib.reload`` gives it, without opening its
file again; and the import caches are invalidated exactly when a file that
may change how modules are found was created (``_import_caches`` with the
page's ``import_epoch``).

As in ``test_page_events``, the page is simulated with the comm messages the
extension sends, and the test's directory stands for JupyterLite's /drive.
Pyodide never writes bytecode (``sys.dont_write_bytecode``), which the fast
path requires: the tests set it natively too."""

from __future__ import annotations

import importlib
import sys

import pytest

import liveimport
import liveimport._core as core
import liveimport._frontend as frontend
import liveimport._import_caches as import_caches
import liveimport._page as page
import liveimport._reload_source as reload_source
from liveimport_fixtures import invalidate_caches, page_write, syspath_prepend
from nbshell import nb  # noqa: F401  (fixture)


def send(**data):
    """Deliver one comm message from the page."""
    frontend._on_msg({"content": {"data": data}})


class Page:
    """Files the page edits (fresh mtimes), and a record of what happens."""

    def __init__(self, nb) -> None:
        self.nb = nb
        self.tick = 1.6e9

    def edit(self, name: str, text: str, *, report: bool = True) -> None:
        self.tick += 10
        path = self.nb.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        page_write(path, text, self.tick)
        if report:
            send(type="files_changed", paths=[name])


@pytest.fixture
def lesson(nb, monkeypatch):
    """A notebook whose page reports file events, ``shapes`` (a module),
    ``pkg`` (a package) and ``pkg.sub`` registered; ``.fast`` lists the
    modules reloaded from the engine's source, ``.invalidations`` counts the
    import caches' invalidations, ``.opened`` the source files Python opened
    (``open`` audit events) since the list was last cleared."""
    monkeypatch.setattr(page, "_page_owns", lambda root: True)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    (nb.root / "nb.ipynb").write_text("{}")
    nb.write("shapes.py", "def area():\n    return 1\n")
    nb.write("pkg/__init__.py", "VALUE = 1\n")
    nb.write("pkg/sub.py", "from . import VALUE\nTWICE = 2 * VALUE\n")
    invalidate_caches()
    cell = nb.run("%%liveimport\nimport shapes\nimport pkg\nimport pkg.sub")
    assert cell.error is None, cell.stdout
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    assert page.active().in_use
    nb.page = Page(nb)
    nb.fast = []
    real_reload = reload_source.reload

    def spy_reload(name, *args):
        nb.fast.append(name)
        return real_reload(name, *args)

    monkeypatch.setattr(reload_source, "reload", spy_reload)
    nb.invalidations = 0
    real_invalidate = import_caches._invalidate

    def spy_invalidate():
        nb.invalidations += 1
        real_invalidate()

    monkeypatch.setattr(import_caches, "_invalidate", spy_invalidate)
    nb.opened = []

    def audit(event, args):
        if event == "open" and args and str(args[0]).startswith(str(nb.root)):
            nb.opened.append(str(args[0]))

    sys.addaudithook(audit)  # stays for the process: it only appends to this test's list
    yield nb
    nb.opened = None


def attributes(module):
    """Everything the import system sets on a module and its spec and loader."""
    spec = module.__spec__
    loader = module.__loader__
    return {
        "file": module.__file__,
        # Python 3.15 no longer sets ``__cached__`` (deprecated since 3.13).
        "cached": getattr(module, "__cached__", "<not set>"),
        "package": module.__package__,
        "path": getattr(module, "__path__", None),
        "loader type": type(loader),
        "loader vars": dict(vars(loader)),
        "spec is loader's": spec.loader is loader,
        "spec": (
            type(spec),
            spec.name,
            spec.origin,
            spec.cached,
            spec.parent,
            spec.has_location,
            spec.submodule_search_locations,
            spec.loader_state,
            type(spec.loader),
        ),
    }


def edit_and_run(nb, name: str, text: str, code: str):
    nb.opened.clear()
    nb.page.edit(name, text)
    return nb.run(code)


def test_a_reloaded_module_is_as_a_normal_reload_leaves_it(lesson):
    nb = lesson
    # The first reload of each module is a normal one (it finds the spec).
    cell = edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "print(shapes.area())")
    assert "2" in cell.stdout and nb.fast == []
    cell = edit_and_run(nb, "shapes.py", "def area():\n    return 3\n", "print(shapes.area())")
    assert "3" in cell.stdout, cell.stdout
    assert nb.fast == ["shapes"]
    assert str(nb.root / "shapes.py") not in nb.opened, "the source came from the engine's read"
    fast = attributes(sys.modules["shapes"])
    assert fast["loader vars"] == {"name": "shapes", "path": str(nb.root / "shapes.py")}
    importlib.reload(sys.modules["shapes"])
    assert attributes(sys.modules["shapes"]) == fast
    assert sys.modules["shapes"].area() == 3


def test_packages_and_submodules_too(lesson):
    nb = lesson
    for value in (2, 3):
        edit_and_run(nb, "pkg/__init__.py", f"VALUE = {value}\n", "pass")
        cell = edit_and_run(
            nb,
            "pkg/sub.py",
            f"from . import VALUE\nTWICE = 2 * VALUE + {value}\n",
            "print(pkg.sub.TWICE)",
        )
        assert str(2 * value + value) in cell.stdout, cell.stdout
    # The first round's reloads are normal ones (pkg.sub's as pkg's dependent).
    assert nb.fast == ["pkg.sub", "pkg", "pkg.sub"]
    for name in ("pkg", "pkg.sub"):
        fast = attributes(sys.modules[name])
        importlib.reload(sys.modules[name])
        assert attributes(sys.modules[name]) == fast, name


def test_a_failing_reload_leaves_no_trace(lesson):
    nb = lesson
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    cell = edit_and_run(
        nb,
        "shapes.py",
        "def area():\n    return 3\nraise ValueError('no')\n",
        "print(shapes.area())",
    )
    assert nb.fast == ["shapes"]
    assert "2" in cell.stdout, "restored"
    assert sys.meta_path[0].__class__.__name__ != "_Finder"
    assert all(type(f).__name__ != "_Finder" for f in sys.meta_path)
    loader = sys.modules["shapes"].__loader__
    assert set(vars(loader)) == {"name", "path"}


def test_the_code_of_the_module_sees_a_plain_loader_and_meta_path(lesson):
    nb = lesson
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    probe = (
        "import sys\n"
        "SEEN = (sorted(vars(__loader__)), [type(f).__name__ for f in sys.meta_path][:1])\n"
        "def area():\n    return 3\n"
    )
    edit_and_run(nb, "shapes.py", probe, "pass")
    assert nb.fast == ["shapes"]
    assert sys.modules["shapes"].SEEN[0] == ["name", "path"]
    assert sys.modules["shapes"].SEEN[1] != ["_Finder"]


def test_a_created_package_shadows_the_module_as_in_a_normal_reload(lesson):
    nb = lesson
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    nb.page.edit("shapes/__init__.py", "def area():\n    return 40\n")
    cell = edit_and_run(nb, "shapes.py", "def area():\n    return 3\n", "print(shapes.area())")
    assert nb.fast == []
    assert "40" in cell.stdout, cell.stdout
    assert sys.modules["shapes"].__file__ == str(nb.root / "shapes" / "__init__.py")


def test_a_file_created_by_kernel_code_takes_the_normal_path(lesson):
    nb = lesson
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    nb.run(f"open({str(nb.root / 'data.bin')!r}, 'w').close()")
    edit_and_run(nb, "shapes.py", "def area():\n    return 3\n", "pass")
    assert nb.fast == []
    edit_and_run(nb, "shapes.py", "def area():\n    return 4\n", "pass")
    assert nb.fast == ["shapes"], "found again at the new epoch"


def test_a_changed_sys_path_takes_the_normal_path(lesson, monkeypatch):
    nb = lesson
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    other = nb.root / "other"
    other.mkdir()
    page_write(other / "shapes.py", "def area():\n    return 50\n", 1.7e9)  # no write noted
    syspath_prepend(monkeypatch, str(other))
    cell = edit_and_run(nb, "shapes.py", "def area():\n    return 3\n", "print(shapes.area())")
    assert nb.fast == []
    assert "50" in cell.stdout, "found first on the path, as a normal reload does"


def test_an_explicit_sync_trusts_no_report(lesson):
    # liveimport.sync() is what to call after changing files some other way
    # (from JavaScript): it reloads normally.
    nb = lesson
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    nb.page.edit("shapes.py", "def area():\n    return 3\n", report=False)
    assert nb.run("import liveimport; liveimport.sync(); print(shapes.area())").error is None
    assert nb.fast == []
    assert sys.modules["shapes"].area() == 3
    edit_and_run(nb, "shapes.py", "def area():\n    return 4\n", "pass")
    assert nb.fast == ["shapes"], "the record of the first reload still holds"


def test_notebook_saves_change_nothing(lesson):
    nb = lesson
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    send(type="files_changed", paths=["nb.ipynb", "notes.md"])
    edit_and_run(nb, "shapes.py", "def area():\n    return 3\n", "pass")
    assert nb.fast == ["shapes"]


def test_caches_are_invalidated_before_reloads_and_liveimport_cells(lesson):
    nb = lesson
    nb.run("%%liveimport\nimport shapes")
    assert nb.invalidations == 1
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    assert nb.invalidations == 2, "before reloading"
    # Created by the page: imports from the next LiveImport cell.
    nb.page.edit("fresh.py", "F = 1\n")
    cell = nb.run("%%liveimport\nimport fresh\nprint('F is', fresh.F)")
    assert "F is 1" in cell.stdout, cell.stdout
    assert nb.invalidations == 3
    # Created by kernel code: imports from a reloaded module.
    nb.run(f"open({str(nb.root / 'made.py')!r}, 'w').write('M = 5\\n')")
    cell = edit_and_run(
        nb, "shapes.py", "import made\ndef area():\n    return made.M\n", "print(shapes.area())"
    )
    assert "5" in cell.stdout, cell.stdout
    assert nb.invalidations == 4


def test_the_first_liveimport_cell_of_a_fresh_kernel_keeps_the_caches(nb, monkeypatch):
    monkeypatch.setattr(page, "_page_owns", lambda root: True)
    monkeypatch.setattr(frontend, "_fresh_kernel", lambda: True)
    (nb.root / "nb.ipynb").write_text("{}")
    nb.write("shapes.py", "def area():\n    return 1\n")
    calls = []
    real_invalidate = import_caches._invalidate
    monkeypatch.setattr(import_caches, "_invalidate", lambda: (calls.append(1), real_invalidate()))
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    invalidate_caches()  # the test's own files are newer than its caches
    assert nb.run("%%liveimport\nimport shapes").error is None
    assert calls == [], "nothing created, no cell ran since the page connected"
    assert nb.run("%%liveimport\nimport shapes").error is None
    assert calls == [1], "a cell ran: code may have created files the page does not report"
    # A file the page created before it connected is among the paths it sends.
    liveimport._reset()
    calls.clear()
    page_write(nb.root / "later.py", "L = 1\n", 1.7e9)  # as the page writes: no write noted
    send(type="file_events", notebook_path="nb.ipynb", paths=["later.py"], complete=True)
    cell = nb.run("%%liveimport\nimport later\nprint('L is', later.L)")
    assert "L is 1" in cell.stdout and calls == [1]


def test_a_saved_file_the_import_system_had_listed_changes_nothing(lesson):
    nb = lesson
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    # notes.py existed when the import system listed the folder: a save of it
    # (which the page reports as it reports a creation) creates nothing.
    nb.page.edit("notes.py", "N = 1\n", report=False)
    invalidate_caches()
    assert nb.run("import notes").error is None
    assert import_caches.listed(str(nb.root / "notes.py"))
    epoch = page.active().import_epoch()
    nb.page.edit("notes.py", "N = 2\n")
    assert page.active().import_epoch() == epoch
    edit_and_run(nb, "shapes.py", "def area():\n    return 3\n", "pass")
    assert nb.fast == ["shapes"]
    # The caches were invalidated before that reload, and nothing was looked
    # up since: the listing made before still says notes.py existed.
    nb.page.edit("notes.py", "N = 3\n")
    assert page.active().import_epoch() == epoch
    # A file no listing holds may be new.
    nb.page.edit("brand_new.py", "B = 1\n")
    assert page.active().import_epoch() == epoch + 1


def test_a_plan_made_before_the_sync_keeps_its_source_for_it(lesson):
    # In Pyodide, loading the packages a cell needs plans first
    # (``_packages.prepare``): the sync reloads from the source that plan read.
    nb = lesson
    edit_and_run(nb, "shapes.py", "def area():\n    return 2\n", "pass")
    nb.page.edit("shapes.py", "def area():\n    return 3\n")
    planned = core.planned_modified(False)
    assert planned == [("shapes", str(nb.root / "shapes.py"), b"def area():\n    return 3\n")]
    nb.opened.clear()
    cell = nb.run("print(shapes.area())")
    assert "3" in cell.stdout and nb.fast == ["shapes"]
    assert str(nb.root / "shapes.py") not in nb.opened
