#!/usr/bin/env bash
# The offline JupyterLite demo site (JupyterLite 0.8.6, Pyodide 314.0.7, the LiveImport extension),
# or the same site on an older JupyterLite line with LIVEIMPORT_LITE_LINE=0.7 (jupyterlite-core
# 0.7.6, pyodide-kernel 0.7.2, Pyodide 0.29.3) or 0.6 (0.6.4, 0.6.1, Pyodide 0.27.6): then into
# build/site-LINE, from lite-venv-LINE/ and site-wheels-LINE/ (their kernels take the universal
# wheel; sqlite3, a compiled module only Pyodide's CDN has, gets a stand-in: site_prepare.py).
#
#   scripts/site.sh build          build the site into build/site (idempotent set-up, cached downloads)
#   scripts/site.sh serve [PORT]   build if needed, then serve build/site on 127.0.0.1 (default port 8765)
#   scripts/site.sh test [ARGS]    build, then run the browser tests (tests/browser, headless Chromium;
#                                  ARGS: test files of tests/browser, default all)
#   scripts/site.sh recipe         build, then prepare what the README recipe tests need (below;
#                                  0.8 line only)
#   scripts/site.sh extension      build the extension only (into the line's lite venv)
#
# Downloads (PyPI, npm) are cached under $LIVEIMPORT_CACHE (default ~/.cache/liveimport-dev):
#   lite-venv/            jupyterlite-core, jupyterlite-pyodide-kernel, jupyterlab (extension build)
#   site-npm/             pyodide-314.0.7.tgz from npm, unpacked
#   site-wheels/          pure-Python wheels the kernel loads (see scripts/site_prepare.py)
# Extra piplite wheels (space-separated paths) go into the site's piplite index through
# $LIVEIMPORT_SITE_PIPLITE_WHEELS (scripts/bench_site.sh adds the reference LiveImport 1.3.1);
# $LIVEIMPORT_SITE_DIR and $LIVEIMPORT_LITE_DIR move the output and the --lite-dir input folder.
# The extension ships the kernel wheels of LiveImport from js/wheels/ (the liveimport-pyodide
# package's, with their manifest.json; scripts/build.sh makes them, run here when missing or
# stale); its npm packages come from the workspace at the root (npm_workspace, scripts/common.sh).
# Nothing in the built site refers to anything beyond its own origin.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

# The JupyterLite line ($LIVEIMPORT_LITE_LINE, default 0.8): its jupyterlite-core and
# jupyterlite-pyodide-kernel, and the Pyodide that kernel defaults to (from npm). The extension is
# built once, in the 0.8 line's venv (JupyterLab 4.6's builder), and the same build goes into
# every line's site.
LINE="${LIVEIMPORT_LITE_LINE:-0.8}"
case "$LINE" in
    0.8) LITE_PINS=(jupyterlite-core==0.8.6 jupyterlite-pyodide-kernel==0.8.6) PYODIDE_VERSION="314.0.7" ;;
    0.7) LITE_PINS=(jupyterlite-core==0.7.6 jupyterlite-pyodide-kernel==0.7.2) PYODIDE_VERSION="0.29.3" ;;
    0.6) LITE_PINS=(jupyterlite-core==0.6.4 jupyterlite-pyodide-kernel==0.6.1) PYODIDE_VERSION="0.27.6" ;;
    *) die "LIVEIMPORT_LITE_LINE=$LINE: expected 0.6, 0.7 or 0.8" ;;
