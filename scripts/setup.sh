#!/usr/bin/env bash
# Idempotent set-up of everything the build and the tests need, on a fresh machine too:
#   - the Rust targets wasm32-unknown-emscripten and wasm32-unknown-unknown (rustup), rust-lld;
#   - wasm-bindgen-cli of the version Cargo.lock pins (cargo install, into the cache) and
#     binaryen's wasm-opt (Debian's binaryen, when missing: shrinks the wasm-bindgen engine);
#   - Node >= 20 (Debian's nodejs when missing);
#   - the dev venv in the cache (maturin, wheel, pytest, IPython);
#   - the npm workspace (package.json and package-lock.json at the root, one `npm ci`): pyodide
#     314.0.7 and the other versions of the test matrix (tests/pyodide), playwright-core
#     (tests/browser), the extension's build tools (jupyterlite-ext) and JupyterLab 4.4's types
#     (tests/jupyterlab-4.4);
#   - the pure-Python wheels that the Pyodide runs install (pytest and IPython closures, micropip),
#     one set per Pyodide version.
# A second run does nothing but checks (stamps in $LIVEIMPORT_CACHE).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mkdir -p "$LIVEIMPORT_CACHE"

# --- Rust ---
command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first"
for target in "$WASM_TARGET" "$WASM_BINDGEN_TARGET"; do
    if ! rustup target list --installed 2>/dev/null | grep -qx "$target"; then
        log "rustup target add $target"
        rustup target add "$target"
    fi
done
wb_version="$(wasm_bindgen_version)"
[ -n "$wb_version" ] || die "Cargo.lock pins no wasm-bindgen"
if [ "$("$(wasm_bindgen_cli)" --version 2>/dev/null)" != "wasm-bindgen $wb_version" ]; then
    log "cargo install wasm-bindgen-cli $wb_version (into $LIVEIMPORT_CACHE)"
    wb_root="$LIVEIMPORT_CACHE/wasm-bindgen-cli-$wb_version"
    # --locked first; a registry index that lags the CLI's lockfile needs a fresh resolution.
    cargo install --quiet --locked --root "$wb_root" wasm-bindgen-cli --version "=$wb_version" ||
        cargo install --quiet --root "$wb_root" wasm-bindgen-cli --version "=$wb_version"
fi
if ! command -v wasm-opt >/dev/null; then
    log "installing Debian's binaryen (wasm-opt)"
    { apt-get update -qq && apt-get install -y -qq binaryen >/dev/null; } ||
        log "warning: no wasm-opt; the wasm-bindgen engine stays about 5% larger"
fi
host="$(rustc -vV | sed -n 's/^host: //p')"
[ -x "$(rustc --print sysroot)/lib/rustlib/$host/bin/rust-lld" ] ||
    die "rust-lld missing from the Rust toolchain ($(rustc --print sysroot))"

# --- Node ---
node_major() { node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }
if [ "$(node_major)" -lt 20 ]; then
    log "installing Node (Debian nodejs, npm)"
    apt-get update -qq && apt-get install -y -qq nodejs npm >/dev/null
    [ "$(node_major)" -ge 20 ] || die "need Node >= 20, have $(node --version 2>&1)"
fi

# --- dev venv ---
venv_key="$(stamp_key "$(host_python) $($(host_python) --version 2>&1)" "${VENV_REQUIREMENTS[@]}")"
if [ "$(cat "$VENV/.liveimport-stamp" 2>/dev/null)" != "$venv_key" ]; then
    log "dev venv: $VENV"
    [ -x "$VENV/bin/python" ] || "$(host_python)" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${VENV_REQUIREMENTS[@]}"
    echo "$venv_key" > "$VENV/.liveimport-stamp"
fi

# --- npm (the workspace at the root: js/, jupyterlite-ext/, tests/pyodide, tests/browser,
#     tests/jupyterlab-4.4; one package-lock.json) ---
npm_workspace

# --- pure-Python wheels for Pyodide ---
for version in "${PYODIDE_TEST_VERSIONS[@]}"; do
    "$VENV/bin/python" "$ROOT/scripts/fetch_pyodide_wheels.py" \
        "$(pyodide_npm_dir "$version")/pyodide-lock.json" "$PYODIDE_WHEELS/$version"
    "$VENV/bin/python" "$ROOT/scripts/fetch_pyodide_wheels.py" --lock-packages \
        "$(pyodide_npm_dir "$version")/pyodide-lock.json" "$LIVEIMPORT_CACHE/pyodide-lock-packages/$version"
done
