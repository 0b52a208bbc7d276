"""The wasm-bindgen engine: the Rust engine built for ``wasm32-unknown-unknown``
(``src/wasm.rs``), driven through Pyodide's FFI. It implements the contract of
``_engine.pyi``; ``liveimport._engine`` chooses it where the pyo3 engine does
not load (any Pyodide other than 314), or when ``LIVEIMPORT_ENGINE=wasm-bindgen``.

Loading (once per interpreter, at import): the wasm-bindgen glue
(``_wasm/liveimport_engine.js``, ``--target no-modules``) is made a JS
function (``Function``) and instantiated synchronously (``initSync``) with the
bytes of ``_wasm/liveimport_engine_bg.wasm`` read from the installed package
through Pyodide's ``FS``: no network, no help from the page, the same in Node
and in a browser worker. Each :class:`Engine` gets that ``FS`` object, and
reads mtimes (``FS.stat``) and sources (``FS.readFile``) itself.

This layer converts values and errors only: arguments with
``pyodide.ffi.to_js``, results with ``JsProxy.to_py`` into the contract's
tuples, and the engine's error outcomes into the exceptions the contract
names (:func:`_raise_failure`). File writes by kernel code are noted by a
``sys.addaudithook`` hook (:func:`note_writes`) classifying events with the
engine's own table.

:raises ImportError: at import, outside Pyodide or when the module files are
    missing or do not instantiate.
"""

import os
import sys
from typing import Any, Callable, Optional

try:
    import pyodide_js
    from pyodide.ffi import JsException, create_proxy, to_js
except ImportError as error:  # not in Pyodide
    raise ImportError(f"the wasm-bindgen engine needs Pyodide ({error})",
                      name="liveimport._engine_wasm") from error

__all__ = ("Engine", "AnalysisError", "canonical_statement", "engine_syntax_error", "note_compiles",
           "note_writes", "__version__")

#: Folder of the wasm-bindgen output inside the installed package.
WASM_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "_wasm")
GLUE_FILE = "liveimport_engine.js"
WASM_FILE = "liveimport_engine_bg.wasm"


def _instantiate() -> Any:
    glue_path = os.path.join(WASM_DIR, GLUE_FILE)
    wasm_path = os.path.join(WASM_DIR, WASM_FILE)
    try:
        with open(glue_path, encoding="utf-8") as f:
            glue = f.read()
    except OSError as error:
        raise ImportError(f"the wasm-bindgen engine is not installed: {error}",
                          name="liveimport._engine_wasm", path=glue_path) from error
    # JavaScript's `Function` constructor, reached from a function of the Pyodide API rather
    # than through `import js` (which `pyodide.code.run_js` does): a `js/` folder in the
    # working directory, common in notebook projects, shadows that module until it is
    # imported. The glue declares `wasm_bindgen` in the function's scope only: nothing global
    # is added.
    function = pyodide_js.FS.stat.constructor  # a plain (not async) function: `Function`
    factory = function("wasmBytes", glue + "\nwasm_bindgen.initSync({ module: wasmBytes });\n"
                       "return wasm_bindgen;\n")
    try:
        return factory(pyodide_js.FS.readFile(wasm_path))
    except JsException as error:
        raise ImportError(f"the wasm-bindgen engine does not load from {wasm_path}: {error}",
                          name="liveimport._engine_wasm", path=wasm_path) from error


_MODULE = _instantiate()
_FS = pyodide_js.FS

#: The engine's version (the Rust crate's).
__version__: str = _MODULE.version()


class AnalysisError(Exception):
    """A tracked module's source could not be analysed (see ``_engine.pyi``).

    Attributes: ``module`` (str) and ``cause`` (the exception: the host's
    ``check_syntax`` verdict, or a ``SyntaxError`` / ``ImportError``)."""

    module: str
    cause: BaseException


AnalysisError.__module__ = "liveimport._engine"


def _syntax_error(fields) -> SyntaxError:
    msg, filename, line, offset, text = fields
    return SyntaxError(msg, (filename, line, offset, text, line, offset))


def _exception(error, host_errors: list) -> BaseException:
    """The exception an error array of ``src/wasm.rs`` names; ``host_errors``
    holds the host's exceptions that ``["HostError", index]`` refers to."""
    kind = error[0]
    if kind == "SyntaxError":
        return _syntax_error(error[1:])
    if kind == "HostError":
        index = error[1]
        return host_errors[index] if 0 <= index < len(host_errors) else SyntaxError("analysis failed")
    if kind == "AnalysisError":
        exc = AnalysisError(error[1])
        exc.module = error[2]
        exc.cause = _exception(error[3], host_errors)
        return exc
    return {"ImportError": ImportError, "ValueError": ValueError}.get(kind, TypeError)(error[1])