esac
suffix="$([ "$LINE" = 0.8 ] || echo "-$LINE")"
SITE_DIR="${LIVEIMPORT_SITE_DIR:-$ROOT/build/site$suffix}"
LITE_DIR="${LIVEIMPORT_LITE_DIR:-$ROOT/build/lite-dir$suffix}"
LITE_VENV="$LIVEIMPORT_CACHE/lite-venv$suffix"
BUILD_VENV="$LIVEIMPORT_CACHE/lite-venv"   # the 0.8 line's: builds the extension
PYODIDE_NPM_DIR="$LIVEIMPORT_CACHE/site-npm/pyodide-$PYODIDE_VERSION"
SITE_WHEELS="$LIVEIMPORT_CACHE/site-wheels$suffix"
EXT_DIR="$ROOT/jupyterlite-ext"
BUILD_REQUIREMENTS=(jupyterlab==4.6.6 hatchling==1.33.0 hatch-jupyter-builder==0.10.0 hatch-nodejs-version==0.4.0)
LITE_REQUIREMENTS=("${LITE_PINS[@]}")
# jupyter-server: what `jupyter lite build --contents` needs (the 0.8 venv has it through jupyterlab).
if [ "$LINE" = 0.8 ]; then LITE_REQUIREMENTS+=("${BUILD_REQUIREMENTS[@]}"); else LITE_REQUIREMENTS+=(jupyter-server==2.21.1); fi

lite_venv() {
    local key
    key="$(stamp_key "$(host_python) $($(host_python) --version 2>&1)" "${LITE_REQUIREMENTS[@]}")"
    if [ "$(cat "$LITE_VENV/.liveimport-stamp" 2>/dev/null)" != "$key" ]; then
        log "lite venv: $LITE_VENV"
        [ -x "$LITE_VENV/bin/python" ] || "$(host_python)" -m venv "$LITE_VENV"
        "$LITE_VENV/bin/python" -m pip install --quiet --disable-pip-version-check "${LITE_REQUIREMENTS[@]}"
        echo "$key" > "$LITE_VENV/.liveimport-stamp"
    fi
}

pyodide_npm() {
    [ -f "$PYODIDE_NPM_DIR/pyodide-lock.json" ] && return
    log "pyodide $PYODIDE_VERSION from npm"
    local tmp
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack --silent "pyodide@$PYODIDE_VERSION" >/dev/null && tar xzf "pyodide-$PYODIDE_VERSION.tgz")
    mkdir -p "$(dirname "$PYODIDE_NPM_DIR")"
    rm -rf "$PYODIDE_NPM_DIR"
    mv "$tmp/package" "$PYODIDE_NPM_DIR"
    rm -rf "$tmp"
}

# The kernel wheels the extension ships (static/pypi): those of the liveimport-pyodide workspace
# package, js/wheels/ (the platform wheels of Pyodide 314 and 0.28/0.29, and the universal one),
# listed by its manifest.json, which scripts/build.sh writes with the wheels' sha256. jupyterlite-ext/scripts/pypi-index.mjs
# reads that manifest, as installLiveImport does.
KERNEL_WHEELS_MANIFEST="$ROOT/js/wheels/manifest.json"

# True when there is no manifest of kernel wheels, or one older than a source of them
# (python/liveimport, src/, Cargo.toml, Cargo.lock).
kernel_wheels_stale() {
    [ -f "$KERNEL_WHEELS_MANIFEST" ] || return 0
    [ -n "$(find "$ROOT/python/liveimport" "$ROOT/src" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" \
        -type f -newer "$KERNEL_WHEELS_MANIFEST" -print -quit)" ]
}

