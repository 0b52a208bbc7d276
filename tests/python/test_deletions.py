"""A tracked module's file deleted, renamed away or in a deleted folder: the
next cell's report says so once, the loaded version stays in use, status shows
the file missing, and re-creating the file reloads the module. With the page's
file events the kernel never examines a path the page said is gone (in
JupyterLite such a stat is a request the page never answers): shown here by
reporting files gone that still exist on disk, and, inside Pyodide, by a
stand-in for the drive that records every stat of a path it no longer has."""

from __future__ import annotations

import os
import sys

import pytest

import liveimport
import liveimport._drive as drive
import liveimport._page as page
from liveimport_fixtures import syspath_prepend
from nbshell import nb  # noqa: F401  (fixture)
from test_page_events import V1, V2, V3, page_nb, send  # noqa: F401  (page_nb: fixture)

GONE = "helpers.py was deleted; the loaded version of helpers stays in use"


def status_of(name):
    return liveimport.status().module(name)


def test_reported_deletion_is_said_once_and_never_examined(page_nb):
    nb = page_nb
    # The file is still on disk: had the kernel looked, it would have found it.
    send(type="files_changed", paths=["helpers.py"], deleted=["helpers.py"])
    cell = nb.run("print(f())")
    assert "1" in cell.stdout
    assert cell.reports == [[GONE]]
    assert status_of("helpers").mtime is None
    assert "missing" in str(liveimport.status())
    cell = nb.run("print(f())")
    assert cell.reports == [], "said once"
    # Created again: reloads.
    nb.page.edit("helpers.py", V2)
    send(type="files_changed", paths=["helpers.py"])
    cell = nb.run("print(f())")
    assert "2" in cell.stdout
    assert len(cell.reports) == 1 and cell.reports[0][0].startswith("Reloaded helpers modified")
    assert status_of("helpers").mtime is not None
    assert nb.syncs == [False, False, False]


def test_delete_then_create_before_the_next_cell(page_nb):
    nb = page_nb
    send(type="files_changed", paths=["helpers.py"], deleted=["helpers.py"])
    nb.page.edit("helpers.py", V2)
    send(type="files_changed", paths=["helpers.py"])
    cell = nb.run("print(f())")
    assert "2" in cell.stdout
    # Back before anyone looked: just a change.
    assert len(cell.reports) == 1 and len(cell.reports[0]) == 1
    assert cell.reports[0][0].startswith("Reloaded helpers modified")


def test_rename_away(page_nb):
    nb = page_nb
    os.replace(nb.root / "helpers.py", nb.root / "helpers_old.py")
    send(type="files_changed", paths=["helpers.py", "helpers_old.py"], deleted=["helpers.py"])
    cell = nb.run("print(f())")
    assert "1" in cell.stdout and cell.reports == [[GONE]]
    # Renamed back.
    os.replace(nb.root / "helpers_old.py", nb.root / "helpers.py")
    nb.page.edit("helpers.py", V3)
    send(type="files_changed", paths=["helpers_old.py", "helpers.py"], deleted=["helpers_old.py"])
    assert "3" in nb.run("print(f())").stdout


def test_folder_deleted(page_nb):
    nb = page_nb
    nb.write("lib/__init__.py", "")
    nb.write("lib/shapes.py", "SIDES = 3\n")
    cell = nb.run("%%liveimport\nfrom lib.shapes import SIDES")
    assert cell.error is None, cell.stdout
    send(type="files_changed", paths=["lib"], deleted=["lib"])
    cell = nb.run("print(SIDES)")
    assert "3" in cell.stdout
    assert cell.reports == [
        [
            f"{os.path.join('lib', 'shapes.py')} was deleted; the loaded version of lib.shapes stays in use"  # noqa: E501
        ]
    ]
    assert status_of("helpers").mtime is not None, "outside the folder: untouched"


def test_deleted_on_disk_while_polling(nb):
    nb.write("helpers.py", V1)
    cell = nb.run("%%liveimport\nfrom helpers import f")
    assert cell.error is None, cell.stdout
    os.remove(nb.root / "helpers.py")
    cell = nb.run("print(f())")
    assert "1" in cell.stdout and cell.reports == [[GONE]]
    assert status_of("helpers").mtime is None
    assert nb.run("print(f())").reports == []
    nb.write("helpers.py", V2)
    cell = nb.run("print(f())")
    assert "2" in cell.stdout and len(cell.reports) == 1


