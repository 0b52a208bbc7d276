#!/usr/bin/env bash
# Browser end-to-end tests of the LiveImport JupyterLite demo site, in Debian's Chromium
# (playwright-core, headless, fresh profile per test file, offline), with node's test runner.
#
#   tests/browser/run.sh [--no-build] [TEST_FILE...]
#
# Builds the site first (scripts/site.sh build) unless --no-build. Screenshots and the measured
# timings go to build/browser-artifacts/. Exit status: non-zero when a test fails.
# $LIVEIMPORT_TEST_PORT: serve the site on that port of 127.0.0.1 (default: any free port).
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
source "$HERE/../../scripts/common.sh"   # ROOT, npm_workspace; set -euo pipefail

if [ "${1:-}" = "--no-build" ]; then
    shift
else
    "$ROOT/scripts/site.sh" build
fi

if [ ! -x /usr/bin/chromium ]; then
    echo "==> installing Debian's chromium" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

# playwright-core: a package of the npm workspace at the root.
npm_workspace

rm -rf "$ROOT/build/browser-artifacts"
mkdir -p "$ROOT/build/browser-artifacts"
if [ "$#" -eq 0 ]; then
    set -- "$HERE"/*.test.mjs
fi
cd "$HERE"
status=0
node --test --test-concurrency=1 --test-timeout=600000 "$@" || status=$?
echo "==> timings (build/browser-artifacts/timings.txt):" >&2
sed 's/^[^ ]* //' "$ROOT/build/browser-artifacts/timings.txt" 2>/dev/null >&2 || true
exit "$status"
