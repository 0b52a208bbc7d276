"""Root conftest of the test tree, shared by both runs of ``tests/python``.

The same suite runs natively (CPython, the native wheel installed in the dev
venv) and inside Pyodide 314 under Node (the Pyodide wheel installed with
``installLiveImport``); see ``scripts/test.sh``. This file only adds a report
header saying which runtime and which build of ``liveimport`` a run tested, so
a log always shows that the installed wheel (not the source tree) was imported.
Fixtures for the suite belong in ``tests/python/``.
"""

import platform
import sys


def pytest_report_header(config):
    """One header line: runtime, Python version, and which engine ``liveimport._engine``
    uses (pyo3 or wasm-bindgen), from where."""
    runtime = "pyodide" if sys.platform == "emscripten" else "native"
    try:
        import liveimport._engine as engine

        where = f"{engine.BACKEND} ({engine._backend.__file__})"
    except Exception as exc:  # reported, the tests themselves will fail
        where = f"not importable: {exc!r}"
    return f"liveimport runtime: {runtime} (Python {platform.python_version()}), engine: {where}"
