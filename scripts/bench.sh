#!/usr/bin/env bash
# Benchmarks: this project's LiveImport vs reference LiveImport 1.3.1, side by side, under Node in
# Pyodide 314.0.7 (ours with the pyo3 engine and with the wasm-bindgen engine), in Pyodide 0.27.7
# and 0.29.5 (JupyterLite 0.6 and 0.7: ours with the wasm-bindgen engine, the universal wheel), and
# natively in CPython (issues 6, 12). Prints a Markdown table; writes build/bench/results.json
# (every session's raw figures) and build/bench/results.md.
#
#   scripts/bench.sh [--rounds N] [--runtime pyodide|native|both] [--kinds K1,K2]
#                    [--ref-only] [--profile] [--build] [--no-setup]
#
#   --rounds N    sessions per implementation and scenario (default 5; medians are over these)
#   --runtime     run only Pyodide or only native CPython (default both)
#   --kinds       session kinds: nochange,register200,reload,memory (default all)
#   --ref-only    benchmark the reference only (no wheels of ours needed)
#   --profile     cProfile the timed calls, top functions in build/bench/profile/ (slows them)
#   --build       rebuild our wheels (scripts/build.sh) even when dist/ has them
#   --no-setup    skip scripts/setup.sh (the dev venv, npm packages, Pyodide wheels)
#
# Set-up is idempotent and cached under $LIVEIMPORT_CACHE (default ~/.cache/liveimport-dev):
# bench/ref/ holds the reference wheel (pip download, sha256 pinned), bench/site/ the unpacked
# wheels and IPython byte-compiled for Pyodide. Our wheels come from dist/ (built when missing).
# Takes about 15-25 minutes on a 2-core machine (fewer with --runtime or --kinds). Exit status 1 when a session or one of the
# scenarios' correctness checks failed.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

REF_VERSION="1.3.1"
REF_WHEEL_NAME="liveimport-$REF_VERSION-py3-none-any.whl"
REF_SHA256="4424c49e421c68202fa85798bea555820d64a849a0d1261b9e9ed4facfbef739"
BENCH_CACHE="$LIVEIMPORT_CACHE/bench"

setup=1 build=0 ref_only=0 run_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-setup) setup=0 ;;
        --build) build=1 ;;
        --ref-only) ref_only=1; run_args+=(--ref-only) ;;
        --profile) run_args+=(--profile) ;;
        --rounds|--runtime|--kinds) [ $# -ge 2 ] || die "$1 needs a value"; run_args+=("$1" "$2"); shift ;;
        -h|--help) sed -n '2,21p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
    shift
done

[ "$setup" = 0 ] || "$ROOT/scripts/setup.sh"

# --- the reference wheel ---
mkdir -p "$BENCH_CACHE/ref"
ref_wheel="$BENCH_CACHE/ref/$REF_WHEEL_NAME"
if [ ! -f "$ref_wheel" ]; then
    log "pip download liveimport==$REF_VERSION"
    "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: "liveimport==$REF_VERSION" -d "$BENCH_CACHE/ref"
fi
echo "$REF_SHA256  $ref_wheel" | sha256sum --check --quiet ||
    die "$ref_wheel does not have the pinned sha256"

# --- our wheels ---
ours=()
if [ "$ref_only" = 0 ]; then
    find_wheels() {
        pyodide_wheel="$(ls "$DIST"/liveimport_lite-*-"$PYODIDE_PLATFORM_TAG".whl 2>/dev/null | head -1 || true)"
        universal_wheel="$(ls "$DIST"/liveimport_lite-*-py3-none-any.whl 2>/dev/null | head -1 || true)"
        native_wheel="$(ls "$DIST"/liveimport_lite-*.whl 2>/dev/null | grep -v -e _wasm32.whl -e none-any |
            head -1 || true)"
    }
    find_wheels
    if [ "$build" = 1 ] || [ -z "$pyodide_wheel" ] || [ -z "$native_wheel" ] || [ -z "$universal_wheel" ]; then
        log "building our wheels (scripts/build.sh)"
        "$ROOT/scripts/build.sh" --no-setup
        find_wheels
    fi
    [ -n "$pyodide_wheel" ] && [ -n "$native_wheel" ] && [ -n "$universal_wheel" ] ||
        die "no wheels of ours in $DIST"
    ours=(--ours-pyodide "$pyodide_wheel" --ours-universal "$universal_wheel" --ours-native "$native_wheel")
    log "ours: $(basename "$pyodide_wheel"), $(basename "$universal_wheel"), $(basename "$native_wheel")"
fi

# The older Pyodides (JupyterLite 0.6, 0.7), from tests/pyodide's npm aliases (in the root node_modules).
older=()
for version in 0.27.7 0.29.5; do
    older+=(--older-pyodide "$(pyodide_npm_dir "$version")=$PYODIDE_WHEELS/$version")
done

log "running the benchmark (results in build/bench/)"
exec "$VENV/bin/python" "$ROOT/bench/run.py" "${ours[@]}" --ref "$ref_wheel" \
    --ipython-wheels "$PYODIDE_WHEELS/$PYODIDE_DEFAULT_VERSION" --pyodide "$(pyodide_npm_dir "$PYODIDE_DEFAULT_VERSION")" \
    "${older[@]}" --python "$VENV/bin/python" --cache "$BENCH_CACHE" --out "$ROOT/build/bench" "${run_args[@]}"
