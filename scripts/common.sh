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

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Print a stamp key for the given strings (changes when any input changes).
stamp_key() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# The machine's CPython 3 used to create the venv.
host_python() {
    command -v python3 >/dev/null || die "python3 not found (need CPython >= 3.11)"
    echo python3
}
