"""The wasm-bindgen engine: the Rust engine built for ``wasm32-unknown-unknown``
(``src/bindings/wasm.rs``), driven through Pyodide's FFI. It implements the
contract of ``_engine.pyi``; ``liveimport._engine`` chooses it where the pyo3
engine does not load (any Pyodide other than 314), or when
``LIVEIMPORT_ENGINE=wasm-bindgen``.

Loading (once per interpreter, at import): the wasm-bindgen glue
(``_wasm/liveimport_engine.js``, ``--target no-modules``) is made a JS
function (``Function``) and instantiated synchronously (``initSync``) with the
bytes of ``_wasm/liveimport_engine_bg.wasm`` read from the installed package
through Pyodide's ``FS``: no network, no help from the page, the same in Node
and in a browser worker. Each :class:`Engine` gets that ``FS`` object, and
reads mtimes (``FS.stat``) and sources (``FS.readFile``) itself.

This layer converts values and errors only: arguments with
``pyodide.ffi.to_js``, results with ``JsProxy.to_py`` into the contract's
tuples, the engine's error outcomes into the exceptions the contract names
(:func:`_exception`), and audit events' arguments for the engine's audit rule
(:func:`_audit_arg`; the rule is ``src/audit.rs``, the pyo3 engine's too).

:raises ImportError: at import, outside Pyodide or when the module files are
    missing or do not instantiate.
"""

import os
import sys
from collections.abc import Callable
from types import CodeType
from typing import Any

from ._engine_shapes import ModuleSpec, PlanEntry, Record

try:
    import pyodide_js
    from pyodide.ffi import JsException, create_proxy, to_js
except ImportError as error:  # not in Pyodide
    raise ImportError(
        f"the wasm-bindgen engine needs Pyodide ({error})", name="liveimport._engine_wasm"
    ) from error

__all__ = (
    "AnalysisError",
    "Engine",
    "__version__",
    "canonical_statement",
    "engine_syntax_error",
    "import_lines",
    "note_compiles",
    "note_writes",
    "type_codes",
    "code_positions",
    "containers_holding",
    "elements_with",
    "judged_once",
    "new_instances",
)


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
        raise ImportError(
            f"the wasm-bindgen engine is not installed: {error}",
            name="liveimport._engine_wasm",
            path=glue_path,
        ) from error
    # JavaScript's `Function` constructor, reached from a function of the Pyodide API rather
    # than through `import js` (which `pyodide.code.run_js` does): a `js/` folder in the
    # working directory, common in notebook projects, shadows that module until it is
    # imported. The glue declares `wasm_bindgen` in the function's scope only: nothing global
    # is added.
    function = pyodide_js.FS.stat.constructor  # a plain (not async) function: `Function`
    factory = function(
        "wasmBytes",
        glue + "\nwasm_bindgen.initSync({ module: wasmBytes });\nreturn wasm_bindgen;\n",
    )
    try:
        return factory(pyodide_js.FS.readFile(wasm_path))
    except JsException as error:
        raise ImportError(
            f"the wasm-bindgen engine does not load from {wasm_path}: {error}",
            name="liveimport._engine_wasm",
            path=wasm_path,
        ) from error


_MODULE = _instantiate()
_FS = pyodide_js.FS

#: The engine's version (the Rust crate's).
__version__: str = _MODULE.version()

#: The stale-name detection's code passes (``_engine.pyi``) are not in this
#: engine: it cannot see Python objects, so ``liveimport._type_codes`` runs
#: them in Python.
type_codes: Callable[[list[object], dict[type, int]], bytes] | None = None
code_positions: Callable[[bytes, bytes], list[list[int]]] | None = None
containers_holding: (
    Callable[[list[object], bytes, int, dict[type, int], bytes, int], list[int]] | None
) = None
elements_with: (
    Callable[[list[object], list[int], dict[type, int], bytes, int], tuple[list[int], list[object]]]
    | None
) = None
judged_once: (
    Callable[[list[object], bytes, int, int, Callable[[object], object]], list[tuple[int, object]]]
    | None
) = None
new_instances: (
    Callable[[type, tuple[str | tuple[str, ...], ...], list[list[object]]], list[object]] | None
) = None


