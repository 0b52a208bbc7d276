#!/usr/bin/env bash
# Benchmark in the built JupyterLite site, in Chromium (issue 5): the time of a cell `x = 1` after
# the grace period, with N = 10, 50, 200 tracked modules in /drive, nothing changed and one module
# changed, for our LiveImport with file events, with polling forced and disabled, and for the
# reference LiveImport 1.3.1 (installed through piplite in a second kernel session), in one run.
# Prints a Markdown table; writes build/bench-site/results.json (every timed cell) and results.md.
#
#   scripts/bench_site.sh [--rounds N] [--sizes 10,50,200] [--no-build]
#
#   --rounds N    timed cells per mode, scenario and size (default 5; medians over these)
#   --sizes       numbers of tracked modules (default 10,50,200)
#   --no-build    use the bench site as last built (build/bench-site/site)
#
# Builds the bench site with scripts/site.sh build (into build/bench-site/site, the demo site plus
# the reference wheel in its piplite index); the reference wheel is downloaded once with pip into
# $LIVEIMPORT_CACHE/bench/ref/ and checked against the sha256 pinned in scripts/bench.sh.
# Everything is served on 127.0.0.1; the run fails if the page requests anything else.
# About 5-8 minutes on a 2-core machine. Exit status 1 when a correctness check failed
# (a changed module not reloaded, the reference kernel not running 1.3.1, ...).
#
#   scripts/bench_site.sh first-cell [--lines 0.8,0.7,0.6] [--rounds N] [--reading MS] [--no-build]
#
# The first LiveImport cell of a saved lesson (issue 17; bench/site/first_cell.mjs): in a fresh
# browser and kernel per run, the demo lesson opened, MS (3000) of reading, its first cell run,
# with and without its `#_%%liveimport` line, on the sites of each JupyterLite line (built with
# LIVEIMPORT_LITE_LINE=LINE scripts/site.sh build into build/site, build/site-0.7,
# build/site-0.6; --no-build: as last built). Writes build/bench-site/first-cell/results.json
# and results.md. About 1 minute per line and round on a 2-core machine (default 5 rounds).
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# Chromium and playwright-core (the npm workspace; as tests/browser/run.sh).
browser() {
    if [ ! -x /usr/bin/chromium ]; then
        log "installing Debian's chromium"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
    fi
    npm_workspace
}

if [ "${1:-}" = first-cell ]; then
    shift
    build=1 lines="0.8,0.7,0.6" run_args=()
    while [ $# -gt 0 ]; do
        case "$1" in
            --no-build) build=0 ;;
            --lines) [ $# -ge 2 ] || die "$1 needs a value"; lines="$2"; shift ;;
            --rounds|--reading) [ $# -ge 2 ] || die "$1 needs a value"; run_args+=("$1" "$2"); shift ;;
            -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
            *) die "unknown option: $1 (see --help)" ;;
        esac
        shift
    done
    for line in ${lines//,/ }; do
        suffix="$([ "$line" = 0.8 ] || echo "-$line")"
        if [ "$build" = 1 ] || [ ! -f "$ROOT/build/site$suffix/jupyter-lite.json" ]; then
            LIVEIMPORT_LITE_LINE="$line" LIVEIMPORT_SITE_DIR= LIVEIMPORT_LITE_DIR= "$ROOT/scripts/site.sh" build
        fi
    done
    browser
    log "first LiveImport cell of a saved lesson, lines $lines (results in build/bench-site/first-cell/)"
    LIVEIMPORT_ARTIFACTS="$ROOT/build/bench-site/first-cell/artifacts" \
        exec node "$ROOT/bench/site/first_cell.mjs" --lines "$lines" "${run_args[@]}"
fi

# The reference wheel: the same pin as scripts/bench.sh (read from there: one place to change).
REF_VERSION="$(sed -n 's/^REF_VERSION="\(.*\)"$/\1/p' "$ROOT/scripts/bench.sh")"
REF_SHA256="$(sed -n 's/^REF_SHA256="\(.*\)"$/\1/p' "$ROOT/scripts/bench.sh")"
[ -n "$REF_VERSION" ] && [ -n "$REF_SHA256" ] || die "cannot read the reference pin from scripts/bench.sh"
REF_DIR="$LIVEIMPORT_CACHE/bench/ref"
OUT="$ROOT/build/bench-site"
BENCH_SITE="$OUT/site"

build=1 run_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --no-build) build=0 ;;
        --rounds|--sizes) [ $# -ge 2 ] || die "$1 needs a value"; run_args+=("$1" "$2"); shift ;;
        -h|--help) sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) die "unknown option: $1 (see --help)" ;;
    esac
    shift
done

# --- the reference wheel (pip download, sha256 pinned) ---
ref_wheel="$REF_DIR/liveimport-$REF_VERSION-py3-none-any.whl"
if [ ! -f "$ref_wheel" ]; then
    [ -x "$VENV/bin/python" ] || "$ROOT/scripts/setup.sh"
    log "pip download liveimport==$REF_VERSION"
    mkdir -p "$REF_DIR"
    "$VENV/bin/python" -m pip download --quiet --disable-pip-version-check --no-deps \
        --only-binary=:all: "liveimport==$REF_VERSION" -d "$REF_DIR"
fi
echo "$REF_SHA256  $ref_wheel" | sha256sum --check --quiet || die "$ref_wheel does not have the pinned sha256"

# --- the bench site: the demo site with the reference wheel in its piplite index ---
if [ "$build" = 1 ] || [ ! -f "$BENCH_SITE/jupyter-lite.json" ]; then
    LIVEIMPORT_SITE_DIR="$BENCH_SITE" LIVEIMPORT_LITE_DIR="$OUT/lite-dir" \
    LIVEIMPORT_SITE_PIPLITE_WHEELS="$ref_wheel" "$ROOT/scripts/site.sh" build
fi
grep -q "\"liveimport\"" "$BENCH_SITE/pypi/all.json" || die "the bench site's piplite index has no liveimport"

browser

log "running the benchmark in Chromium (results in build/bench-site/)"
LIVEIMPORT_SITE_DIR="$BENCH_SITE" LIVEIMPORT_ARTIFACTS="$OUT/artifacts" \
    exec node "$ROOT/bench/site/bench.mjs" --out "$OUT" --ref-version "$REF_VERSION" "${run_args[@]}"
