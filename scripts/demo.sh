#!/usr/bin/env bash
# The project's main job: build (with the idempotent set-up) and serve the demo JupyterLite site
# (Pyodide 314.0.7, the LiveImport extension, a notebook and its modules) on 127.0.0.1, printing
# the URL to open.
#
#   scripts/demo.sh [site] [PORT]  (default) build and serve the demo site (scripts/site.sh serve)
#   scripts/demo.sh node           the scripted example inside Pyodide under Node (no browser)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

mode="${1:-site}"
case "$mode" in
    site)
        shift || true
        "$ROOT/scripts/site.sh" build
        exec "$ROOT/scripts/site.sh" serve "$@"
        ;;
    node)
        "$ROOT/scripts/build.sh" >&2
        exec node "$ROOT/scripts/demo-node.mjs"
        ;;
    -h|--help)
        sed -n '2,7p' "$0"
        ;;
    *)
        die "unknown mode '$mode' (see scripts/demo.sh --help)"
        ;;
esac
