"""Pyodide packages loaded along the module graph, before modules run.

A Pyodide kernel loads the distribution's packages for the imports of a cell's
own code (``pyodide_js.loadPackagesFromImports``), not for those of the local
modules the cell imports. Before a cell runs, :func:`prepare` finds the
top-level modules that workspace modules import at top level (the engine's
rule, ``_engine.import_lines``), transitively through workspace modules,
starting from

- the workspace modules the cell imports that are not imported yet (any cell:
  plain or ``%%liveimport``), and
- the tracked modules the coming sync will reload because their source
  changed (the engine's plan, :func:`liveimport._core.planned_modified`),

and loads, with Pyodide's own ``pyodide_js.loadPackage`` (the site's
``indexURL`` / lock file decide where packages come from; no network code of
ours), those that are not importable and that the running Pyodide's lock file
provides (its ``imports`` field, ``pyodide_js._api._import_name_to_package_name``
in every Pyodide from 0.26 on); a name the lock file does not map is asked of
the site's piplite indexes with the kernel's ``piplite`` (JupyterLite only; its
PyPI fallback off for that request). It prints ``Loaded tblib for helpers.py`` on
stdout for each package loaded, and one line on stderr for a module that
cannot be had (``%pip install NAME``). A load not finished within the timeout
(:func:`load_packages`, default 60 s) counts as failed; the kernel goes on.

Where :func:`prepare` runs: ``install`` adds an async line transform to
pyodide-kernel's ``lite_transform_manager`` (JupyterLite 0.6, 0.7, 0.8: the
kernel awaits ``transform_cell`` in ``PyodideKernel.run`` before IPython runs
the cell, and so before the ``pre_run_cell`` sync). Outside a Pyodide kernel
nothing is installed (desktop Python imports what pip installed) and plain
Pyodide pages may ``await liveimport._packages.prepare(code)`` themselves.
"""

from __future__ import annotations

import importlib.util
import os
import re
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any

from . import (
    _core,
    _engine,
    _import_caches,
    _incidents,
    _page,
    _prepared_imports,
    _reload_source,
)

__all__ = ("install", "load_packages", "prepare", "reset", "uninstall")

#: The default of :func:`load_packages`' ``timeout``, in seconds.
DEFAULT_TIMEOUT = 60.0


class _Settings:
    __slots__ = ("enabled", "timeout")

    def __init__(self) -> None:
        self.enabled = True
        self.timeout = DEFAULT_TIMEOUT


_SETTINGS = _Settings()


def load_packages(enabled: bool | None = None, *, timeout: float | None = None) -> None:
    """Turn loading Pyodide packages for workspace modules on or off (an
    addition to LiveImport 1.3.1's API), and set how long one load may take
    (seconds; default 60) before it is reported as failed. Without
    arguments: on, with the current timeout. In a JupyterLite (Pyodide)
    kernel, before each cell runs, the Pyodide packages that the workspace
    modules the cell imports, and those the coming sync reloads, import at
    top level (transitively through workspace modules) are loaded with
    Pyodide's ``loadPackage``; ``liveimport.load_packages(False)`` turns it
    off. Elsewhere (desktop Python) nothing is loaded either way.

    :raises ValueError: ``timeout`` is not a positive number."""
    if timeout is not None:
        if not timeout > 0:
            raise ValueError(f"timeout must be a positive number of seconds, not {timeout!r}")
        _SETTINGS.timeout = float(timeout)
    _SETTINGS.enabled = True if enabled is None else bool(enabled)


def reset() -> None:
    """Back to the defaults (on, 60 s); for ``liveimport._reset()``."""
    _SETTINGS.enabled = True
    _SETTINGS.timeout = DEFAULT_TIMEOUT


# ---------------------------------------------------------------------------
# What the running Pyodide provides
# ---------------------------------------------------------------------------

_PROVIDERS: dict[str, str] | None = None


