#!/usr/bin/env python3
"""Assemble the Pyodide wheel of LiveImport from the native wheel and the wasm engine.

Usage:
  build_pyodide_wheel.py --native-wheel WHL --so ENGINE.so --out-dir DIR
                         [--platform-tag pyemscripten_2026_0_wasm32] [--python-tag cp314]
                         [--js-wheels-dir DIR]

maturin cannot target Emscripten without an Emscripten SDK, so the engine is
linked by ``cargo build --target wasm32-unknown-emscripten`` (see
``scripts/emscripten-link``) and this script packs it. The pure-Python files and
the metadata (``METADATA``, licences, ...) come unchanged from the native wheel
that maturin built from ``pyproject.toml``, so both wheels carry the same
package; the native extension module is replaced by
``liveimport/_engine.cpython-314-wasm32-emscripten.so`` and ``WHEEL`` gets the
Pyodide tag. ``RECORD`` is written by ``wheel.wheelfile.WheelFile``.

With ``--js-wheels-dir``, the wheel is also copied there with a
``manifest.json`` (``{"wheel", "version", "platform", "sha256", "size"}``) that
the npm package ``liveimport-pyodide`` reads.

Prints the path of the new wheel. Exits with an error message when the native
wheel has no ``*.dist-info/WHEEL`` or no ``liveimport/_engine`` extension, or
when the ``.so`` is not a WebAssembly side module (no ``dylink.0`` section).
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

ENGINE_PREFIX = "liveimport/_engine."
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


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--native-wheel", required=True)
    ap.add_argument("--so", required=True)
    ap.add_argument("--out-dir", required=True)
    ap.add_argument("--platform-tag", default="pyemscripten_2026_0_wasm32")
    ap.add_argument("--python-tag", default="cp314")
    ap.add_argument("--js-wheels-dir")
    args = ap.parse_args()

    with open(args.so, "rb") as f:
        engine = f.read()
    check_side_module(engine)

    with zipfile.ZipFile(args.native_wheel) as native:
        names = native.namelist()
        wheel_meta = [n for n in names if n.endswith(".dist-info/WHEEL") and n.count("/") == 1]
        if not wheel_meta:
            sys.exit(f"build_pyodide_wheel: {args.native_wheel} has no .dist-info/WHEEL")
        dist_info = wheel_meta[0].split("/")[0]
        dist, version = dist_info[:-len(".dist-info")].split("-")
        native_ext = [n for n in names
                      if n.startswith(ENGINE_PREFIX) and n.endswith(NATIVE_EXTENSION_SUFFIXES)]
        if not native_ext:
            sys.exit(f"build_pyodide_wheel: {args.native_wheel} has no {ENGINE_PREFIX}* extension")
        old_wheel = email.parser.Parser().parsestr(native.read(wheel_meta[0]).decode())

        tag = f"{args.python_tag}-{args.python_tag}-{args.platform_tag}"
        out = os.path.join(args.out_dir, f"{dist}-{version}-{tag}.whl")
        os.makedirs(args.out_dir, exist_ok=True)
        with WheelFile(out, "w") as wf:
            for info in native.infolist():
                n = info.filename
                if n in native_ext or n in (wheel_meta[0], f"{dist_info}/RECORD"):
                    continue
                wf.writestr(n, native.read(n))
            wf.writestr(f"{ENGINE_PREFIX}cpython-{args.python_tag[2:]}-wasm32-emscripten.so", engine)
            new_wheel = (
                "Wheel-Version: 1.0\n"
                f"Generator: liveimport scripts/build_pyodide_wheel.py (from {old_wheel['Generator']})\n"
                "Root-Is-Purelib: false\n"
                f"Tag: {tag}\n"
            )
            wf.writestr(f"{dist_info}/WHEEL", new_wheel)

    if args.js_wheels_dir:
        os.makedirs(args.js_wheels_dir, exist_ok=True)
        for old in os.listdir(args.js_wheels_dir):
            if old.endswith(".whl"):
                os.remove(os.path.join(args.js_wheels_dir, old))
        shutil.copy2(out, args.js_wheels_dir)
        with open(out, "rb") as f:
            data = f.read()
        manifest = {
            "wheel": os.path.basename(out),
            "version": version,
            "platform": args.platform_tag,
            "sha256": hashlib.sha256(data).hexdigest(),
            "size": len(data),
        }
        with open(os.path.join(args.js_wheels_dir, "manifest.json"), "w") as f:
            json.dump(manifest, f, indent=1)
            f.write("\n")
    print(out)


if __name__ == "__main__":
    main()
