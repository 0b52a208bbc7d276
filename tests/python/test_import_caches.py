"""Modules created while a notebook runs import from the next LiveImport cell
or sync, even where the folder's mtime never changes (JupyterLite's /drive),
while zip archives on ``sys.path`` (Pyodide's zipped standard library) are not
re-read at each of them."""

import importlib
import os
import sys
import zipfile

import liveimport
from liveimport_fixtures import mods, ns, reloads, synced  # noqa: F401 (fixtures)
from nbshell import nb  # noqa: F401 (fixture)


def write_keeping_folder_mtime(path, text):
    """Create ``path`` and put its folder's mtime back, as JupyterLite's
    /drive does: a folder's cached listing cannot see the new file by mtime."""
    folder = os.path.dirname(path)
    before = os.stat(folder)
    with open(path, "w") as f:
        f.write(text)
    os.utime(folder, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_module_created_later_imports_from_the_next_liveimport_cell(nb):
    nb.write("first.py", "A = 1\n")
    assert nb.run("%%liveimport\nimport first").error is None
    write_keeping_folder_mtime(str(nb.root / "second.py"), "B = 2\n")
    cell = nb.run("%%liveimport\nimport second\nprint('B is', second.B)")
    assert cell.error is None, cell.stdout
    assert "B is 2" in cell.stdout
    assert liveimport.status(nb.ns).module("second") is not None


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
    monkeypatch.syspath_prepend(archive)
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
