#!/usr/bin/env bash
# Build the wheels of LiveImport into dist/ (after the idempotent set-up):
#   dist/liveimport_lite-VER-cp310-abi3-<linux tag>.whl             native, maturin (pyproject.toml;
#                                           CPython stable ABI: every CPython >= 3.10)
#   dist/liveimport_lite-VER-cp314-cp314-pyemscripten_2026_0_wasm32.whl  Pyodide 314 (pyo3 engine,
#                                                                    and the wasm-bindgen one)
#   dist/liveimport_lite-VER-cp313-cp313-pyodide_2025_0_wasm32.whl  Pyodide 0.28/0.29 (the same)
#   dist/liveimport_lite-VER-py3-none-any.whl                       every other Pyodide (wasm-bindgen)
#   dist/liveimport_lite_autoload-VER-py3-none-any.whl               the autoload extra (autoload/)
# (one platform wheel per entry of PYODIDE_PLATFORMS, common.sh) and copy the Pyodide wheels, with
# wheels/manifest.json, into js/wheels/ for liveimport-pyodide.
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
native_wheel="$(ls "$DIST"/liveimport_lite-*.whl | grep -v -e _wasm32.whl -e none-any | head -1)"
[ -n "$native_wheel" ] || die "maturin produced no wheel"

log "autoload extra (hatchling)"
"$VENV/bin/python" -m pip wheel --quiet --disable-pip-version-check --no-deps --no-build-isolation \
    --wheel-dir "$DIST" "$ROOT/autoload"

target_dir="$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" |
    "$VENV/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
platform_args=() engine_sizes=()
for platform in "${PYODIDE_PLATFORMS[@]}"; do
    read -r py_version platform_tag releases <<<"$platform"
    log "Pyodide engine for CPython $py_version (cargo, $WASM_TARGET)"
    # pyo3's build configuration follows PYO3_CROSS_PYTHON_VERSION: one target folder per CPython,
    # so that neither build undoes the other's (the default Pyodide's is the usual one).
    engine_dir="$target_dir"
    [ "$py_version" = "$PYODIDE_PY_VERSION" ] || engine_dir="$target_dir/pyodide-cp${py_version/./}"
    # `cargo rustc --crate-type cdylib`: Cargo skips LTO for a lib that is also an rlib
    # (Cargo.toml's crate-type), and without LTO every Rust symbol stays exported (4x the size).
    CARGO_TARGET_WASM32_UNKNOWN_EMSCRIPTEN_LINKER="$ROOT/scripts/emscripten-link" \
    PYO3_CROSS_PYTHON_VERSION="$py_version" \
        cargo rustc --lib --crate-type cdylib --release --quiet --features python \
        --target "$WASM_TARGET" --target-dir "$engine_dir" --manifest-path "$ROOT/Cargo.toml"
    so="$engine_dir/$WASM_TARGET/release/liveimport_engine.wasm"
    [ -f "$so" ] || so="$engine_dir/$WASM_TARGET/release/libliveimport_engine.so"
    [ -f "$so" ] || die "no engine artifact in $engine_dir/$WASM_TARGET/release"
    platform_args+=(--platform "$so" "cp${py_version/./}" "$platform_tag" "$releases")
    engine_sizes+=("$py_version $so")
done

log "wasm-bindgen engine (cargo, $WASM_BINDGEN_TARGET, wasm-bindgen $(wasm_bindgen_version))"
build_wasm_bindgen_engine "$target_dir"

log "Pyodide wheels (platform and universal)"
SOURCE_DATE_EPOCH="${SOURCE_DATE_EPOCH:-$(git -C "$ROOT" log -1 --format=%ct 2>/dev/null || echo 315532800)}" \
"$VENV/bin/python" "$ROOT/scripts/build_pyodide_wheel.py" --native-wheel "$native_wheel" \
    "${platform_args[@]}" --wasm-dir "$WASM_OUT" --out-dir "$DIST" \
    --js-wheels-dir "$ROOT/js/wheels" >/dev/null

mkdir -p "$ROOT/build"
{
    size() { printf '%s: %s bytes raw, %s bytes gzip -9\n' "$1" "$(stat -c %s "$2")" "$(gzip -9 -c "$2" | wc -c)"; }
    for engine in "${engine_sizes[@]}"; do
        size "pyo3 engine .so (CPython ${engine%% *}, Pyodide)" "${engine#* }"
    done
    size "wasm-bindgen engine .wasm" "$WASM_OUT/liveimport_engine_bg.wasm"
    size "wasm-bindgen glue .js" "$WASM_OUT/liveimport_engine.js"
} | tee "$ROOT/build/so-size.txt" >&2
ls -1 "$DIST"/liveimport_lite-*.whl