class AnalysisError(Exception):
    """A tracked module's source could not be analysed (see ``_engine.pyi``).

    Attributes: ``module`` (str) and ``cause`` (the exception: the host's
    ``check_syntax`` verdict, or a ``SyntaxError`` / ``ImportError`` /
    ``ValueError``)."""

    module: str
    cause: BaseException


AnalysisError.__module__ = "liveimport._engine"

#: The exceptions named by plain error arrays ``[type, message]`` of ``src/bindings/wasm.rs``.
_PLAIN: dict[str, type[Exception]] = {
    "ImportError": ImportError,
    "ValueError": ValueError,
    "TypeError": TypeError,
}


def _syntax_error(fields: list[Any]) -> SyntaxError:
    msg, filename, line, offset, text = fields
    return SyntaxError(msg, (filename, line, offset, text, line, offset))


def _exception(error: list[Any], host_errors: dict[int, BaseException]) -> BaseException:
    """The exception an error array of ``src/bindings/wasm.rs`` names; ``host_errors``
    holds the host's exceptions that ``["HostError", index]`` refers to."""
    kind = error[0]
    if kind == "SyntaxError":
        return _syntax_error(error[1:])
    if kind == "HostError":
        # The engine names only exceptions the Engine keeps (Engine._forget_host_errors).
        if error[1] not in host_errors:
            return RuntimeError(
                f"liveimport's wasm-bindgen engine named an unknown host exception ({error[1]}); "
                "this is a bug in liveimport: please report it"
            )
        return host_errors[error[1]]
    if kind == "AnalysisError":
        exc = AnalysisError(error[1])
        exc.module = error[2]
        exc.cause = _exception(error[3], host_errors)
        return exc
    return _PLAIN[kind](error[1])


def _engine_trapped(error: BaseException) -> RuntimeError:
    panic = _MODULE.last_panic()
    return RuntimeError(
        f"liveimport's wasm-bindgen engine failed ({panic or error}); "
        "this is a bug in liveimport: please report it"
    )


_NO_HOST_ERRORS: dict[int, BaseException] = {}


def _call(method: Any, *args: Any, host_errors: dict[int, BaseException] = _NO_HOST_ERRORS) -> Any:
    """Call an engine function with converted arguments; return its value as Python
    objects, or raise what its error outcome names."""
    try:
        outcome = method(*args)
    except JsException as error:  # a trap (engine bug) or a wrong argument type
        raise _engine_trapped(error) from error
    status, value = outcome.to_py()
    if status:
        raise _exception(value, host_errors)
    return value


def _records(values: list[list[Any]]) -> list[Record]:
    return [(kind, module, name, asname) for kind, module, name, asname in values]


def _bytes(value: Any) -> bytes:
    """A ``Uint8Array`` of the engine as ``bytes`` (``to_py`` gives a
    ``memoryview`` of it, or keeps the proxy)."""
    to_bytes = getattr(value, "to_bytes", None)
    return bytes(to_bytes() if to_bytes is not None else value)


def _mtime(value: float | None) -> float | None:
    return None if value is None else float(value)


