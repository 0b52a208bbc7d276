#!/usr/bin/env python3
"""Assemble the Pyodide wheels of LiveImport from the native wheel and the wasm engines.

Usage:
  build_pyodide_wheel.py --native-wheel WHL --wasm-dir DIR --out-dir DIR
                         --platform ENGINE.so PYTHON_TAG PLATFORM_TAG RELEASES [--platform ...]
                         [--js-wheels-dir DIR]

``--platform`` (once per Pyodide ABI), e.g. ``--platform engine.so cp314
pyemscripten_2026_0_wasm32 314`` or ``... cp313 pyodide_2025_0_wasm32
0.28,0.29``: a pyo3 engine built for that CPython and ABI, and the Pyodide
release lines it is for (comma-separated, for the manifest below).

Writes wheels of the same version into ``--out-dir``:

- one platform wheel per ``--platform``, e.g.
  ``liveimport_lite-VER-cp314-cp314-pyemscripten_2026_0_wasm32.whl`` (Pyodide
  314) and ``liveimport_lite-VER-cp313-cp313-pyodide_2025_0_wasm32.whl``
  (Pyodide 0.28 and 0.29): the pyo3 engine
  ``liveimport/_engine_pyo3.cpython-3XY-wasm32-emscripten.so`` and the
  wasm-bindgen engine ``liveimport/_wasm/`` (``LIVEIMPORT_ENGINE`` chooses; the
  pyo3 one by default);
- ``liveimport_lite-VER-py3-none-any.whl`` (every other Pyodide, 0.26 on): the
  wasm-bindgen engine only. Installers prefer any platform wheel that fits over
  it (pip natively, micropip in Pyodide).

maturin cannot target Emscripten without an Emscripten SDK, so the pyo3 engine is
linked by ``cargo build --target wasm32-unknown-emscripten`` (see
``scripts/emscripten-link``); the wasm-bindgen engine is built for
``wasm32-unknown-unknown`` and processed by ``wasm-bindgen --target
no-modules`` (``--wasm-dir``: ``liveimport_engine.js`` and
``liveimport_engine_bg.wasm``). This script packs them. The pure-Python files
and the metadata (``METADATA``, licences, ...) come unchanged from the native
wheel that maturin built from ``pyproject.toml``, so all wheels carry the same
package; the native extension module is left out and ``WHEEL`` gets the new
tag. ``RECORD`` is written by ``wheel.wheelfile.WheelFile``.

With ``--js-wheels-dir``, the wheels are also copied there with a
``manifest.json`` that the npm package ``liveimport-pyodide`` reads:
``{"version", "wheels": [{"wheel", "platform", "python", "pyodide", "sha256",
"size"}, ...]}``, the platform wheels first; ``pyodide`` lists the Pyodide
release lines a platform wheel is for (``["314"]``, ``["0.28", "0.29"]``), and
is ``null`` for the universal wheel.

Prints the paths of the new wheels. Exits with an error message when the
native wheel has no ``*.dist-info/WHEEL`` or no ``liveimport/_engine_pyo3``
extension, when the ``.so`` is not a WebAssembly side module (no ``dylink.0``
section), or when ``--wasm-dir`` lacks the wasm-bindgen files.
"""
import argparse
import email.parser
import hashlib
import json
import os
import shutil
import sys
import zipfile

from wheel.wheelfile import WheelFile

ENGINE_PREFIX = "liveimport/_engine_pyo3."
WASM_FILES = ("liveimport_engine.js", "liveimport_engine_bg.wasm")
WASM_PREFIX = "liveimport/_wasm/"
NATIVE_EXTENSION_SUFFIXES = (".so", ".pyd", ".dylib")


def check_side_module(data):
    """Raise SystemExit unless ``data`` is a wasm module whose first section is
    the custom section ``dylink.0`` (what Emscripten's dynamic loader needs)."""
    if data[:8] != b"\0asm\x01\0\0\0":
        sys.exit("build_pyodide_wheel: the engine is not a WebAssembly module")
    # Section 0 (custom): id byte, LEB128 size, LEB128 name length, name.
    pos = 8
    if data[pos] != 0:
        sys.exit("build_pyodide_wheel: the engine has no dylink.0 section (not a side module)")
    pos += 1
    while data[pos] & 0x80:
        pos += 1
    pos += 1
    name_len = data[pos]
    name = data[pos + 1:pos + 1 + name_len]
    if name != b"dylink.0":
        sys.exit(f"build_pyodide_wheel: first custom section is {name!r}, expected dylink.0")


