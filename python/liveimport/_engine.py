"""The sync engine that ``liveimport._core`` uses, contract in ``_engine.pyi``:
``Engine``, ``AnalysisError``, ``canonical_statement``, ``engine_syntax_error``,
``note_compiles``, ``note_writes``; and the stale-name detection's code passes
``type_codes``, ``code_positions``, ``containers_holding``,
``elements_with``, ``judged_once`` and ``new_instances``
(``liveimport._type_codes``, ``_containers``, ``_stale``), which only the pyo3
engine has (``None`` with the wasm-bindgen engine).

Two builds of the same Rust engine (``src/``) implement that contract:

- ``pyo3``: ``liveimport._engine_pyo3``, a CPython extension module, in the
  native wheels and in the Pyodide platform wheels: Pyodide 314's
  (``cp314-pyemscripten_2026_0``) and Pyodide 0.28/0.29's
  (``cp313-pyodide_2025_0``).
- ``wasm-bindgen``: ``liveimport._engine_wasm``, a WebAssembly module with no
  CPython ABI, loaded through Pyodide's FFI; it runs in every Pyodide from
  0.26 on. The ``py3-none-any`` wheel carries only this one; the platform
  wheels carry both.

The pyo3 engine is used wherever it imports, the wasm-bindgen engine
elsewhere inside Pyodide. The environment variable ``LIVEIMPORT_ENGINE``,
read at the first ``import liveimport``, forces a choice: ``pyo3`` or
``wasm-bindgen`` (``auto`` or unset: the rule above). :data:`BACKEND` names
the engine in use.

:raises ImportError: when no engine can be loaded (e.g. the universal wheel
    in a CPython outside Pyodide), or ``LIVEIMPORT_ENGINE`` names an engine
    that cannot be loaded here or is not one of the values above; the message
    says what is supported and how to get a native build.
"""

import os
import sys
from types import ModuleType

# The contract's value shapes (``_engine.pyi``), re-exported as the stub promises.
from ._engine_shapes import ModuleSpec as ModuleSpec
from ._engine_shapes import PlanEntry as PlanEntry
from ._engine_shapes import Record as Record

__all__ = (
    "BACKEND",
    "AnalysisError",
    "Engine",
    "__version__",
    "canonical_statement",
    "code_positions",
    "containers_holding",
    "elements_with",
    "engine_syntax_error",
    "import_lines",
    "judged_once",
    "new_instances",
    "note_compiles",
    "note_writes",
    "type_codes",
)


#: The environment variable choosing the engine (``pyo3``, ``wasm-bindgen``, ``auto``).
ENGINE_VARIABLE = "LIVEIMPORT_ENGINE"

_CHOICES = ("auto", "pyo3", "wasm-bindgen")

#: The source install the no-engine error prints (a Rust build of the sdist).
#: liveimport-lite is not on PyPI yet: ``--find-links`` takes the sdist from
#: the ``dist/`` folder of a clone, where ``scripts/release.sh`` (or
#: ``maturin sdist --out dist``) leaves it; ``scripts/release.sh`` runs this
#: line in a fresh venv (tests/packaging/test_install_lines.py with
#: ``LIVEIMPORT_TEST_SDIST=1``). Once published, the same line still works.
_SOURCE_INSTALL_COMMAND = (
    "pip install --no-binary liveimport-lite liveimport-lite --find-links /path/to/your/clone/dist"
)
_SOURCE_INSTALL_NOTE = (
    "liveimport-lite is not on PyPI yet: /path/to/your/clone is your clone of LiveImport for "
    "the browser, after its scripts/release.sh"
)


def _no_engine(detail: str) -> ImportError:
    import platform  # only for this message: not loaded at every import

    where = (
        f"{platform.python_implementation()} {platform.python_version()} on "
        f"{sys.platform} {platform.machine()}"
    )
    return ImportError(
        f"liveimport-lite has no engine for this interpreter ({where}): {detail}. "
        "Supported: CPython >= 3.11 with a native wheel of liveimport-lite (pyo3 engine), "
        "Pyodide 314 and 0.28/0.29 (their cp314-pyemscripten_2026_0 and cp313-pyodide_2025_0 "
        "wheels) and every Pyodide from 0.26 on "
        "(the py3-none-any wheel, wasm-bindgen engine). For a native build from source "
        f"(needs Rust): {_SOURCE_INSTALL_COMMAND} ({_SOURCE_INSTALL_NOTE}).",
        name="liveimport._engine",
    )


def _load() -> tuple[str, ModuleType]:
    choice = os.environ.get(ENGINE_VARIABLE, "").strip().lower() or "auto"
    if choice not in _CHOICES:
        raise ImportError(
            f"{ENGINE_VARIABLE}={choice!r} is not one of {', '.join(_CHOICES)}",
            name="liveimport._engine",
        )
    pyo3_error = None
    if choice != "wasm-bindgen":
        try:
            from . import _engine_pyo3

            return "pyo3", _engine_pyo3
        except ImportError as error:
            pyo3_error = error
            if choice == "pyo3":
                raise _no_engine(
                    f"{ENGINE_VARIABLE}=pyo3, and the pyo3 engine does not load ({error})"
                ) from error
    if sys.platform != "emscripten":
        why = (
            f"{ENGINE_VARIABLE}=wasm-bindgen"
            if choice == "wasm-bindgen"
            else f"the pyo3 engine does not load ({pyo3_error})"
        )
        raise _no_engine(f"{why}, and the wasm-bindgen engine runs only inside Pyodide")
    from . import _engine_wasm

    return "wasm-bindgen", _engine_wasm


#: The engine in use: ``"pyo3"`` or ``"wasm-bindgen"``.
BACKEND, _backend = _load()

Engine = _backend.Engine
AnalysisError = _backend.AnalysisError
canonical_statement = _backend.canonical_statement
engine_syntax_error = _backend.engine_syntax_error
import_lines = _backend.import_lines
note_writes = _backend.note_writes
note_compiles = _backend.note_compiles
#: The engine's version (the Rust crate's).
__version__ = _backend.__version__
#: The stale-name detection's code passes in Rust (``_engine.pyi``): the pyo3
#: engine's functions, ``None`` with the wasm-bindgen engine.
type_codes = _backend.type_codes
code_positions = _backend.code_positions
containers_holding = _backend.containers_holding
elements_with = _backend.elements_with
judged_once = _backend.judged_once
new_instances = _backend.new_instances