class Engine:
    """All state of one LiveImport instance (see ``Engine`` in ``_engine.pyi``),
    held by a wasm-bindgen ``Engine`` object reading files through Pyodide's FS.

    The host's ``check_syntax`` reaches the engine as a JS function returning
    ``-1`` (accepted) or the number under which ``_host_errors`` keeps the
    exception; the engine keeps some for later calls (a sync's analysis
    error), the others are forgotten after each call."""

    __slots__ = ("_host_errors", "_js", "_verdict")

    def __init__(
        self,
        workspace: list[str],
        python_version: tuple[int, int],
        check_syntax: Callable[[str, str], BaseException | None],
    ) -> None:
        host_errors: dict[int, BaseException] = {}
        numbers = iter(range(2**53))

        def verdict(file: str, source: str) -> int:
            try:
                exception = check_syntax(file, source)
            except Exception as error:
                # The checker itself failed: that exception is the verdict (as in the pyo3 engine).
                exception = error
            if exception is None:
                return -1
            number = next(numbers)
            host_errors[number] = exception
            return number

        self._host_errors = host_errors
        self._verdict = create_proxy(verdict)
        try:
            self._js = _MODULE.Engine.new(
                _FS, to_js(list(workspace)), to_js(tuple(python_version)), self._verdict
            )
        except JsException as error:
            self._verdict.destroy()
            raise TypeError(f"Engine({workspace!r}, {python_version!r}, ...): {error}") from None

    def __del__(self) -> None:
        # At interpreter exit or after a failed __init__ the proxies may be gone already.
        js, verdict = getattr(self, "_js", None), getattr(self, "_verdict", None)
        try:
            if js is not None:
                js.free()
            if verdict is not None:
                verdict.destroy()
        except JsException:  # the module trapped before: _engine_trapped reported it then
            pass

    def _forget_host_errors(self) -> None:
        """Forget the host exceptions the engine no longer refers to."""
        if self._host_errors:
            kept = set(_call(self._js.kept_host_errors))
            for number in [n for n in self._host_errors if n not in kept]:
                del self._host_errors[number]

    def parse_statements(
        self, text: str, package: str, allow_other_statements: bool
    ) -> list[Record]:
        return _records(
            _call(self._js.parse_statements, text, package, bool(allow_other_statements))
        )

    def register(
        self, namespace_id: int, records: list[Record], modules: list[ModuleSpec], clear: bool
    ) -> None:
        try:
            _call(
                self._js.register,
                namespace_id,
                to_js(records),
                to_js(modules),
                bool(clear),
                host_errors=self._host_errors,
            )
        finally:
            self._forget_host_errors()

    def untracked_dependencies(self) -> list[str]:
        names: list[str] = _call(self._js.untracked_dependencies)
        return names

    def track_indirect(
        self, modules: list[ModuleSpec]
    ) -> tuple[list[str], list[tuple[str, SyntaxError]]]:
        try:
            wanted, errors = _call(self._js.track_indirect, to_js(modules))
            causes: list[tuple[str, Any]] = [
                (module, _exception(cause, self._host_errors)) for module, cause in errors
            ]
            return wanted, causes
        finally:
            self._forget_host_errors()

    def set_workspace(self, directories: list[str]) -> None:
        _call(self._js.set_workspace, to_js(list(directories)))

    def workspace(self) -> list[str]:
        directories: list[str] = _call(self._js.workspace)
        return directories

    def mark_dirty(self, paths: list[str]) -> int:
        marked: int = _call(self._js.mark_dirty, to_js(list(paths)))
        return marked

    def mark_missing(self, paths: list[str]) -> int:
        marked: int = _call(self._js.mark_missing, to_js(list(paths)))
        return marked

    def take_missing(self) -> list[tuple[str, str]]:
        return [(name, file) for name, file in _call(self._js.take_missing)]

    def plan_sync(
        self, full: bool = True
    ) -> tuple[list[PlanEntry], list[tuple[int, list[str], list[Record]]]]:
        try:
            entries, namespaces = _call(
                self._js.plan_sync, bool(full), host_errors=self._host_errors
            )
        finally:
            self._forget_host_errors()
        return (
            [(m, reason, float(mtime), after) for m, reason, mtime, after in entries],
            [(nsid, attached, _records(journal)) for nsid, attached, journal in namespaces],
        )

    def take_sources(self) -> list[tuple[str, str, float, bytes]]:
        return [
            (module, file, float(mtime), _bytes(source))
            for module, file, mtime, source in _call(self._js.take_sources)
        ]

    def other_writes(self) -> int:
        count: int = int(_call(self._js.other_writes))
        return count

    def commit(self, reloaded: list[str]) -> None:
        _call(self._js.commit, to_js(list(reloaded)))

    def journal(self, namespace_id: int) -> list[Record]:
        return _records(_call(self._js.journal, namespace_id))

    def tracked_count(self) -> int:
        count: int = _call(self._js.tracked_count)
        return count

    def status(
        self, namespace_id: int | None = None
    ) -> tuple[list[str], list[tuple[str, str | None, float | None, bool, list[str]]], list[str]]:
        workspace, modules, statements = _call(self._js.status, namespace_id)
        return (
            workspace,
            [(n, f, _mtime(m), d, ib) for n, f, m, d, ib in modules],
            statements,
        )


def canonical_statement(record: Record) -> str:
    """The canonical statement text of a record, e.g. ``from m import n as k``."""
    text: str = _call(_MODULE.canonical_statement, to_js(tuple(record)))
    return text


