# Shared settings and helpers for the project's scripts. Source it; do not run it.
#
# Paths (all overridable through the environment):
#   ROOT             the repository root (this file's parent's parent)
#   LIVEIMPORT_CACHE downloads, the dev venv and stamps; outside the repo
#                    (default: $HOME/.cache/liveimport-dev)
#   VENV             the dev venv (CPython of the machine): maturin, wheel, pytest, IPython
#   PYODIDE_WHEELS   pure-Python wheels for each Pyodide of the tests, one folder per version
#                    (pytest and IPython closures, micropip)
#   DIST             the built wheels (ROOT/dist)

set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
LIVEIMPORT_CACHE="${LIVEIMPORT_CACHE:-$HOME/.cache/liveimport-dev}"
VENV="${LIVEIMPORT_VENV:-$LIVEIMPORT_CACHE/venv}"
PYODIDE_WHEELS="$LIVEIMPORT_CACHE/pyodide-wheels"
DIST="$ROOT/dist"
WASM_TARGET="wasm32-unknown-emscripten"
# Pyodide 314.0.7 runs CPython 3.14, Emscripten ABI 2026_0 (PEP 783 platform tag).
PYODIDE_PY_VERSION="3.14"
PYODIDE_PLATFORM_TAG="pyemscripten_2026_0_wasm32"
# The Pyodide lines with a pyo3 engine build, one per Emscripten ABI: "CPython platform-tag
# releases" (releases: the Pyodide lines of that ABI, comma-separated, for liveimport-pyodide's
# manifest). 314.x: CPython 3.14, ABI 2026_0; 0.28.x and 0.29.x: CPython 3.13, ABI 2025_0 (both
# use WebAssembly exception handling, as Rust's wasm32-unknown-emscripten std does). Older Pyodides
# (0.26, 0.27: JavaScript exception handling) and newer ones take the universal wheel.
PYODIDE_PLATFORMS=("3.14 pyemscripten_2026_0_wasm32 314" "3.13 pyodide_2025_0_wasm32 0.28,0.29")
# The npm workspace: package.json at the root lists js/, jupyterlite-ext/, tests/pyodide,
# tests/browser and tests/jupyterlab-4.4; one package-lock.json, installed into one node_modules at
# the root (npm_workspace below; only the JupyterLab 4.4 packages that conflict with the
# extension's 4.6 ones are nested, in tests/jupyterlab-4.4/node_modules).
NODE_MODULES="$ROOT/node_modules"
# Every Pyodide the Python suite runs in under Node (tests/pyodide/env.mjs PYODIDE_VERSIONS; npm
# aliases pyodide-VERSION in tests/pyodide/package.json, `pyodide` itself is the default 314.0.7).
PYODIDE_DEFAULT_VERSION="314.0.7"
PYODIDE_TEST_VERSIONS=(0.26.4 0.27.7 0.29.5 314.0.7 315.0.0-alpha.2)
# node_modules folder of Pyodide VERSION for the tests.
pyodide_npm_dir() {
    if [ "$1" = "$PYODIDE_DEFAULT_VERSION" ]; then echo "$NODE_MODULES/pyodide"
    else echo "$NODE_MODULES/pyodide-$1"; fi
}
# The wasm-bindgen engine (every Pyodide): Rust target, Cargo profile, wasm-bindgen output dir.
WASM_BINDGEN_TARGET="wasm32-unknown-unknown"
WASM_PROFILE="wasm"
WASM_OUT="$ROOT/build/wasm"
export LIVEIMPORT_CACHE

# Python packages of the dev venv. The Pyodide side uses the versions of pyodide-lock.json
# (pytest 9.0.2, IPython 9.12.0); IPython 9.12 requires Python >= 3.12, so the native venv
# (CPython 3.11) takes the newest 9.x.
# hatchling builds the pure-Python wheel of the autoload extra (autoload/); ruff, mypy (with
# mypy.stubtest) and import-linter (lint-imports: no import cycles) are the static analysis of
# scripts/lint.sh.
VENV_REQUIREMENTS=(maturin==1.16.0 wheel==0.48.0 hatchling==1.33.0 pytest==9.0.2 ipython==9.18.1
                   ruff==0.17.6 mypy==2.4.1 import-linter==2.17)

