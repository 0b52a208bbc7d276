"""Shared fixtures for the core API tests (imported by ``test_*.py``).

``mods`` gives each test a fresh directory of module files, on ``sys.path``,
as the current directory and the LiveImport workspace (``liveimport._reset()``
runs before and after), and removes the modules the test imported. Every write
sets the file's mtime explicitly (a strictly increasing clock, 10 s apart):
file systems with coarse mtimes (or Pyodide's MEMFS) then still see changes.
Runs natively and inside Pyodide: no subprocesses, threads or network.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
import textwrap
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import liveimport
from liveimport._import_caches import _invalidate as _invalidate_keeping_archives


def invalidate_caches() -> None:
    """``importlib.invalidate_caches()`` for the files a test writes, zip
    archives' importers left alone (``liveimport._import_caches``' own rule:
    in Python 3.12, Pyodide 0.26 and 0.27, each call re-reads the zipped
    standard library's directory, 0.24 s under Node). Bound at import, so a
    test that counts LiveImport's invalidations (monkeypatching the module's
    function) does not count these, and LiveImport's marks stay as they are."""
    _invalidate_keeping_archives()


def syspath_prepend(monkeypatch: Any, path: str) -> None:
    """``monkeypatch.syspath_prepend(path)`` with :func:`invalidate_caches`
    (pytest's calls ``importlib.invalidate_caches()``)."""
    monkeypatch.setattr(sys, "path", [path, *sys.path])
    invalidate_caches()


def page_write(path: Path, text: str, mtime: float) -> None:
    """Change a file the way the page does, behind Python's back (no audit
    event, so the kernel's write notes cannot see it): through Emscripten's FS
    in Pyodide (the page writes the drive the same way), through libc
    natively."""
    data = text.encode()
    if sys.platform == "emscripten":
        import pyodide_js  # type: ignore[import-not-found]
        from pyodide.ffi import to_js  # type: ignore[import-not-found]

        pyodide_js.FS.writeFile(str(path), to_js(data))  # a Uint8Array
        pyodide_js.FS.utime(str(path), mtime * 1000, mtime * 1000)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    libc.fopen.restype = ctypes.c_void_p
    stream = libc.fopen(str(path).encode(), b"wb")
    assert stream, "fopen failed"
    libc.fwrite(data, 1, len(data), ctypes.c_void_p(stream))
    libc.fclose(ctypes.c_void_p(stream))

    class Utimbuf(ctypes.Structure):
        _fields_ = [("actime", ctypes.c_long), ("modtime", ctypes.c_long)]

    assert libc.utime(str(path).encode(), ctypes.byref(Utimbuf(int(mtime), int(mtime)))) == 0


class ModuleDir:
    """A directory of module files with controlled mtimes."""

    def __init__(self, root: Path):
        self.root = root
        self._clock = float(int(time.time()) - 3600)

    def path(self, relpath: str) -> Path:
        return self.root / relpath

    def write(self, relpath: str, text: str | bytes, *, mtime: float | None = None) -> Path:
        """Write ``relpath`` (dedented text, UTF-8, or raw bytes) and set its
        mtime to ``mtime`` or the next tick of the clock; returns the path."""
        path = self.root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        data = text if isinstance(text, bytes) else textwrap.dedent(text).encode()
        path.write_bytes(data)
        self.touch(relpath, mtime)
        return path

    def touch(self, relpath: str, mtime: float | None = None) -> float:
        """Set ``relpath``'s mtime (default: next tick); returns it."""
        if mtime is None:
            self._clock += 10.0
            mtime = self._clock
        os.utime(self.root / relpath, (mtime, mtime))
        return mtime

    def mtime(self, relpath: str) -> float:
        return os.stat(self.root / relpath).st_mtime

    def load(self, ns: dict[str, Any], statements: str, **options: Any) -> None:
        """Execute ``statements`` in ``ns``, then register them."""
        statements = textwrap.dedent(statements)
        invalidate_caches()
        exec(statements, ns)
        liveimport.register(ns, statements, **options)


@contextlib.contextmanager
def isolated_directory(
    tmp_path: Path, monkeypatch: Any, name: str, reset: Callable[[], None] = liveimport._reset
) -> Iterator[Path]:
    """A fresh directory ``tmp_path / name`` that is the cwd and first on
    ``sys.path`` (no bytecode written), with ``reset()`` (LiveImport's, by
    default) called before and after; on exit, the modules imported from
    under ``tmp_path`` leave ``sys.modules`` and the cwd is restored."""
    root = tmp_path / name
    root.mkdir()
    old_cwd = os.getcwd()
    os.chdir(root)
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    syspath_prepend(monkeypatch, str(root))
    before = set(sys.modules)
    reset()
    invalidate_caches()
    try:
        yield root
    finally:
        for module_name in set(sys.modules) - before:  # the test's own modules only
            file = getattr(sys.modules[module_name], "__file__", None) or ""
            if os.path.abspath(file).startswith(str(tmp_path) + os.sep):
                del sys.modules[module_name]
        os.chdir(old_cwd)
        reset()


@pytest.fixture
def mods(tmp_path, monkeypatch):
    """A :class:`ModuleDir` that is the cwd, on ``sys.path`` and the workspace."""
    with isolated_directory(tmp_path, monkeypatch, "work") as root:
        yield ModuleDir(root)


@pytest.fixture
def ns():
    """A fresh namespace dict standing in for a notebook's ``globals()``."""
    return {}


def synced(**options: Any) -> list[liveimport.ReloadEvent]:
    """Run ``liveimport.sync`` and return the events it reported."""
    events: list[liveimport.ReloadEvent] = []
    liveimport.sync(observer=events.append, **options)
    return events


def reloads(events: list[liveimport.ReloadEvent]) -> list[tuple[str, str, list[str]]]:
    """``(module, reason, after)`` of each event, for compact assertions."""
    return [(e.module, e.reason, list(e.after)) for e in events]
