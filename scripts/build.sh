#!/usr/bin/env bash
# Build the wheels of LiveImport into dist/ (after the idempotent set-up):
#   dist/liveimport_lite-VER-cp310-abi3-<linux tag>.whl             native, maturin (pyproject.toml;
#                                           CPython stable ABI: every CPython >= 3.10)
#   dist/liveimport_lite-VER-cp314-cp314-pyemscripten_2026_0_wasm32.whl  Pyodide 314 (pyo3 engine,
#                                                                    and the wasm-bindgen one)
#   dist/liveimport_lite-VER-py3-none-any.whl                       every other Pyodide (wasm-bindgen)
#   dist/liveimport_lite_autoload-VER-py3-none-any.whl               the autoload extra (autoload/)
# and copy both Pyodide wheels, with wheels/manifest.json, into js/wheels/ for liveimport-pyodide.
# Prints the engines' sizes (raw and gzipped) into build/so-size.txt.
# Options: --no-setup (skip scripts/setup.sh).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[ "${1:-}" = "--no-setup" ] || "$ROOT/scripts/setup.sh"

mkdir -p "$DIST"
rm -f "$DIST"/liveimport_lite-*.whl "$DIST"/liveimport_lite_autoload-*.whl

log "native wheel (maturin)"
# maturin and cargo test share target/release; the wasm build lives in target/$WASM_TARGET.
"$VENV/bin/maturin" build --release --quiet --interpreter "$VENV/bin/python" \
    --manifest-path "$ROOT/Cargo.toml" --out "$DIST"
native_wheel="$(ls "$DIST"/liveimport_lite-*.whl | grep -v -e "$PYODIDE_PLATFORM_TAG" -e none-any | head -1)"
[ -n "$native_wheel" ] || die "maturin produced no wheel"

log "autoload extra (hatchling)"
"$VENV/bin/python" -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
    --wheel-dir "$DIST" "$ROOT/autoload"

log "Pyodide engine (cargo, $WASM_TARGET)"
# `cargo rustc --crate-type cdylib`: Cargo skips LTO for a lib that is also an rlib
# (Cargo.toml's crate-type), and without LTO every Rust symbol stays exported (4x the size).
CARGO_TARGET_WASM32_UNKNOWN_EMSCRIPTEN_LINKER="$ROOT/scripts/emscripten-link" \
PYO3_CROSS_PYTHON_VERSION="$PYODIDE_PY_VERSION" \
    cargo rustc --lib --crate-type cdylib --release --quiet --features python \
    --target "$WASM_TARGET" --manifest-path "$ROOT/Cargo.toml"
target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" |
    "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
so="$target_dir/$WASM_TARGET/release/liveimport_engine.wasm"
[ -f "$so" ] || so="$target_dir/$WASM_TARGET/release/libliveimport_engine.so"
[ -f "$so" ] || die "no engine artifact in $target_dir/$WASM_TARGET/release"

log "wasm-bindgen engine (cargo, $WASM_BINDGEN_TARGET, wasm-bindgen $(wasm_bindgen_version))"
build_wasm_bindgen_engine "$target_dir"

log "Pyodide wheels (platform and universal)"
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 315532800)}" \
"$VENV/bin/python" "$ROOT/scripts/build_pyodide_wheel.py" --native-wheel "$native_wheel" --so "$so" \
    --wasm-dir "$WASM_OUT" --out-dir "$DIST" --platform-tag "$PYODIDE_PLATFORM_TAG" \
    --python-tag "cp${PYODIDE_PY_VERSION/./}" --js-wheels-dir "$ROOT/js/wheels" >/dev/null

mkdir -p "$ROOT/build"
{
    size() { printf '%s: %s bytes raw, %s bytes gzip -9\n' "$1" "$(stat -c %s "$2")" "$(gzip -9 -c "$2" | wc -c)"; }
    size "pyo3 engine .so (Pyodide 314)" "$so"
    size "wasm-bindgen engine .wasm" "$WASM_OUT/liveimport_engine_bg.wasm"
    size "wasm-bindgen glue .js" "$WASM_OUT/liveimport_engine.js"
} | tee "$ROOT/build/so-size.txt" >&2
ls -1 "$DIST"/liveimport_lite-*.whl
