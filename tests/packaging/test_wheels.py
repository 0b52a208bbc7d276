"""Which wheel of liveimport-lite an installer picks natively, and what the
universal wheel does outside Pyodide (issue 12).

Run natively after scripts/build.sh (scripts/test.sh does):
``python -m pytest tests/packaging``. The wheels are those in ``dist/`` (or
``$LIVEIMPORT_DIST``): the native abi3 wheel, the Pyodide platform wheels
(314's and 0.28/0.29's, ``*_wasm32``) and the universal ``py3-none-any`` wheel,
one version. ``pip`` is the running
interpreter's.
"""

import json
import os
import pathlib
import shutil
import subprocess
import sys
import zipfile

import pytest

DIST = pathlib.Path(os.environ.get("LIVEIMPORT_DIST", pathlib.Path(__file__).parents[2] / "dist"))


def wheels(pattern):
    return sorted(DIST.glob(f"liveimport_lite-*-{pattern}.whl"))


@pytest.fixture(scope="module")
def universal():
    found = wheels("py3-none-any")
    assert found, f"no universal wheel in {DIST} (run scripts/build.sh)"
    return found[-1]


def pip_choice(find_links):
    """The file ``pip install liveimport-lite`` would install from ``find_links``
    alone (``--dry-run --report``, nothing installed)."""
    out = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--dry-run", "--quiet", "--report", "-",
         "--no-index", "--find-links", str(find_links), "--no-deps", "--ignore-installed",
         "liveimport-lite"],
        check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    return [pathlib.Path(item["download_info"]["url"]).name for item in report["install"]]


def test_pip_prefers_the_native_wheel_over_the_universal_one(tmp_path, universal):
    native = [w for w in wheels("*") if not w.name.endswith(("_wasm32.whl", "-none-any.whl"))]
    assert native, f"no native wheel in {DIST}"
    for wheel in [*native, universal, *wheels("*_wasm32")]:
        shutil.copy(wheel, tmp_path)
    assert pip_choice(tmp_path) == [native[-1].name]


def test_where_only_the_universal_wheel_fits_pip_takes_it(tmp_path, universal):
    shutil.copy(universal, tmp_path)
    assert pip_choice(tmp_path) == [universal.name]


def test_universal_wheel_outside_pyodide_says_how_to_get_a_native_build(tmp_path, universal):
    with zipfile.ZipFile(universal) as whl:
        whl.extractall(tmp_path)
    assert not list(tmp_path.glob("liveimport/_engine_pyo3*")), "the universal wheel has no pyo3 engine"
    assert (tmp_path / "liveimport" / "_wasm" / "liveimport_engine_bg.wasm").is_file()
    run = subprocess.run([sys.executable, "-c", "import liveimport"], cwd=tmp_path,
                         capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(tmp_path)})
    assert run.returncode == 1
    last = run.stderr.strip().splitlines()[-1]
    assert last.startswith("ImportError: liveimport-lite has no engine for this interpreter (CPython")
    assert "wasm-bindgen engine runs only inside Pyodide" in last
    assert "pip install --no-binary liveimport-lite liveimport-lite" in last
    assert "During handling" not in run.stderr and "direct cause" not in run.stderr  # one error


def test_forcing_an_engine_natively(tmp_path):
    env = {**os.environ, "LIVEIMPORT_ENGINE": "wasm-bindgen"}
    run = subprocess.run([sys.executable, "-c", "import liveimport"], capture_output=True, text=True,
                         env=env, cwd=tmp_path)
    assert run.returncode == 1
    assert "LIVEIMPORT_ENGINE=wasm-bindgen, and the wasm-bindgen engine runs only inside Pyodide" in run.stderr
    env["LIVEIMPORT_ENGINE"] = "pyo3"
    run = subprocess.run([sys.executable, "-c", "import liveimport._engine as e; print(e.BACKEND)"],
                         capture_output=True, text=True, env=env, cwd=tmp_path)
    assert run.stdout.strip() == "pyo3", run.stderr


def test_every_wheel_ships_the_type_information():
    # PEP 561: py.typed marks the package as typed; _engine.pyi types the engine module.
    found = wheels("*")
    assert len(found) >= 4, f"expected the native, Pyodide 314 and 0.29 and universal wheels in {DIST}"
    for wheel in found:
        names = zipfile.ZipFile(wheel).namelist()
        assert "liveimport/py.typed" in names, wheel.name
        assert "liveimport/_engine.pyi" in names, wheel.name
