#!/usr/bin/env bash
# The project's main job. For now: build (with the idempotent set-up), then run the scripted
# LiveImport example inside Pyodide 314 under Node (scripts/demo-node.mjs): write a module,
# register it, edit it, sync, print the reload report.
#
#   scripts/demo.sh [node]   (default) the scripted example in Pyodide under Node
#
# A thin dispatcher: later modes (the JupyterLite site) plug in here.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

mode="${1:-node}"
case "$mode" in
    node)
        "$ROOT/scripts/build.sh" >&2
        exec node "$ROOT/scripts/demo-node.mjs"
        ;;
    -h|--help)
        sed -n '2,8p' "$0"
        ;;
    *)
        die "unknown mode '$mode' (see scripts/demo.sh --help)"
        ;;
esac
