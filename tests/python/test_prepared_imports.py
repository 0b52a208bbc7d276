"""A cell's first import of a workspace module takes the bytes the package
walk read just before the cell (``liveimport._prepared_imports``, issue 17):
one read of the file instead of two, and the module is exactly what a normal
import gives; wherever the normal import could find something else, it is the
normal import.

The page is simulated with the comm messages the extension sends (as in
``test_reload_source``); ``packages.prepare`` is what JupyterLite's kernel runs
before each cell (its line transform, Pyodide only). Pyodide never writes
bytecode (``sys.dont_write_bytecode``), which serving requires: the tests set
it natively too."""

from __future__ import annotations

import sys
from importlib.machinery import SourceFileLoader
from typing import Any

import pytest

import liveimport._frontend as frontend
import liveimport._packages as packages
import liveimport._page as page
import liveimport._reload_source as reload_source
from liveimport_fixtures import invalidate_caches, page_write
from nbshell import nb  # noqa: F401  (fixture)

CELL = "%%liveimport\nimport circles\n"


def send(**data: Any) -> None:
    """Deliver one comm message from the page."""
    frontend._on_msg({"content": {"data": data}})


def prepare(code: str) -> None:
    """What the kernel runs before the cell (nothing to load: no suspension)."""
    with pytest.raises(StopIteration):
        packages.prepare(code, sync=False).send(None)


def ours_on_meta_path() -> list[Any]:
    return [f for f in sys.meta_path if type(f).__module__ == "liveimport._prepared_imports"]


@pytest.fixture
def drive(nb, monkeypatch):
    """A notebook whose page reports file events, with ``circles.py`` not
    imported yet; ``.events`` lists ``(event, path)`` of the ``open`` and
    ``liveimport.source_read`` audit events on its ``.py`` files (not the
    ``.pyc`` look-ups) since cleared."""
    monkeypatch.setattr(page, "_page_owns", lambda root: True)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    (nb.root / "nb.ipynb").write_text("{}")
    nb.write("circles.py", "import json\nR = 2\n")
    nb.write("lib/circles.py", "R = 'lib'\n")
    invalidate_caches()
    cell = nb.run("%%liveimport\nimport json\n")
    assert cell.error is None, cell.stdout
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    assert page.active().in_use
    nb.events = []

    def audit(event: str, args: tuple[Any, ...]) -> None:
        if nb.events is None or event not in ("open", "liveimport.source_read"):
            return
        if args and str(args[0]).startswith(str(nb.root)) and str(args[0]).endswith(".py"):
            nb.events.append((event, str(args[0])))

    sys.addaudithook(audit)  # stays for the process: it only appends to this test's list
    yield nb
    nb.events = None
    packages._after_cell()
    sys.modules.pop("circles", None)


def attributes(module: Any) -> dict[str, Any]:
    """What the import system sets on a module, its spec and its loader."""
    spec, loader = module.__spec__, module.__loader__
    return {
        "file": module.__file__,
        "cached": getattr(module, "__cached__", "<not set>"),  # gone in Python 3.15
        "loader": (type(loader), dict(vars(loader)), spec.loader is loader),
        "spec": (type(spec), spec.name, spec.origin, spec.cached, spec.parent),
        "location": (spec.has_location, spec.submodule_search_locations, spec.loader_state),
    }


def test_the_first_import_reads_the_file_once_and_is_a_normal_import(drive):
    nb = drive
    path = str(nb.root / "circles.py")
    prepare(CELL)
    assert len(ours_on_meta_path()) == 1
    assert nb.events == [("open", path)], "the walk read the file"
    cell = nb.run(CELL)
    assert cell.error is None, cell.stdout + cell.stderr
    assert nb.ns["circles"].R == 2
    assert nb.events == [("open", path), ("liveimport.source_read", path)]
    assert ours_on_meta_path() == [], "nothing more to serve: gone"
    served = attributes(sys.modules["circles"])
    assert served["loader"][1] == {"name": "circles", "path": path}
    del sys.modules["circles"]
    import circles  # noqa: F401  (a normal import, for comparison)

    assert attributes(sys.modules["circles"]) == served


