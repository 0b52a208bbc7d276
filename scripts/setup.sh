#!/usr/bin/env bash
# Idempotent set-up of everything the build and the tests need, on a fresh machine too:
#   - the Rust target wasm32-unknown-emscripten (rustup) and rust-lld;
#   - Node >= 20 (Debian's nodejs when missing);
#   - the dev venv in the cache (maturin, wheel, pytest, IPython);
#   - npm packages of tests/pyodide (pyodide 314.0.7, from package-lock.json);
#   - the pure-Python wheels that the Pyodide runs install (pytest and IPython closures, micropip).
# A second run does nothing but checks (stamps in $LIVEIMPORT_CACHE).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
mkdir -p "$LIVEIMPORT_CACHE"

# --- Rust ---
command -v cargo >/dev/null || die "cargo not found: install Rust with rustup first"
if ! rustup target list --installed 2>/dev/null | grep -qx "$WASM_TARGET"; then
    log "rustup target add $WASM_TARGET"
    rustup target add "$WASM_TARGET"
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

# --- npm (tests/pyodide: pyodide and our js/ package) ---
npm_key="$(stamp_key "$(node --version)" "$(cat "$PYODIDE_NODE_DIR/package-lock.json" "$ROOT/js/package.json")")"
if [ "$(cat "$PYODIDE_NODE_DIR/node_modules/.liveimport-stamp" 2>/dev/null)" != "$npm_key" ]; then
    log "npm ci in tests/pyodide"
    (cd "$PYODIDE_NODE_DIR" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$npm_key" > "$PYODIDE_NODE_DIR/node_modules/.liveimport-stamp"
fi

# --- pure-Python wheels for Pyodide ---
"$VENV/bin/python" "$ROOT/scripts/fetch_pyodide_wheels.py" \
    "$PYODIDE_NODE_DIR/node_modules/pyodide/pyodide-lock.json" "$PYODIDE_WHEELS"
