# Shared settings and helpers for the project's scripts. Source it; do not run it.
#
# Paths (all overridable through the environment):
#   ROOT             the repository root (this file's parent's parent)
#   LIVEIMPORT_CACHE downloads, the dev venv and stamps; outside the repo
#                    (default: $HOME/.cache/liveimport-dev)
#   VENV             the dev venv (CPython of the machine): maturin, wheel, pytest, IPython
#   PYODIDE_WHEELS   pure-Python wheels for Pyodide 314 (pytest and IPython closures, micropip)
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
PYODIDE_NODE_DIR="$ROOT/tests/pyodide"
export LIVEIMPORT_CACHE

# Python packages of the dev venv. The Pyodide side uses the versions of pyodide-lock.json
# (pytest 9.0.2, IPython 9.12.0); IPython 9.12 requires Python >= 3.12, so the native venv
# (CPython 3.11) takes the newest 9.x.
# hatchling builds the pure-Python wheel of the autoload extra (autoload/).
VENV_REQUIREMENTS=(maturin==1.16.0 wheel==0.48.0 hatchling==1.33.0 pytest==9.0.2 ipython==9.18.1)

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Print a stamp key for the given strings (changes when any input changes).
stamp_key() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# The machine's CPython 3 used to create the venv.
host_python() {
    command -v python3 >/dev/null || die "python3 not found (need CPython >= 3.11)"
    echo python3
}