def _engine_trapped(error: BaseException) -> RuntimeError:
    panic = _MODULE.last_panic()
    return RuntimeError(f"liveimport's wasm-bindgen engine failed ({panic or error}); "
                        "this is a bug in liveimport: please report it")


def _call(method, *args, host_errors: Optional[list] = None) -> Any:
    """Call an engine function with converted arguments; return its value as Python
    objects, or raise what its error outcome names."""
    try:
        outcome = method(*args)
    except JsException as error:  # a trap (engine bug) or a wrong argument type
        raise _engine_trapped(error) from error
    status, value = outcome.to_py()
    if status:
        raise _exception(value, host_errors or [])
    return value


def _records(values) -> list:
    return [tuple(r) for r in values]


def _mtime(value) -> Optional[float]:
    return None if value is None else float(value)


class Engine:
    """All state of one LiveImport instance (see ``Engine`` in ``_engine.pyi``),
    held by a wasm-bindgen ``Engine`` object reading files through Pyodide's FS.

    The host's ``check_syntax`` reaches the engine as a JS function returning
    ``-1`` (accepted) or the index of the exception in ``_host_errors``, which
    holds the exceptions of the current call only."""

    __slots__ = ("_js", "_verdict", "_host_errors")

    def __init__(self, workspace: list[str], python_version: tuple[int, int],
                 check_syntax: Callable[[str, str], Optional[BaseException]]) -> None:
        host_errors: list = []

        def verdict(file: str, source: str) -> int:
            try:
                exception = check_syntax(file, source)
            except Exception as error:  # the checker itself failed: that is the verdict
                exception = error
            if exception is None:
                return -1
            host_errors.append(exception)
            return len(host_errors) - 1

        self._host_errors = host_errors
        self._verdict = create_proxy(verdict)
        try:
            self._js = _MODULE.Engine.new(_FS, to_js(list(workspace)), to_js(tuple(python_version)),
                                          self._verdict)
        except JsException as error:
            self._verdict.destroy()
            raise TypeError(f"Engine({workspace!r}, {python_version!r}, ...): {error}") from None

    def __del__(self) -> None:
        for name in ("_js", "_verdict"):
            proxy = getattr(self, name, None)
            if proxy is not None:
                try:
                    proxy.free() if name == "_js" else proxy.destroy()
                except Exception:
                    pass

    def _analysing(self, method, *args) -> Any:
        """:func:`_call` for the methods that may ask ``check_syntax``."""
        try:
            return _call(method, *args, host_errors=self._host_errors)
        finally:
            self._host_errors.clear()

    def parse_statements(self, text: str, package: str, allow_other_statements: bool) -> list:
        return _records(_call(self._js.parse_statements, text, package, bool(allow_other_statements)))

    def register(self, namespace_id: int, records: list, modules: list, clear: bool) -> None:
        self._analysing(self._js.register, namespace_id, to_js(records), to_js(modules), bool(clear))

    def untracked_dependencies(self) -> list[str]:
        return _call(self._js.untracked_dependencies)

    def track_indirect(self, modules: list) -> tuple:
        try:
            wanted, errors = _call(self._js.track_indirect, to_js(modules))
            return wanted, [(module, _exception(cause, self._host_errors)) for module, cause in errors]
        finally:
            self._host_errors.clear()

    def set_workspace(self, directories: list[str]) -> None:
        _call(self._js.set_workspace, to_js(list(directories)))

    def workspace(self) -> list[str]:
        return _call(self._js.workspace)

    def mark_dirty(self, paths: list[str]) -> int:
        return _call(self._js.mark_dirty, to_js(list(paths)))

    def mark_missing(self, paths: list[str]) -> int:
        return _call(self._js.mark_missing, to_js(list(paths)))

    def take_missing(self) -> list:
        return [tuple(m) for m in _call(self._js.take_missing)]

    def plan_sync(self, full: bool = True) -> tuple:
        plan = self._analysing(self._js.plan_sync, bool(full))
        if plan is None:  # nothing to reload
            return [], []
        entries, namespaces = plan
        return ([(m, reason, float(mtime), after) for m, reason, mtime, after in entries],
                [(nsid, attached, _records(journal)) for nsid, attached, journal in namespaces])

    def commit(self, reloaded: list[str]) -> None:
        _call(self._js.commit, to_js(list(reloaded)))

    def journal(self, namespace_id: int) -> list:
        return _records(_call(self._js.journal, namespace_id))

    def tracked_count(self) -> int:
        return _call(self._js.tracked_count)

    def status(self, namespace_id: Optional[int]) -> tuple:
        workspace, modules, statements = _call(self._js.status, namespace_id)
        return (workspace,
                [(n, f, _mtime(m), d, ib) for n, f, m, d, ib in modules],
                statements)