# The other CPythons the native (abi3) wheel is tested on, besides the dev venv's: a venv each
# ($LIVEIMPORT_CACHE/venv-pyX.Y) with pytest and IPython. IPython 9 needs Python >= 3.11.
EXTRA_PYTHONS=(3.10 3.12 3.13)
# Of those, the ones that must be found (a missing one fails the test command; the dev venv runs
# the host's python3, 3.11 on these machines).
REQUIRED_PYTHONS=(3.13)
extra_venv_requirements() {  # extra_venv_requirements X.Y
    if [ "$1" = 3.10 ]; then echo pytest==9.0.2 ipython==8.39.0; else echo pytest==9.0.2 ipython==9.18.1; fi
}

# find_python X.Y: the path of a CPython X.Y (LIVEIMPORT_PYTHON_X_Y, else the newest pyenv build
# under ~/.pyenv/versions, else pythonX.Y on PATH); prints nothing when there is none.
find_python() {
    local var="LIVEIMPORT_PYTHON_${1/./_}" candidate
    if [ -n "${!var:-}" ]; then echo "${!var}"; return; fi
    candidate="$(ls -d "$HOME"/.pyenv/versions/"$1".*/bin/python"$1" 2>/dev/null | sort -V | tail -1)"
    if [ -n "$candidate" ] && [ -x "$candidate" ]; then echo "$candidate"; return; fi
    command -v "python$1" 2>/dev/null || true
}

# The wasm-bindgen version Cargo.lock pins (the CLI must be the same version).
wasm_bindgen_version() {
    sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' "$ROOT/Cargo.lock"
}
# Where scripts/setup.sh installs that wasm-bindgen CLI.
wasm_bindgen_cli() { echo "$LIVEIMPORT_CACHE/wasm-bindgen-cli-$(wasm_bindgen_version)/bin/wasm-bindgen"; }

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Print a stamp key for the given strings (changes when any input changes).
stamp_key() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# `npm ci` of the workspace at the root, unless node_modules already holds what package-lock.json
# says (stamp: Node's version, the lockfile and the workspaces' package.json files).
npm_workspace() {
    local key manifests
    manifests="$(cd "$ROOT" && node -p 'require("./package.json").workspaces.map((w) => w + "/package.json").join(" ")')"
    key="$(stamp_key "$(node --version)" "$(cd "$ROOT" && cat package-lock.json package.json $manifests)")"
    if [ "$(cat "$NODE_MODULES/.liveimport-stamp" 2>/dev/null)" != "$key" ]; then
        log "npm ci (the workspace: package-lock.json at the root)"
        (cd "$ROOT" && npm ci --no-audit --no-fund --loglevel=error)
        echo "$key" > "$NODE_MODULES/.liveimport-stamp"
    fi
}

# build_wasm_bindgen_engine TARGET_DIR: the wasm-bindgen engine (feature `wasm`, profile
# $WASM_PROFILE, $WASM_BINDGEN_TARGET), through wasm-opt when installed, and wasm-bindgen
# (`--target no-modules`) into $WASM_OUT: liveimport_engine.js and liveimport_engine_bg.wasm.
# `cargo rustc --crate-type cdylib`: Cargo skips LTO for a lib that is also an rlib (Cargo.toml's
# crate-type), and without LTO every Rust symbol stays exported (4x the size).
build_wasm_bindgen_engine() {
    local wasm_in
    cargo rustc --lib --crate-type cdylib --profile "$WASM_PROFILE" --quiet --features wasm \
        --target "$WASM_BINDGEN_TARGET" --manifest-path "$ROOT/Cargo.toml"
    wasm_in="$1/$WASM_BINDGEN_TARGET/$WASM_PROFILE/liveimport_engine.wasm"
    [ -f "$wasm_in" ] || die "no wasm-bindgen engine artifact at $wasm_in"
    rm -rf "$WASM_OUT"; mkdir -p "$WASM_OUT"
    if command -v wasm-opt >/dev/null; then
        # Before wasm-bindgen (which keeps what it needs); the features rustc enables by default.
        wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
            --enable-mutable-globals --enable-reference-types --enable-multivalue \
            -o "$WASM_OUT/engine-opt.wasm" "$wasm_in"
        wasm_in="$WASM_OUT/engine-opt.wasm"
    fi
    "$(wasm_bindgen_cli)" --target no-modules --no-typescript --remove-name-section \
        --remove-producers-section --out-dir "$WASM_OUT" --out-name liveimport_engine "$wasm_in"
    rm -f "$WASM_OUT/engine-opt.wasm"
}

# The machine's CPython 3 used to create the venv.
host_python() {
    command -v python3 >/dev/null || die "python3 not found (need CPython >= 3.11)"
    echo python3
}
