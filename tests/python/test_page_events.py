"""The kernel side of the extension's file events and run boundaries
(``liveimport._page``, ``liveimport._frontend``): which cells sync, whether a
sync polls every file or only reported ones, and that no change is missed.

The page is simulated by feeding ``_frontend._on_msg`` the comm messages the
extension sends. ``_page._page_owns`` is patched to accept the test's
directory as a page-owned drive (in JupyterLite: ``/drive``)."""

from __future__ import annotations

import os
import pathlib

import pytest

import liveimport
import liveimport._core as core
import liveimport._frontend as frontend
import liveimport._page as page
from liveimport_fixtures import page_write
from nbshell import nb  # noqa: F401  (fixture)

V1 = "def f():\n    return 1\n"
V2 = "def f():\n    return 2\n"
V3 = "def f():\n    return 3\n"


class PageFiles:
    """Files the page edits, with a fresh mtime for each edit."""

    def __init__(self, root: pathlib.Path) -> None:
        self.root = root
        self.tick = 1.5e9

    def edit(self, name: str, text: str) -> None:
        self.tick += 10
        page_write(self.root / name, text, self.tick)


def send(**data):
    """Deliver one comm message from the page."""
    frontend._on_msg({"content": {"data": data}})


@pytest.fixture
def page_nb(nb, monkeypatch):
    """A notebook whose page reports file events (connected, in use), with
    ``helpers`` registered; ``.syncs`` records each automatic sync's ``full``."""
    monkeypatch.setattr(page, "_page_owns", lambda root: True)
    (nb.root / "nb.ipynb").write_text("{}")
    nb.write("helpers.py", V1)
    cell = nb.run("%%liveimport\nimport helpers\nfrom helpers import f")
    assert cell.error is None, cell.stdout
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    assert page.active().in_use
    nb.page = PageFiles(nb.root)
    nb.syncs = []
    real_sync = core._sync

    def spy(observer=None, *, full=True, **options):
        nb.syncs.append(full)
        return real_sync(observer, full=full, **options)

    monkeypatch.setattr(core, "_sync", spy)
    return nb


def test_reported_change_reloads_without_polling(page_nb):
    nb = page_nb
    assert frontend.status_message()["file_events"] is True
    nb.page.edit("helpers.py", V2)
    cell = nb.run("print(f())")
    assert "1" in cell.stdout, "an edit no event reported: not looked at"
    send(type="files_changed", paths=["helpers.py"])
    cell = nb.run("print(f())")
    assert "2" in cell.stdout and len(cell.reports) == 1
    assert nb.syncs == [False, False]
    cell = nb.run("print(f())")
    assert "2" in cell.stdout and cell.reports == []
    assert nb.syncs == [False, False, False]


def test_paths_are_contents_paths(page_nb):
    nb = page_nb
    state = page.active()
    root = str(nb.root)
    assert state.kernel_path("helpers.py") == os.path.join(root, "helpers.py")
    assert state.kernel_path("/lib/../helpers.py") == os.path.join(root, "helpers.py")
    assert state.kernel_path("") == root
    assert state.kernel_path("RTC:helpers.py") is None  # another drive
    nb.page.edit("helpers.py", V2)
    send(type="files_changed", paths=["./"])  # a directory: everything under it
    assert "2" in nb.run("print(f())").stdout


def test_every_kernel_write_route_is_seen(page_nb):
    nb = page_nb
    path = nb.root / "helpers.py"
    routes = [
        "open({p!r}, 'w').write({src!r})",
        "import pathlib; pathlib.Path({p!r}).write_text({src!r})",
        "import os; open({p!r} + '.new', 'w').write({src!r}); os.replace({p!r} + '.new', {p!r})",
    ]
    for i, route in enumerate(routes):
        value = 10 + i
        source = f"def f():\n    return {value}\n"
        code = route.format(p=str(path), src=source)
        # Same second as before: force a distinct mtime like an editor would.
        nb.run(code + f"\nimport os; os.utime({str(path)!r}, ({nb.clock.now + i}, {1e9 + i}))")
        cell = nb.run("print(f())")
        assert str(value) in cell.stdout, (route, cell.stdout, cell.stderr)
    assert all(full is False for full in nb.syncs)