def _providers() -> dict[str, str]:
    """Import name -> package name of the running Pyodide's lock file (its
    ``imports`` fields), read once; empty outside Pyodide."""
    global _PROVIDERS
    if _PROVIDERS is None and sys.platform != "emscripten":
        _PROVIDERS = {}
    if _PROVIDERS is None:
        try:
            import pyodide_js

            names = pyodide_js._api._import_name_to_package_name
            _PROVIDERS = {str(k): str(v) for k, v in names.to_py().items()}
        except Exception as error:  # not Pyodide, or its private API moved
            _incidents.record("read the Pyodide lock file's imports", error)
            _PROVIDERS = {}
    return _PROVIDERS


def _piplite() -> Any:
    """JupyterLite's ``piplite.piplite`` module when the kernel has it (it
    installs from the site's piplite indexes), else None. Not imported here."""
    module = sys.modules.get("piplite.piplite")
    if module is None or not hasattr(module, "_PIPLITE_DISABLE_PYPI"):
        return None
    return module


def _importable(top: str) -> bool:
    """Whether top-level module ``top`` is imported or can be found (no
    import runs)."""
    if top in sys.modules:
        return True
    try:
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


# ---------------------------------------------------------------------------
# Walking the workspace modules
# ---------------------------------------------------------------------------


class _Need:
    """A package to load (from the lock file, or with ``piplite`` from the
    site's piplite index), and the first import that needs it."""

    __slots__ = ("line", "package", "piplite", "text", "top", "users")

    def __init__(
        self, package: str, top: str, user: str, line: int, text: str, piplite: bool = False
    ) -> None:
        self.package = package
        self.piplite = piplite
        self.top = top
        self.users = [user]
        self.line = line
        self.text = text


def _read_bytes(path: str) -> bytes:
    """The bytes of the file at ``path``, read without a ``fstat`` of the
    open file (``open(path, "rb").read()`` stats it to size its buffer: in
    JupyterLite, one more request to the page). Raises ``OSError``."""
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
    finally:
        os.close(fd)
    return b"".join(chunks)


class _Walk:
    """The workspace modules reached from the starts, and what they need."""

    def __init__(self, workspace: list[str]) -> None:
        self.workspace = [os.path.join(os.path.abspath(d), "") for d in workspace]
        self.seen: set[str] = set()
        self.needs: dict[str, _Need] = {}
        #: ``(file, line, text, top)`` of imports no package provides.
        self.unavailable: list[tuple[str, int, str, str]] = []
        self.locations: dict[str, list[str] | None] = {}
        #: ``find_spec`` of top-level names not loaded (None: not found, or
        #: it raised).
        self.specs: dict[str, Any] = {}
        #: Top-level modules found by ``find_spec`` with a plain source spec,
        #: and their bytes: what the cell's imports may be served
        #: (``_prepared_imports``).
        self.prepared: dict[str, _prepared_imports.Prepared] = {}

    def in_workspace(self, path: str | None) -> bool:
        return path is not None and any(path.startswith(d) for d in self.workspace)

    def top_locations(self, top: str) -> list[str] | None:
        """Search locations of workspace package ``top`` (``[]`` for a
        workspace module that is not a package); None when ``top`` is not in
        the workspace or not found."""
        if top in self.locations:
            return self.locations[top]
        found: list[str] | None = None
        spec = self.top_spec(top)
        if spec is not None and self.in_workspace(spec.origin):
            found = list(spec.submodule_search_locations or [])
        self.locations[top] = found
        return found

    def top_spec(self, top: str) -> Any:
        """The spec of top-level module ``top``: its ``__spec__`` when
        loaded, else ``importlib.util.find_spec`` (asked once per walk: in
        JupyterLite each look-up stats the folder and the file, requests to
        the page); None when it raises ``ImportError`` or ``ValueError``."""
        module = sys.modules.get(top)
        if module is not None:
            return module.__spec__
        if top not in self.specs:
            try:
                self.specs[top] = importlib.util.find_spec(top)
            except (ImportError, ValueError):
                self.specs[top] = None
        return self.specs[top]

    def module_file(self, name: str) -> str | None:
        """The source file of workspace module ``name`` (not imported yet)."""
        top, _, rest = name.partition(".")
        if name == top:
            spec = self.top_spec(top)
            origin = spec.origin if spec is not None else None
            return origin if self.in_workspace(origin) and str(origin).endswith(".py") else None
        locations = self.top_locations(top) or []
        *packages, last = rest.split(".")
        for part in packages:
            locations = [os.path.join(d, part) for d in locations]
        for directory in locations:
            for candidate in (
                os.path.join(directory, last + ".py"),
                os.path.join(directory, last, "__init__.py"),
            ):
                if os.path.isfile(candidate):
                    return candidate
        return None

    def visit(self, name: str, file: str, data: bytes | None = None) -> None:
        """Read workspace module ``name`` (source ``file``; its bytes
        ``data`` when the engine just read them) and follow its top-level
        imports."""
        if file in self.seen:
            return
        self.seen.add(file)
        spec = self.specs.get(name)
        try:
            if data is None and spec is not None and _reload_source.plain_spec(name, spec, file):
                # What the path finder gave: its import may take these bytes
                # (with the stat made before the read, as the loader's own).
                stat = os.stat(file)
                read_ns = time.time_ns()
                data = _read_bytes(file)
                stats = {"mtime": stat.st_mtime, "size": stat.st_size}
                self.prepared[name] = _prepared_imports.Prepared(spec, stats, data, read_ns)
            elif data is None:
                data = _read_bytes(file)
            source = importlib.util.decode_source(data)
        except (OSError, SyntaxError, UnicodeDecodeError):
            return  # the import reports it
        package = name if os.path.basename(file) == "__init__.py" else name.rpartition(".")[0]
        try:
            lines = _engine.import_lines(source, package, file)
        except SyntaxError:
            return  # an analysis error: LiveImport reports it
        self.follow(lines, file)

    def follow(self, lines: Iterable[tuple[str, list[str], int, str]], user: str) -> None:
        """Follow import lines of ``user`` (a file, or ``""`` for a cell,
        whose own non-workspace imports the kernel loads itself)."""
        for top, modules, line, text in lines:
            if self.top_locations(top) is not None:
                for name in [top, *modules]:
                    if name not in sys.modules:
                        file = self.module_file(name)
                        if file is not None:
                            self.visit(name, file)
            elif user and not _importable(top):
                package = _providers().get(top)
                piplite = package is None and _piplite() is not None
                if package is None and not piplite:
                    self.unavailable.append((user, line, text, top))
                    continue
                package = package or top
                if package in self.needs:
                    if user not in self.needs[package].users:
                        self.needs[package].users.append(user)
                else:
                    self.needs[package] = _Need(package, top, user, line, text, piplite)