def engine_syntax_error(
    source: str, filename: str, python_version: tuple[int, int]
) -> SyntaxError | None:
    """The engine's own finding on ``source`` (see ``_engine.pyi``): a
    ``SyntaxError`` (not raised) or ``None``."""
    found = _call(_MODULE.engine_syntax_error, source, filename, to_js(tuple(python_version)))
    return None if found is None else _syntax_error(found)


def import_lines(source: str, package: str, filename: str) -> list[tuple[str, list[str], int, str]]:
    """The top-level module names ``source`` imports at top level, each once,
    as ``(top, modules, line, text)`` (see ``_engine.pyi``). Raises
    ``SyntaxError``."""
    found = _call(_MODULE.import_lines, source, package, filename)
    return [(top, list(modules), int(line), text) for top, modules, line, text in found]


_NAN = float("nan")
_PAD = (None, None, None, None)
#: The names of the events the engine's audit rule may note now (one frozenset, replaced by
#: :func:`note_compiles`): the hook passes only those to the engine.
_NOTED_EVENTS: list[frozenset[str]] = [frozenset()]
#: The last 10 audited events the hook could not hand to the engine, as ``"event: error"``
#: (each made the next sync examine every file): for tests and bug reports.
hook_failures: list[str] = []


def _audit_arg(value: object) -> object:
    """An audit event argument as ``src/bindings/wasm.rs`` (``JsAuditArgs``) reads it:
    ``None``, ``int`` and ``str`` as they are (Pyodide converts them), ``bytes`` as a
    ``Uint8Array``, an ``os.PathLike`` as ``[os.fsdecode(os.fspath(value))]``, a code
    object as ``[co_name, co_filename]``, anything else as ``NaN``."""
    if value is None or isinstance(value, (int, str)):
        return value
    if isinstance(value, bytes):
        return to_js(value)
    if isinstance(value, CodeType):
        return to_js((value.co_name, value.co_filename))
    if isinstance(value, os.PathLike):
        try:
            return to_js((os.fsdecode(os.fspath(value)),))
        except (TypeError, ValueError):
            return _NAN
    return _NAN


def _make_hook() -> Callable[[str, tuple[object, ...]], None]:
    note_event, note_unknown, convert = _MODULE.note_event, _MODULE.note_unknown, _audit_arg
    names = _NOTED_EVENTS
    busy: list[bool] = []

    def hook(event: str, args: tuple[object, ...]) -> None:
        if busy or event not in names[0]:
            return
        busy.append(True)  # converting may raise audit events of its own
        try:
            count = len(args)
            a0, a1, a2, a3 = args[:4] if count >= 4 else (args + _PAD)[:4]
            note_event(event, count, convert(a0), convert(a1), convert(a2), convert(a3))
        except Exception as error:
            # Never fail the audited operation: kept for reports, and every file is examined.
            hook_failures.append(f"{event}: {error!r}")
            del hook_failures[:-10]
            note_unknown()
        finally:
            busy.clear()

    return hook


_HOOK_INSTALLED = [False]


def _install_hook() -> None:
    if not _HOOK_INSTALLED[0]:
        _MODULE.note_writes(_FS)
        _NOTED_EVENTS[0] = frozenset(_MODULE.noted_event_names())
        sys.addaudithook(_make_hook())
        _HOOK_INSTALLED[0] = True


def note_compiles() -> None:
    """Start noting the module sources this interpreter compiles and runs,
    through the audit hook of :func:`note_writes` (see ``note_compiles`` in
    ``_engine.pyi``). Raises as :func:`note_writes`."""
    _install_hook()
    _MODULE.note_compiles()
    _NOTED_EVENTS[0] = frozenset(_MODULE.noted_event_names())


def note_writes() -> None:
    """Start noting files changed by code in this interpreter, through a PEP 578
    audit hook (``sys.addaudithook``, added once per process): see
    ``note_writes`` in ``_engine.pyi``. The hook passes the events the engine's
    audit rule may note, their arguments converted, to the engine.

    :raises RuntimeError: (or the vetoing hook's exception) when the
        interpreter refuses the audit hook.
    """
    _install_hook()