def canonical_statement(record) -> str:
    """The canonical statement text of a record, e.g. ``from m import n as k``."""
    return _call(_MODULE.canonical_statement, to_js(tuple(record)))


def engine_syntax_error(source: str, filename: str,
                        python_version: tuple[int, int]) -> Optional[SyntaxError]:
    """The engine's own finding on ``source`` (see ``_engine.pyi``): a
    ``SyntaxError`` (not raised) or ``None``."""
    found = _call(_MODULE.engine_syntax_error, source, filename, to_js(tuple(python_version)))
    return None if found is None else _syntax_error(found)


_HOOK_INSTALLED = False
#: Whether the hook reports ``compile``/``exec`` of module sources (:func:`note_compiles`).
_NOTE_COMPILES = [False]


def _make_hook():
    events, write_access, no_dir_fd = _call(_MODULE.audit_events)
    shapes = {name: (tuple(paths), dir_fd, flags) for name, paths, dir_fd, flags in events}
    note, note_unknown = _MODULE.note, _MODULE.note_unknown
    note_compile, note_exec = _MODULE.note_compile, _MODULE.note_exec
    fspath, fsdecode, abspath, isabs = os.fspath, os.fsdecode, os.path.abspath, os.path.isabs
    compiles = _NOTE_COMPILES
    busy = []

    def compile_event(event: str, args: tuple) -> None:
        # `compile(source, filename, ...)` of a .py file's bytes (importlib's source_to_code),
        # then `exec(code, ...)` of that file's `<module>` code object (src/compiled.rs).
        if event == "compile":
            source, filename = args[0], args[1]
            if isinstance(source, bytes) and isinstance(filename, str) and filename.endswith(".py"):
                note_compile(abspath(filename), to_js(source))
        else:
            code = args[0]
            filename = getattr(code, "co_filename", "")
            if getattr(code, "co_name", None) == "<module>" and filename.endswith(".py"):
                note_exec(abspath(filename))

    def hook(event: str, args: tuple) -> None:
        if busy:
            return
        if (event == "exec" or event == "compile") and compiles[0]:
            busy.append(True)
            try:
                compile_event(event, args)
            except Exception:  # a missed note only costs speed (a whole parse)
                pass
            finally:
                busy.clear()
            return
        shape = shapes.get(event)
        if shape is None:
            return
        busy.append(True)
        try:
            paths, dir_fd, flags = shape
            if flags is not None:
                value = args[flags] if len(args) > flags else None
                if not isinstance(value, int) or not value & write_access:
                    return
            relative_to_fd = (dir_fd is not None and len(args) > dir_fd
                              and args[dir_fd] is not None and args[dir_fd] != no_dir_fd)
            for i in paths:
                if i >= len(args) or isinstance(args[i], int):
                    continue  # a file descriptor: noted when opened
                try:
                    path = fsdecode(fspath(args[i]))
                except (TypeError, ValueError):
                    note_unknown()
                    continue
                if relative_to_fd and not isabs(path):
                    note_unknown()
                else:
                    note(abspath(path))
        except Exception:  # never fail the audited operation; examine everything instead
            try:
                note_unknown()
            except Exception:
                pass
        finally:
            busy.clear()

    return hook


def _install_hook() -> None:
    global _HOOK_INSTALLED
    if not _HOOK_INSTALLED:
        sys.addaudithook(_make_hook())
        _HOOK_INSTALLED = True


def note_compiles() -> None:
    """Start noting the module sources this interpreter compiles and runs,
    through the audit hook of :func:`note_writes` (see ``note_compiles`` in
    ``_engine.pyi``). Raises as :func:`note_writes`."""
    _install_hook()
    _NOTE_COMPILES[0] = True


def note_writes() -> None:
    """Start noting files changed by code in this interpreter, through a PEP 578
    audit hook (``sys.addaudithook``, added once per process): see
    ``note_writes`` in ``_engine.pyi``. The events and their argument shapes
    come from the engine (``audit_events``), the noted paths go to it.

    :raises RuntimeError: (or the vetoing hook's exception) when the
        interpreter refuses the audit hook.
    """
    _install_hook()
