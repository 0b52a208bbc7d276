#!/usr/bin/env bash
# Browser end-to-end tests of the LiveImport JupyterLite demo site, in Debian's Chromium
# (playwright-core, headless, fresh profile per test file, offline), with node's test runner.
#
#   tests/browser/run.sh [--no-build] [TEST_FILE...]
#
# Builds the site first (scripts/site.sh build) unless --no-build. Screenshots and the measured
# timings go to build/browser-artifacts/. Exit status: non-zero when a test fails.
# $LIVEIMPORT_TEST_PORT: serve the site on that port of 127.0.0.1 (default: any free port).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"

if [ "${1:-}" = "--no-build" ]; then
    shift
else
    "$ROOT/scripts/site.sh" build
fi

if [ ! -x /usr/bin/chromium ]; then
    echo "==> installing Debian's chromium" >&2
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

stamp="$(printf '%s\n' "$(node --version)" "$(cat "$HERE/package-lock.json")" | sha256sum | cut -c1-16)"
if [ "$(cat "$HERE/node_modules/.liveimport-stamp" 2>/dev/null)" != "$stamp" ]; then
    (cd "$HERE" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$stamp" > "$HERE/node_modules/.liveimport-stamp"
fi

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
