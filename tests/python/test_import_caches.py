"""Modules created while a notebook runs import from the next LiveImport cell
or sync, even where the folder's mtime never changes (JupyterLite's /drive),
while zip archives on ``sys.path`` (Pyodide's zipped standard library) are not
re-read at each of them."""

import importlib
import importlib.util
import os
import sys
import zipfile
from types import SimpleNamespace

import pytest

import liveimport
import liveimport._nbi as nbi
import liveimport._packages as packages
from liveimport import _import_caches
from liveimport_fixtures import mods, ns, reloads, synced, syspath_prepend  # noqa: F401 (fixtures)
from nbshell import nb  # noqa: F401 (fixture)


def write_keeping_folder_mtime(path, text):
    """Create ``path`` and put its folder's mtime back, as JupyterLite's
    /drive does: a folder's cached listing cannot see the new file by mtime."""
    folder = os.path.dirname(path)
    before = os.stat(folder)
    with open(path, "w") as f:
        f.write(text)
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))


def listing_is_stale_or_skip(name):
    """Skip unless the import system still misses module ``name`` just
    written by :func:`write_keeping_folder_mtime` (in Pyodide 0.26 and 0.27
    the folder's listing is made again whatever its mtime says)."""
    if importlib.util.find_spec(name) is not None:
        pytest.skip("the import system lists this folder again: no stale listing to test")


def test_module_created_later_imports_from_the_next_liveimport_cell(nb):
    nb.write("first.py", "A = 1\n")
    assert nb.run("%%liveimport\nimport first").error is None
    write_keeping_folder_mtime(str(nb.root / "second.py"), "B = 2\n")
    cell = nb.run("%%liveimport\nimport second\nprint('B is', second.B)")
    assert cell.error is None, cell.stdout
    assert "B is 2" in cell.stdout
    assert liveimport.status(nb.ns).module("second") is not None


def prepare(code):
    """Run ``_packages.prepare`` (before a cell, in JupyterLite) with the
    notebook layer's rules, to its end (nothing to load: it never suspends)."""
    packages.install(SimpleNamespace(), nbi.auto_sync_enabled, nbi.liveimport_cell)
    with pytest.raises(StopIteration):
        packages.prepare(code, sync=False).send(None)


NO_PACKAGE = (
    "late.py, line 1: import no_such_late_xyz: no package of this Pyodide provides "
    "'no_such_late_xyz'; install it with %pip install no_such_late_xyz\n"
)


def test_module_created_later_is_looked_up_before_a_liveimport_cell_as_its_magic_will(mods, capsys):
    assert importlib.util.find_spec("not_there_yet") is None  # the folder is listed
    write_keeping_folder_mtime(str(mods.path("late.py")), "import no_such_late_xyz\n")
    listing_is_stale_or_skip("late")
    prepare("x = 1\nimport late\n")  # a plain cell: the import system's view, as without us
    assert capsys.readouterr().err == ""
    prepare("#_%%liveimport\nimport late\n")  # its magic will find late.py: so does the walk
    assert capsys.readouterr().err == NO_PACKAGE
    liveimport.hidden_cell_magic(False)
    try:
        assert not nbi.liveimport_cell("#_%%liveimport\nimport late\n")
    finally:
        liveimport.hidden_cell_magic(True)
    assert nbi.liveimport_cell("\n  %%liveimport -c  # comment\nimport late\n")
    assert not nbi.liveimport_cell("import late\n%%liveimport\n")
    assert not nbi.liveimport_cell("%%liveimports\n")


def test_caches_invalidated_for_a_cell_are_not_invalidated_again_in_it(mods):
    mark = (7, 3)  # (import epoch, cells started), as the page gives it
    _import_caches.invalidate(mark, hold=True)
    assert importlib.util.find_spec("first_late") is None  # the folder is listed
    write_keeping_folder_mtime(str(mods.path("first_late.py")), "A = 1\n")
    listing_is_stale_or_skip("first_late")
    _import_caches.invalidate(mark)  # the cell's magic: already done for this cell
    assert importlib.util.find_spec("first_late") is None
    _import_caches.invalidate((8, 3))  # something was created since: done again
    assert importlib.util.find_spec("first_late") is not None
    write_keeping_folder_mtime(str(mods.path("second_late.py")), "B = 2\n")
    _import_caches.invalidate((9, 4), hold=True)
    assert importlib.util.find_spec("second_late") is not None
    write_keeping_folder_mtime(str(mods.path("third_late.py")), "C = 3\n")
    _import_caches.release()  # the cell is over: the next one invalidates
    _import_caches.invalidate((9, 4))
    assert importlib.util.find_spec("third_late") is not None


def test_module_a_reloaded_module_newly_imports_is_found(mods, ns):
    mods.write("user.py", "X = 1\n")
    mods.load(ns, "import user")
    write_keeping_folder_mtime(str(mods.path("fresh.py")), "F = 3\n")
    mods.write("user.py", "import fresh\nX = fresh.F\n")
    assert reloads(synced()) == [("user", "modified", [])]
    assert ns["user"].X == 3


#: Paths opened (the ``open`` audit event) while :func:`opened_during` runs.
_OPENED: list = []
_WATCHING: list = []
_HOOKED: list = []


def _audit(event, args):
    if _WATCHING and event == "open" and args and isinstance(args[0], str):
        _OPENED.append(args[0])


def opened_during(action):
    """``(action(), the paths it opened)``; reading a zip archive's directory
    opens it (``io.open_code``)."""
    if not _HOOKED:
        sys.addaudithook(_audit)  # hooks stay for the process: it is idle unless watching
        _HOOKED.append(True)
    _OPENED.clear()
    _WATCHING.append(True)
    try:
        return action(), list(_OPENED)
    finally:
        _WATCHING.clear()


def test_zip_archive_is_not_read_again_and_still_imports(mods, ns, monkeypatch):
    archive = str(mods.path("bundle.zip"))
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("zipped_a.py", "A = 1\n")
        zf.writestr("zipped_b.py", "B = 2\n")
    syspath_prepend(monkeypatch, archive)
    importlib.invalidate_caches()
    mods.load(ns, "import zipped_a")
    mods.write("helpers.py", "H = 1\n")
    mods.load(ns, "import helpers")
    mods.write("helpers.py", "H = 2\n")
    events, opened = opened_during(synced)
    assert reloads(events) == [("helpers", "modified", [])]
    assert ns["helpers"].H == 2
    assert archive not in opened, "the archive's directory was read again"
    assert importlib.import_module("zipped_b").B == 2