extension() {
    if kernel_wheels_stale; then
        log "kernel wheels of LiveImport missing or older than their sources: running scripts/build.sh"
        "$ROOT/scripts/build.sh"
    fi
    [ -f "$KERNEL_WHEELS_MANIFEST" ] || die "scripts/build.sh made no $KERNEL_WHEELS_MANIFEST"
    # Skip the build when neither the extension's sources, its npm packages nor the kernel wheels
    # (their sha256 in the manifest) changed.
    local ext_key
    ext_key="$(cd "$EXT_DIR" && cat package.json "$ROOT/package-lock.json" pyproject.toml install.json \
        src/* schema/* style/* scripts/* jupyterlite_liveimport/__init__.py | sha256sum | cut -c1-16)"
    ext_key="$ext_key-$(sha256sum < "$KERNEL_WHEELS_MANIFEST" | cut -c1-16)"
    local ext_stamp="$LITE_VENV/.liveimport-ext-stamp"
    local built="$BUILD_VENV/share/jupyter/labextensions/jupyterlite-liveimport"
    if [ "$(cat "$ext_stamp" 2>/dev/null)" = "$ext_key" ] && [ -n "$(ext_wheel)" ] &&
       [ -f "$LITE_VENV/share/jupyter/labextensions/jupyterlite-liveimport/static/pypi/all.json" ]; then
        log "extension: up to date"
        return
    fi
    if [ "$LINE" != 0.8 ]; then
        # The 0.8 line's build of the extension, copied into this line's environment (where
        # `jupyter lite build` finds prebuilt extensions).
        LIVEIMPORT_LITE_LINE=0.8 LIVEIMPORT_SITE_DIR= LIVEIMPORT_LITE_DIR= "$ROOT/scripts/site.sh" extension
        log "extension: the 0.8 build into the $LINE line's venv"
        rm -rf "$LITE_VENV/share/jupyter/labextensions/jupyterlite-liveimport"
        mkdir -p "$LITE_VENV/share/jupyter/labextensions"
        cp -r "$built" "$LITE_VENV/share/jupyter/labextensions/"
        echo "$ext_key" > "$ext_stamp"
        return
    fi
    log "extension: build ($EXT_DIR; npm packages from the workspace at the root)"
    npm_workspace
    (cd "$EXT_DIR" && PATH="$LITE_VENV/bin:$PATH" LIVEIMPORT_WHEEL_DIRS="$SITE_WHEELS" \
        npm run --silent build:prod)
    log "extension: wheel into dist/, pip install into the lite venv"
    rm -f "$DIST"/jupyterlite_liveimport-*.whl
    "$LITE_VENV/bin/python" -m pip wheel --quiet --disable-pip-version-check \
        --no-build-isolation --no-deps -w "$DIST" "$EXT_DIR"
    "$LITE_VENV/bin/python" -m pip install --quiet --disable-pip-version-check \
        --no-deps --force-reinstall "$(ext_wheel)"
    echo "$ext_key" > "$ext_stamp"
}

ext_wheel() {
    ls "$DIST"/jupyterlite_liveimport-*-py3-none-any.whl 2>/dev/null | head -1
}

build() {
    lite_venv
    pyodide_npm
    "$LITE_VENV/bin/python" "$ROOT/scripts/site_prepare.py" wheels "$PYODIDE_NPM_DIR" "$SITE_WHEELS"
    [ "${LIVEIMPORT_SITE_NO_EXTENSION:-}" = 1 ] || extension
    log "lite dir: $LITE_DIR"
    mkdir -p "$ROOT/build" "$(dirname "$LITE_DIR")"
    local piplite
    piplite="$("$LITE_VENV/bin/python" "$ROOT/scripts/site_prepare.py" lite-dir \
        "$PYODIDE_NPM_DIR" "$SITE_WHEELS" "$ROOT/demo/jupyter-lite.json" "$LITE_DIR")"
    # The extension's own piplite index carries the wheels the kernel needs beyond Pyodide's
    # (comm, ipython-pygments-lexers): a site without the extension gets them from the site's.
    [ "${LIVEIMPORT_SITE_NO_EXTENSION:-}" = 1 ] || piplite=""
    # The site's own piplite index: a package of no lock file (tests/browser/packages.test.mjs).
    piplite="$piplite $("$LITE_VENV/bin/python" "$ROOT/scripts/site_prepare.py" piplite-demo "$LITE_DIR/piplite-demo")"
    local args=()
    for w in $piplite ${LIVEIMPORT_SITE_PIPLITE_WHEELS:-}; do args+=(--piplite-wheels "$w"); done
    log "jupyter lite build -> $SITE_DIR"
    rm -rf "$SITE_DIR"
    (cd "$LITE_DIR" && "$LITE_VENV/bin/jupyter" lite build --lite-dir "$LITE_DIR" \
        --contents "$ROOT/demo/content" --output-dir "$SITE_DIR" --no-sourcemaps "${args[@]}" \
        | { grep -v '^\.  ' || true; })
    # The site must never point the browser beyond its origin (the tests also check at run time).
    if grep -rl "cdn.jsdelivr.net/pyodide" "$SITE_DIR/jupyter-lite.json" >/dev/null 2>&1; then
        die "the built site still refers to the Pyodide CDN"
    fi
    log "site: $SITE_DIR"
}