def test_file_kept_open_across_cells(page_nb):
    nb = page_nb
    path = nb.root / "helpers.py"
    nb.run(f"handle = open({str(path)!r}, 'w')")
    nb.run("pass")  # the sync here consumes the note; the file is unchanged so far
    nb.run(
        f"handle.write({V3!r}); handle.close()\n"
        f"import os; os.utime({str(path)!r}, (1e9 + 7, 1e9 + 7))"
    )
    assert "3" in nb.run("print(f())").stdout


def test_run_syncs_before_its_first_cell_only(page_nb):
    nb = page_nb
    nb.ns["clock"] = nb.clock
    liveimport.auto_sync(grace=1.0)
    nb.page.edit("helpers.py", V2)
    send(type="files_changed", paths=["helpers.py"])
    send(type="run_start")
    first = nb.run("print(f())", pause=0.01)  # within the grace period: syncs anyway
    assert "2" in first.stdout and len(first.reports) == 1
    nb.page.edit("helpers.py", V3)
    send(type="files_changed", paths=["helpers.py"])
    slow = nb.run("clock.advance(60); print(f())", pause=0.01)  # a 60 s cell
    assert "2" in slow.stdout and slow.reports == []
    after_slow = nb.run("print(f())", pause=0.01)
    assert "2" in after_slow.stdout and after_slow.reports == []
    send(type="run_end")
    send(type="run_start")
    nxt = nb.run("print(f())", pause=0.01)
    assert "3" in nxt.stdout and len(nxt.reports) == 1


def test_without_a_run_the_grace_period_applies(page_nb):
    nb = page_nb
    nb.page.edit("helpers.py", V2)
    send(type="files_changed", paths=["helpers.py"])
    assert "1" in nb.run("print(f())", pause=0.5).stdout
    assert "2" in nb.run("print(f())", pause=1.5).stdout


def test_a_run_whose_end_was_lost_expires(page_nb):
    nb = page_nb
    send(type="run_start")
    nb.run("pass", pause=0.01)
    nb.page.edit("helpers.py", V2)
    send(type="files_changed", paths=["helpers.py"])
    assert "1" in nb.run("print(f())", pause=0.01).stdout
    cell = nb.run("print(f())", pause=page.STALE_RUN_GAP + 1)
    assert "2" in cell.stdout and len(cell.reports) == 1


def test_polling_when_events_are_off_or_the_comm_closed(page_nb):
    nb = page_nb
    send(type="settings", file_events=False)
    assert frontend.status_message()["file_events"] is False
    nb.page.edit("helpers.py", V2)  # no event: polling sees it
    assert "2" in nb.run("print(f())").stdout
    assert nb.syncs[-1] is True
    send(type="settings", file_events=True)
    nb.run("pass")
    assert nb.syncs[-1] is False
    frontend._on_close()
    nb.page.edit("helpers.py", V3)
    assert "3" in nb.run("print(f())").stdout
    assert nb.syncs[-1] is True
    # Reconnected: changes while the comm was down may be unreported, so the
    # first sync polls once.
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    nb.run("pass")
    nb.run("pass")
    assert nb.syncs[-2:] == [True, False]


def test_incomplete_connect_polls_once(page_nb):
    nb = page_nb
    liveimport._reset()  # a new kernel-side page state: a first connection
    nb.run("%%liveimport\nimport helpers\nfrom helpers import f")
    nb.page.edit("helpers.py", V2)
    # The page's list of changes overflowed: it cannot name them all.
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=False)
    del nb.syncs[:]
    assert "2" in nb.run("print(f())").stdout
    nb.run("pass")
    assert nb.syncs == [True, False]


def test_changes_reported_at_connection_are_seen(page_nb):
    nb = page_nb
    liveimport._reset()
    nb.run("%%liveimport\nimport helpers\nfrom helpers import f")
    nb.page.edit("helpers.py", V2)
    send(type="file_events", notebook_path="nb.ipynb", paths=["helpers.py"], complete=True)
    del nb.syncs[:]
    assert "2" in nb.run("print(f())").stdout
    assert nb.syncs == [False]