def test_a_module_imported_so_reloads_from_the_engines_read_from_its_first_edit(drive, monkeypatch):
    nb = drive
    path = nb.root / "circles.py"
    prepare(CELL)
    assert nb.run(CELL).error is None
    fast: list[str] = []
    real_reload = reload_source.reload

    def spy_reload(name: str, *args: Any) -> None:
        fast.append(name)
        real_reload(name, *args)

    monkeypatch.setattr(reload_source, "reload", spy_reload)
    nb.events.clear()
    page_write(path, "R = 3\n", path.stat().st_mtime + 10)
    send(type="files_changed", paths=["circles.py"])
    cell = nb.run("print(circles.R)")
    assert cell.stdout.strip() == "3", cell.stdout + cell.stderr
    assert fast == ["circles"]
    assert nb.events == [], "importlib read nothing: the source came from the engine's read"
    loader = sys.modules["circles"].__loader__
    assert type(loader) is SourceFileLoader and vars(loader) == {
        "name": "circles",
        "path": str(path),
    }
    # A module imported without the walk (no prepare): its first reload is a normal one.
    fast.clear()
    other = nb.write("squares.py", "S = 1\n")
    invalidate_caches()
    assert nb.run("%%liveimport\nimport squares\n").error is None
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    page_write(other, "S = 2\n", other.stat().st_mtime + 10)
    send(type="files_changed", paths=["squares.py"])
    assert nb.run("print(squares.S)").stdout.strip() == "2"
    assert fast == []
    sys.modules.pop("squares")


def test_a_change_of_what_the_import_would_find_makes_it_a_normal_import(drive):
    nb = drive
    path = str(nb.root / "circles.py")
    # The page reports a new file: the import epoch moved on.
    prepare(CELL)
    send(type="files_changed", paths=["other.py"])
    assert nb.run(CELL).error is None
    assert nb.events == [("open", path), ("open", path)], "read by the walk, then by importlib"
    assert ours_on_meta_path() == []


def test_a_search_path_changed_by_the_cell_finds_what_a_normal_import_finds(drive):
    nb = drive
    code = "import sys\nsys.path.insert(0, 'lib')\nimport circles\n"
    prepare(code)
    try:
        cell = nb.run(code)
        assert cell.error is None, cell.stdout + cell.stderr
        assert nb.ns["circles"].R == "lib"
        assert ("liveimport.source_read", str(nb.root / "circles.py")) not in nb.events
    finally:
        sys.path.remove("lib")


def test_a_file_the_cell_writes_before_importing_it_is_read_again(drive):
    nb = drive
    code = "open('circles.py', 'w').write('R = 5\\n')\nimport circles\n"
    prepare(code)
    cell = nb.run(code)
    assert cell.error is None, cell.stdout + cell.stderr
    assert nb.ns["circles"].R == 5


def test_nothing_is_served_without_a_page_or_when_bytecode_may_be_written(drive, monkeypatch):
    nb = drive
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    prepare(CELL)
    assert ours_on_meta_path() == []
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    monkeypatch.setattr(page, "_page_owns", lambda root: False)
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    prepare(CELL)
    assert ours_on_meta_path() == []
    assert nb.run(CELL).error is None and nb.ns["circles"].R == 2


def test_a_module_the_cell_does_not_import_is_withdrawn_when_the_cell_ends(drive):
    nb = drive
    prepare("import circles\n")
    assert len(ours_on_meta_path()) == 1
    assert nb.run("x = 1").error is None
    packages._after_cell()  # IPython's post_execute in JupyterLite's kernel
    assert ours_on_meta_path() == []
    nb.events.clear()
    assert nb.run("import circles").error is None
    assert nb.events == [("open", str(nb.root / "circles.py"))], "a normal import"


def test_a_package_is_served_as_its_init_and_its_submodules_import_as_usual(drive):
    nb = drive
    nb.write("kit/__init__.py", "NAME = 'kit'\n")
    nb.write("kit/parts.py", "from . import NAME\nPARTS = NAME * 2\n")
    invalidate_caches()
    code = "import kit.parts\n"
    prepare(code)
    nb.events.clear()
    cell = nb.run(code)
    assert cell.error is None, cell.stdout + cell.stderr
    assert nb.ns["kit"].parts.PARTS == "kitkit"
    init, parts = str(nb.root / "kit" / "__init__.py"), str(nb.root / "kit" / "parts.py")
    assert nb.events == [("liveimport.source_read", init), ("open", parts)]
    served = attributes(sys.modules["kit"])
    assert served["location"][1] == [str(nb.root / "kit")]
    del sys.modules["kit"], sys.modules["kit.parts"]
    import kit  # noqa: F401  (a normal import, for comparison)

    assert attributes(sys.modules["kit"]) == served
    del sys.modules["kit"]