def write_wheel(native, out_dir, tag, purelib, extra, generator):
    """Copy the native wheel's files but its extension module, ``WHEEL`` and
    ``RECORD`` into a new wheel tagged ``tag``, plus ``extra`` ({name: bytes});
    return its path."""
    names = native.namelist()
    wheel_meta = [n for n in names if n.endswith(".dist-info/WHEEL") and n.count("/") == 1][0]
    dist_info = wheel_meta.split("/")[0]
    dist, version = dist_info[:-len(".dist-info")].split("-")
    native_ext = {n for n in names if n.startswith(ENGINE_PREFIX) and n.endswith(NATIVE_EXTENSION_SUFFIXES)}
    out = os.path.join(out_dir, f"{dist}-{version}-{tag}.whl")
    with WheelFile(out, "w") as wf:
        for info in native.infolist():
            n = info.filename
            if n in native_ext or n in (wheel_meta, f"{dist_info}/RECORD") or n.startswith(WASM_PREFIX):
                continue
            wf.writestr(n, native.read(n))
        for name, data in extra.items():
            wf.writestr(name, data)
        wf.writestr(f"{dist_info}/WHEEL", (
            "Wheel-Version: 1.0\n"
            f"Generator: liveimport scripts/build_pyodide_wheel.py (from {generator})\n"
            f"Root-Is-Purelib: {'true' if purelib else 'false'}\n"
            f"Tag: {tag}\n"))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--native-wheel", required=True)
    ap.add_argument("--platform", nargs=4, action="append", required=True,
                    metavar=("ENGINE_SO", "PYTHON_TAG", "PLATFORM_TAG", "RELEASES"))
    ap.add_argument("--wasm-dir", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--js-wheels-dir")
    args = ap.parse_args()

    engines = []
    for so, python_tag, platform_tag, releases in args.platform:
        with open(so, "rb") as f:
            engine = f.read()
        check_side_module(engine)
        engines.append((engine, python_tag, platform_tag, releases.split(",")))
    wasm = {}
    for name in WASM_FILES:
        try:
            with open(os.path.join(args.wasm_dir, name), "rb") as f:
                wasm[WASM_PREFIX + name] = f.read()
        except OSError as error:
            sys.exit(f"build_pyodide_wheel: wasm-bindgen output missing: {error}")
    if not wasm[WASM_PREFIX + WASM_FILES[1]].startswith(b"\0asm"):
        sys.exit("build_pyodide_wheel: the wasm-bindgen engine is not a WebAssembly module")

    with zipfile.ZipFile(args.native_wheel) as native:
        names = native.namelist()
        wheel_meta = [n for n in names if n.endswith(".dist-info/WHEEL") and n.count("/") == 1]
        if not wheel_meta:
            sys.exit(f"build_pyodide_wheel: {args.native_wheel} has no .dist-info/WHEEL")
        version = wheel_meta[0].split("/")[0][:-len(".dist-info")].split("-")[1]
        if not any(n.startswith(ENGINE_PREFIX) and n.endswith(NATIVE_EXTENSION_SUFFIXES) for n in names):
            sys.exit(f"build_pyodide_wheel: {args.native_wheel} has no {ENGINE_PREFIX}* extension")
        generator = email.parser.Parser().parsestr(native.read(wheel_meta[0]).decode())["Generator"]
        os.makedirs(args.out_dir, exist_ok=True)
        wheels = []
        for engine, python_tag, platform_tag, releases in engines:
            so_name = f"{ENGINE_PREFIX}cpython-{python_tag[2:]}-wasm32-emscripten.so"
            out = write_wheel(
                native, args.out_dir, f"{python_tag}-{python_tag}-{platform_tag}", False,
                {so_name: engine, **wasm}, generator)
            wheels.append((out, platform_tag, python_tag, releases))
        universal_wheel = write_wheel(native, args.out_dir, "py3-none-any", True, wasm, generator)
        wheels.append((universal_wheel, "any", "py3", None))

    if args.js_wheels_dir:
        os.makedirs(args.js_wheels_dir, exist_ok=True)
        for old in os.listdir(args.js_wheels_dir):
            if old.endswith(".whl"):
                os.remove(os.path.join(args.js_wheels_dir, old))
        entries = []
        for out, platform, python, releases in wheels:
            shutil.copy2(out, args.js_wheels_dir)
            with open(out, "rb") as f:
                data = f.read()
            entries.append({"wheel": os.path.basename(out), "platform": platform, "python": python,
                            "pyodide": releases, "sha256": hashlib.sha256(data).hexdigest(),
                            "size": len(data)})
        with open(os.path.join(args.js_wheels_dir, "manifest.json"), "w") as f:
            json.dump({"version": version, "wheels": entries}, f, indent=1)
            f.write("\n")
    for out, *_ in wheels:
        print(out)


if __name__ == "__main__":
    main()