def test_events_need_a_page_owned_drive(nb, monkeypatch):
    (nb.root / "nb.ipynb").write_text("{}")
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    # A real file system (natively; in Pyodide outside /drive): other programs
    # edit files without page events, so the kernel keeps polling.
    assert not page.active().in_use
    monkeypatch.setattr(page, "_page_owns", lambda root: True)
    send(type="file_events", notebook_path="elsewhere/nb.ipynb", paths=[], complete=True)
    assert not page.active().in_use  # the notebook is not where the page says
    send(type="file_events", notebook_path="nb.ipynb", paths=[], complete=True)
    assert page.active().in_use


def test_a_console_page_uses_events(nb, monkeypatch):
    # A kernel only consoles use (JupyterLab's console, JupyterLite's REPL
    # app): its session path names no file, and the page says so.
    monkeypatch.setattr(page, "_page_owns", lambda root: True)
    nb.write("helpers.py", V1)
    assert nb.run("%%liveimport\nimport helpers\nfrom helpers import f").error is None
    send(type="file_events", notebook_path="console-1-ab12", paths=[], complete=True)
    assert not page.active().in_use
    send(type="file_events", notebook_path="console-1-ab12", console=True, paths=[], complete=True)
    assert page.active().in_use
    PageFiles(nb.root).edit("helpers.py", V2)
    send(type="files_changed", paths=["helpers.py"])
    liveimport.auto_sync(grace=0)
    assert "2" in nb.run("print(f())").stdout


def test_drive_root_from_notebook_path(tmp_path):
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "nb.ipynb").write_text("{}")
    cwd = str(tmp_path / "sub")
    assert page._drive_root(cwd, "sub/nb.ipynb") == str(tmp_path)
    assert page._drive_root(cwd, "/sub/nb.ipynb") == str(tmp_path)
    assert page._drive_root(cwd, "other/nb.ipynb") is None
    assert page._drive_root(cwd, "RTC:sub/nb.ipynb") is None
    assert page._drive_root(str(tmp_path), "sub/nb.ipynb") is None


def test_drive_root_from_console_session_path(tmp_path):
    # A console's session path names no file (JupyterLab: console-1-<uuid>);
    # the kernel starts in its directory.
    (tmp_path / "sub").mkdir()
    cwd = str(tmp_path / "sub")
    assert page._drive_root(cwd, "sub/console-1-ab12") is None
    assert page._drive_root(cwd, "sub/console-1-ab12", console=True) == str(tmp_path)
    assert page._drive_root(str(tmp_path), "console-1-ab12", console=True) == str(tmp_path)
    assert page._drive_root(cwd, "other/console-1-ab12", console=True) is None
    assert page._drive_root(cwd, "RTC:sub/console-1-ab12", console=True) is None


def test_bootstrap_may_open_a_run(page_nb):
    nb = page_nb
    frontend.apply_settings({"run": True})
    nb.page.edit("helpers.py", V2)
    send(type="files_changed", paths=["helpers.py"])
    assert "2" in nb.run("print(f())", pause=0.01).stdout
    nb.page.edit("helpers.py", V3)
    send(type="files_changed", paths=["helpers.py"])
    assert "2" in nb.run("print(f())", pause=0.01).stdout


def test_pathlib_relative_write_is_seen(page_nb):
    nb = page_nb
    os.chdir(nb.root)
    nb.run(
        f"import pathlib, os; pathlib.Path('helpers.py').write_text({V3!r}); "
        "os.utime('helpers.py', (1e9 + 9, 1e9 + 9))"
    )
    assert "3" in nb.run("print(f())").stdout
    assert pathlib.Path("helpers.py").read_text() == V3


def test_a_relative_write_is_noted_by_its_path_only(page_nb):
    # os.replace/os.utime with relative paths and no dir_fd (CPython audits dir_fd -1 then):
    # the written file is examined, and nothing else is (a change nobody reported stays unseen).
    nb = page_nb
    nb.write("other.py", "X = 1\n")
    assert nb.run("%%liveimport\nimport other").error is None
    nb.page.edit("other.py", "X = 2\n")  # behind the kernel's back, and no event sent
    os.chdir(nb.root)
    nb.run(
        f"import os; open('helpers.new', 'w').write({V3!r}); "
        "os.replace('helpers.new', 'helpers.py'); os.utime('helpers.py', (1e9 + 11, 1e9 + 11))"
    )
    assert "3" in nb.run("print(f())").stdout
    assert nb.run("print(other.X)").stdout.strip() == "1"