# ---------------------------------------------------------------------------
# The cell and the coming sync
# ---------------------------------------------------------------------------

_MAGIC_LINE = re.compile(r"^[ \t]*(?:[%!]|#[ \t]*_%%)")


def _cell_source(code: str) -> str:
    """The cell as Python for the import scan: lines of IPython syntax (magics,
    shell escapes, ``#_%%liveimport``) blanked, so line numbers stay."""
    return "".join(
        "\n" if _MAGIC_LINE.match(line) else line for line in code.splitlines(keepends=True)
    )


def _cell_lines(code: str) -> list[tuple[str, list[str], int, str]]:
    if "import" not in code:
        return []
    try:
        return _engine.import_lines(_cell_source(code), "", "<cell>")
    except SyntaxError:
        return []  # not Python: IPython reports it when the cell runs


def _full_sync() -> bool:
    """Whether the coming sync examines every tracked file (as ``_nbi``'s:
    unless the page's file events can be relied on, ``_page``)."""
    page = _page.active()
    return page is None or page.full_sync()


def _name(file: str) -> str:
    return (
        os.path.basename(file)
        if os.path.basename(file) != "__init__.py"
        else (os.path.join(os.path.basename(os.path.dirname(file)), "__init__.py"))
    )


async def prepare(code: str = "", *, sync: bool = True) -> list[str]:
    """Load the Pyodide packages that workspace modules need before ``code``
    (a cell) runs: those the workspace modules ``code`` imports (not imported
    yet) need, and, with ``sync``, those the modules the next sync reloads
    need (see the module documentation). Prints a line for each package
    loaded (stdout) and for each import no package provides or a load that
    failed (stderr). Returns the names of the packages loaded. Never raises
    (a failure of its own is recorded in ``_incidents`` and said on stderr);
    waits at most the timeout of :func:`load_packages` per load."""
    if not _SETTINGS.enabled:
        return []
    try:
        return await _prepare(code, sync)
    except Exception as error:
        _incidents.record("load Pyodide packages", error, warn=True)
        return []