def test_without_reports_nothing_is_shown(nb):
    nb.write("helpers.py", V1)
    nb.run("%%liveimport\nfrom helpers import f")
    liveimport.auto_sync(report=False)
    os.remove(nb.root / "helpers.py")
    cell = nb.run("print(f())")
    assert cell.reports == [] and cell.stderr == ""


# -- Inside Pyodide: a stand-in for JupyterLite's drive ------------------------

#: Mounts MEMFS at ``root`` and makes every stat (``getattr``) of a path under
#: it that the "page" no longer has a recorded hazard (in JupyterLite: a
#: request never answered). Returns the stand-in's controls.
_DRIVE_JS = """
(FS, root) => {
  FS.mkdirTree(root);
  FS.mount(FS.filesystems.MEMFS, {}, root);
  const ops = FS.filesystems.MEMFS.ops_table;
  const gone = new Set();
  const hazards = [];
  const saved = [];
  for (const kind of ['file', 'dir']) {
    const nodeOps = ops[kind].node;
    const getattr = nodeOps.getattr;
    saved.push([nodeOps, getattr]);
    nodeOps.getattr = node => {
      const path = FS.getPath(node);
      for (const g of gone) {
        if (path === g || path.startsWith(g + '/')) {
          hazards.push(path);
        }
      }
      return getattr(node);
    };
  }
  return {
    deleteInPage: path => gone.add(path),
    hazards: () => hazards.slice(),
    close: () => {
      for (const [nodeOps, getattr] of saved) {
        nodeOps.getattr = getattr;
      }
      FS.unmount(root);
    }
  };
}
"""


@pytest.fixture
def drive_nb(nb, monkeypatch):
    """A notebook whose directory is a page-owned drive stand-in (Pyodide)."""
    if sys.platform != "emscripten":
        pytest.skip("the drive stand-in is an Emscripten file system")
    import pyodide_js  # type: ignore[import-not-found]
    from pyodide.code import run_js  # type: ignore[import-not-found]

    root = str(nb.root / "drive")
    controls = run_js(_DRIVE_JS)(pyodide_js.FS, root)
    monkeypatch.setattr(page, "_page_owns", lambda r: True)
    cwd = os.getcwd()
    os.chdir(root)
    syspath_prepend(monkeypatch, root)
    try:
        nb.drive = controls
        nb.drive_root = root
        yield nb
    finally:
        os.chdir(cwd)
        controls.close()


def test_drive_deletion_never_stats_the_gone_path(drive_nb):
    nb = drive_nb
    root = nb.drive_root
    with open(os.path.join(root, "nb.ipynb"), "w") as f:
        f.write("{}")
    with open(os.path.join(root, "helpers.py"), "w") as f:
        f.write(V1)
    cell = nb.run("%%liveimport\nimport helpers\nfrom helpers import f")
    assert cell.error is None, cell.stdout
    liveimport.workspace(root)
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    assert page.active().in_use
    helpers = os.path.join(root, "helpers.py")
    assert os.path.exists(helpers)  # the kernel has a node for it now
    nb.drive.deleteInPage(helpers)
    send(type="files_changed", paths=["helpers.py"], deleted=["helpers.py"])
    cell = nb.run("import os; print(f(), os.path.exists('helpers.py'))")
    assert "1 False" in cell.stdout, cell.stdout
    assert cell.reports == [[GONE]]
    assert list(nb.drive.hazards()) == []
    # An explicit (full) sync stats every tracked file: safe now.
    liveimport.sync()
    assert list(nb.drive.hazards()) == []


def test_forget_keeps_roots_and_mount_points(drive_nb):
    nb = drive_nb
    root = nb.drive_root
    os.makedirs(os.path.join(root, "sub"))
    with open(os.path.join(root, "sub", "x.py"), "w") as f:
        f.write("")
    assert drive.forget(["/", root]) is True  # root is a mount point
    assert os.path.isdir(root) and os.path.isdir(os.path.join(root, "sub"))
    assert drive.forget([os.path.join(root, "nothing", "here")]) is True
    assert drive.forget([os.path.join(root, "sub")]) is True
    # MEMFS keeps files in its nodes: a dropped node is a deleted file.
    assert not os.path.exists(os.path.join(root, "sub", "x.py"))


def test_forget_is_a_no_op_natively():
    if sys.platform == "emscripten":
        pytest.skip("native only")
    assert drive.forget(["/tmp"]) is False
    assert os.path.isdir("/tmp")