# What tests/browser/site-recipe.test.mjs needs to run the README's site recipe offline:
#   recipe-wheels/        the recipe's PyPI packages for this CPython (pip download)
#   recipe-cdn/pyodide/vVER/full/   a stand-in for the Pyodide CDN the recipe's site loads
#                         (jupyterlite-pyodide-kernel 0.8.6's default: 314.0.6): the npm package
#                         plus the kernel's wheels, as for the demo site
#   recipe-pyodide-314.0.7.tar.bz2  a stand-in for Pyodide's release tarball (the demo's Pyodide)
#   sphinx-recipe-wheels/ the PyPI packages of the README's Sphinx recipe (jupyterlite-sphinx;
#                         tests/browser/sphinx-recipe.test.mjs, which also uses the tarball)
recipe() {
    local cdn_version="314.0.6"
    "$LITE_VENV/bin/python" "$ROOT/scripts/site_recipe.py" download "$ROOT/README.md" \
        "$LIVEIMPORT_CACHE/recipe-wheels"
    "$LITE_VENV/bin/python" "$ROOT/scripts/site_recipe.py" download "$ROOT/README.md" \
        "$LIVEIMPORT_CACHE/sphinx-recipe-wheels" "A Sphinx site (jupyterlite-sphinx)"
    local cdn="$LIVEIMPORT_CACHE/recipe-cdn/pyodide/v$cdn_version/full"
    if [ ! -f "$cdn/pyodide-lock.json" ]; then
        log "recipe: Pyodide $cdn_version CDN stand-in"
        local npm_dir="$LIVEIMPORT_CACHE/site-npm/pyodide-$cdn_version" tmp
        if [ ! -f "$npm_dir/pyodide-lock.json" ]; then
            tmp="$(mktemp -d)"
            (cd "$tmp" && npm pack --silent "pyodide@$cdn_version" >/dev/null && tar xzf "pyodide-$cdn_version.tgz")
            rm -rf "$npm_dir"; mv "$tmp/package" "$npm_dir"; rm -rf "$tmp"
        fi
        "$LITE_VENV/bin/python" "$ROOT/scripts/site_prepare.py" wheels "$npm_dir" "$SITE_WHEELS-$cdn_version"
        tmp="$(mktemp -d)"
        "$LITE_VENV/bin/python" "$ROOT/scripts/site_prepare.py" lite-dir "$npm_dir" \
            "$SITE_WHEELS-$cdn_version" "$ROOT/demo/jupyter-lite.json" "$tmp/lite" >/dev/null
        mkdir -p "$(dirname "$cdn")"; rm -rf "$cdn"; mv "$tmp/lite/static/pyodide" "$cdn"; rm -rf "$tmp"
    fi
    local tarball="$LIVEIMPORT_CACHE/recipe-pyodide-$PYODIDE_VERSION.tar.bz2"
    if [ ! -f "$tarball" ]; then
        log "recipe: Pyodide $PYODIDE_VERSION tarball stand-in"
        (cd "$LITE_DIR/static" && tar cjf "$tarball.tmp" pyodide) && mv "$tarball.tmp" "$tarball"
    fi
}

serve() {
    local port="${1:-8765}"
    [ -f "$SITE_DIR/jupyter-lite.json" ] || build
    echo "Serving the LiveImport demo at http://127.0.0.1:$port/lab/index.html?path=demo.ipynb"
    echo "(Ctrl+C to stop)"
    exec python3 -m http.server "$port" --bind 127.0.0.1 --directory "$SITE_DIR"
}

case "${1:-}" in
    build) build ;;
    serve) shift; serve "$@" ;;
    test) shift; build; [ "$LINE" != 0.8 ] || recipe
          LIVEIMPORT_SITE_DIR="$SITE_DIR" exec "$ROOT/tests/browser/run.sh" --no-build "$@" ;;
    recipe) build; recipe ;;
    extension) lite_venv; extension ;;
    *) sed -n '2,24p' "$0" >&2; exit 2 ;;
esac