async def _prepare(code: str, sync: bool) -> list[str]:
    cell = _cell_lines(code)
    planned = _core.planned_modified(_full_sync()) if sync else []
    if not planned and all(top in sys.modules for top, _, _, _ in cell):
        return []  # the common case: nothing new
    if _liveimport_cell(code):
        # Its magic invalidates the import caches before its imports, so that
        # a module created since imports; look modules up as they will, once.
        page = _page.active()
        _import_caches.invalidate(page.next_cell_mark() if page is not None else None, hold=True)
    epoch = _core.import_epoch()
    walk = _Walk(_core.workspace_directories())
    for name, file, data in planned:
        walk.visit(name, file, data)
    walk.follow(cell, "")
    for file, line, text, top in walk.unavailable:
        sys.stderr.write(
            f"{_name(file)}, line {line}: {text}: no package of this Pyodide provides "
            f"{top!r}; install it with %pip install {top}\n"
        )
    needs = list(walk.needs.values())
    if not needs:  # a loaded package could change what the imports find
        _prepared_imports.offer(walk.prepared, epoch, _core.import_epoch)
    loaded = (
        [] if all(n.piplite for n in needs) else await _load([n for n in needs if not n.piplite])
    )
    for need in needs:
        if need.piplite:
            loaded += await _install_from_site([need])
    return loaded


async def _load(needs: list[_Need]) -> list[str]:
    import asyncio  # only when something loads (Pyodide's kernel has it already)

    import pyodide_js
    from pyodide.ffi import create_proxy, to_js

    # `Object.fromEntries`, reached through the Pyodide API's `Function` rather than `import
    # js`, which a `js/` folder in the working directory shadows (as in ``_engine_wasm``).
    from_entries = pyodide_js.FS.stat.constructor("entries", "return Object.fromEntries(entries);")

    errors: list[str] = []
    on_error = create_proxy(lambda message: errors.append(str(message)))
    quiet = create_proxy(lambda message: None)
    options = to_js(
        {"messageCallback": quiet, "errorCallback": on_error}, dict_converter=from_entries
    )
    names = to_js([need.package for need in needs])
    timed_out = False
    try:
        await asyncio.wait_for(
            asyncio.ensure_future(pyodide_js.loadPackage(names, options)), _SETTINGS.timeout
        )
    except asyncio.TimeoutError:
        timed_out = True
    except Exception as error:  # Pyodide's own failure (offline, integrity, ...)
        errors.append(str(error))
    finally:
        if not timed_out:  # a load still running may call them later
            on_error.destroy()
            quiet.destroy()
    return _report(needs, timed_out, errors)


async def _install_from_site(needs: list[_Need]) -> list[str]:
    """Install with ``piplite`` from the site's piplite indexes only (its
    PyPI fallback off meanwhile: nothing but what the site serves)."""
    import asyncio

    module = _piplite()
    saved = module._PIPLITE_DISABLE_PYPI
    module._PIPLITE_DISABLE_PYPI = True
    timed_out = False
    try:
        await asyncio.wait_for(
            asyncio.ensure_future(module.install([n.package for n in needs])), _SETTINGS.timeout
        )
    except asyncio.TimeoutError:
        timed_out = True
    except Exception as error:  # not in the site's index (said below), or piplite failed
        _incidents.record("piplite install", error)
    finally:
        module._PIPLITE_DISABLE_PYPI = saved
    return _report(needs, timed_out, [])


