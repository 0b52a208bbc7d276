#!/usr/bin/env bash
# Desktop Jupyter with LiveImport: JupyterLab 4.6 and Notebook 7 with ipykernel (not JupyterLite).
#
#   scripts/desktop.sh setup          the desktop venvs (idempotent): jupyterlab, notebook, ipykernel,
#                                     the native liveimport-lite wheel and the extension; and a second
#                                     venv with ipykernel only (a kernel without LiveImport)
#   scripts/desktop.sh test [FILES]   setup, then the desktop browser tests (tests/browser/desktop,
#                                     headless Chromium; each file starts and stops its own server)
#   scripts/desktop.sh lab [PORT]     setup, then `jupyter lab` on a copy of the demo's content
#                                     (127.0.0.1, default port 8888), to try it by hand
#
# Needs the wheels in dist/ and the built extension (scripts/site.sh build makes both; run here when
# missing). Venvs: $LIVEIMPORT_CACHE/desktop-venv and desktop-bare-venv.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

DESKTOP_VENV="$LIVEIMPORT_CACHE/desktop-venv"
BARE_VENV="$LIVEIMPORT_CACHE/desktop-bare-venv"
DESKTOP_REQUIREMENTS=(jupyterlab==4.6.6 notebook==7.6.5 ipykernel==7.4.0)
BARE_REQUIREMENTS=(ipykernel==7.4.0)
EXT_DIR="$ROOT/jupyterlite-ext"
LITE_VENV="$LIVEIMPORT_CACHE/lite-venv"

make_venv() {  # make_venv DIR REQUIREMENTS...
    local dir="$1"; shift
    local key
    key="$(stamp_key "$(host_python) $($(host_python) --version 2>&1)" "$@")"
    if [ "$(cat "$dir/.liveimport-stamp" 2>/dev/null)" != "$key" ]; then
        log "venv: $dir"
        [ -x "$dir/bin/python" ] || "$(host_python)" -m venv "$dir"
        "$dir/bin/python" -m pip install --quiet --disable-pip-version-check "$@"
        echo "$key" > "$dir/.liveimport-stamp"
    fi
}

setup() {
    # The extension (built, with the Pyodide wheel inside) and the wheels; skipped when the caller
    # built the site just before (LIVEIMPORT_DESKTOP_SKIP_SITE_BUILD=1, scripts/test.sh).
    if [ "${LIVEIMPORT_DESKTOP_SKIP_SITE_BUILD:-}" != 1 ] ||
       [ ! -f "$EXT_DIR/jupyterlite_liveimport/labextension/static/pypi/all.json" ]; then
        "$ROOT/scripts/site.sh" build >&2
    fi
    local native_wheel
    native_wheel="$(ls "$DIST"/liveimport_lite-*.whl | grep -v -e _wasm32.whl -e none-any | head -1)"
    [ -n "$native_wheel" ] || die "no native liveimport-lite wheel in $DIST"
    make_venv "$DESKTOP_VENV" "${DESKTOP_REQUIREMENTS[@]}"
    make_venv "$BARE_VENV" "${BARE_REQUIREMENTS[@]}"
    log "extension wheel (lite venv's hatchling, labextension already built)"
    local wheels="$ROOT/build/desktop-wheels"
    rm -rf "$wheels" && mkdir -p "$wheels"
    "$LITE_VENV/bin/python" -m pip wheel --quiet --disable-pip-version-check --no-deps \
        --no-build-isolation --wheel-dir "$wheels" "$EXT_DIR"
    log "desktop venv: liveimport-lite ($(basename "$native_wheel")) and the extension"
    "$DESKTOP_VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall \
        --no-deps "$native_wheel" "$wheels"/jupyterlite_liveimport-*.whl
    "$DESKTOP_VENV/bin/jupyter" labextension list 2>&1 | grep -q "jupyterlite-liveimport.*enabled" ||
        die "the extension is not enabled in the desktop venv"
}

case "${1:-}" in
    setup) setup ;;
    test)
        shift; setup
        HERE="$ROOT/tests/browser"
        # Chromium and playwright-core (the npm workspace) as for the JupyterLite tests.
        [ -x /usr/bin/chromium ] || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }
        npm_workspace
        [ "$#" -gt 0 ] || set -- "$HERE"/desktop/*.test.mjs
        mkdir -p "$ROOT/build/browser-artifacts"
        cd "$HERE"
        export LIVEIMPORT_DESKTOP_VENV="$DESKTOP_VENV" LIVEIMPORT_DESKTOP_BARE_VENV="$BARE_VENV"
        exec node --test --test-concurrency=1 --test-timeout=600000 "$@"
        ;;
    lab)
        shift; setup
        dir="$(mktemp -d)"; cp -r "$ROOT/demo/content/." "$dir/"
        # The demo names JupyterLite's Pyodide kernel; here it is ipykernel's python3.
        "$DESKTOP_VENV/bin/python" - "$dir"/*.ipynb <<'PY'
import json, sys
for path in sys.argv[1:]:
    nb = json.load(open(path, encoding="utf-8"))
    nb.setdefault("metadata", {})["kernelspec"] = {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}
    json.dump(nb, open(path, "w", encoding="utf-8"), indent=1)
PY
        echo "Demo content copied to $dir; open demo.ipynb"
        root_flag=(); [ "$(id -u)" != 0 ] || root_flag=(--allow-root)
        exec "$DESKTOP_VENV/bin/jupyter" lab --no-browser --ServerApp.ip=127.0.0.1 "${root_flag[@]}" \
            --ServerApp.port="${1:-8888}" --ServerApp.root_dir="$dir"
        ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