def _report(needs: list[_Need], timed_out: bool, errors: list[str]) -> list[str]:
    """Say which packages loaded (stdout) and which did not (stderr);
    return the names of those loaded. The import caches are invalidated first
    (the packages' files are new), zip archives' excepted (re-reading the
    zipped standard library's directory costs 50 to 70 ms in Pyodide 0.27)."""
    _import_caches.invalidate()
    loaded: list[str] = []
    for need in needs:
        users = ", ".join(_name(u) for u in need.users)
        if _importable(need.top):
            loaded.append(need.package)
            sys.stdout.write(f"Loaded {need.package} for {users}\n")
            continue
        if need.piplite and not timed_out:  # the site's index does not have it either
            sys.stderr.write(
                f"{_name(need.users[0])}, line {need.line}: {need.text}: no package of this "
                f"Pyodide provides {need.top!r}; install it with %pip install {need.top}\n"
            )
            continue
        why = (
            f"not loaded within {_SETTINGS.timeout:g} s"
            if timed_out
            else "; ".join(errors) or "loading failed"
        )
        sys.stderr.write(
            f"{_name(need.users[0])}, line {need.line}: {need.text}: the Pyodide package "
            f"{need.package} could not be loaded ({why}); try %pip install {need.package}\n"
        )
    sys.stdout.flush()
    sys.stderr.flush()
    return loaded


# ---------------------------------------------------------------------------
# The hook in pyodide-kernel
# ---------------------------------------------------------------------------


async def _before_cell(lines: list[str]) -> list[str]:
    """pyodide-kernel line transform: prepare, and hand the lines on as they
    are. Never raises (the kernel would fail the request)."""
    _prepared_imports.withdraw()  # the last cell's, if still there
    _import_caches.release()
    try:
        await prepare("".join(lines), sync=_sync_enabled())
    except BaseException as error:  # a cancelled load too: the cell still runs
        _incidents.record("load Pyodide packages", error, warn=True)
    return lines


_before_cell._liveimport_hook = True  # type: ignore[attr-defined]


def _after_cell() -> None:
    """IPython ``post_execute``: the cell's imports are over."""
    _prepared_imports.withdraw()
    _import_caches.release()


_after_cell._liveimport_hook = True  # type: ignore[attr-defined]


def _never() -> bool:
    return False


#: Whether cells sync before they run (``_nbi.auto_sync_enabled``, given to
#: :func:`install`).
_sync_enabled: Callable[[], bool] = _never


def _no_magic(code: str) -> bool:
    return False


#: Whether a cell's code runs as a ``%%liveimport`` cell
#: (``_nbi.liveimport_cell``, given to :func:`install`).
_liveimport_cell: Callable[[str], bool] = _no_magic


def _transforms(shell: Any) -> list[Any] | None:
    manager = getattr(getattr(shell, "kernel", None), "lite_transform_manager", None)
    transforms = getattr(manager, "line_transforms", None)
    return transforms if isinstance(transforms, list) else None


def uninstall(shell: Any) -> None:
    """Remove the line transform any copy of this module added to ``shell``'s
    pyodide-kernel."""
    transforms = _transforms(shell)
    if transforms is not None:
        transforms[:] = [t for t in transforms if not getattr(t, "_liveimport_hook", False)]
    events: Any = getattr(shell, "events", None)
    for callback in list(getattr(events, "callbacks", {}).get("post_execute", [])):
        if getattr(callback, "_liveimport_hook", False):
            events.unregister("post_execute", callback)


def install(
    shell: Any,
    sync_enabled: Callable[[], bool],
    liveimport_cell: Callable[[str], bool] = _no_magic,
) -> bool:
    """In a pyodide-kernel shell (JupyterLite), add :func:`prepare` as an
    async line transform of the kernel's ``lite_transform_manager``, run
    before IPython runs each cell; ``sync_enabled()`` says whether the cell
    will sync (then the modules the sync reloads are prepared too),
    ``liveimport_cell(code)`` whether it runs as a ``%%liveimport`` cell
    (then modules are looked up with fresh import caches, as its magic
    will); and, on IPython's ``post_execute``, the withdrawal of what a cell
    was offered (``_prepared_imports``). Returns whether it was added (False
    elsewhere: desktop kernels, plain IPython)."""
    global _liveimport_cell, _sync_enabled
    _sync_enabled = sync_enabled
    _liveimport_cell = liveimport_cell
    if sys.platform != "emscripten":
        return False
    transforms = _transforms(shell)
    if transforms is None:
        return False
    uninstall(shell)
    transforms.append(_before_cell)
    events = getattr(shell, "events", None)
    if events is not None:  # IPython's: the cell's end withdraws what it was offered
        events.register("post_execute", _after_cell)
    return True
