#!/usr/bin/env bash
# Build every release artifact of LiveImport for the browser into dist/, write their SHA-256 sums,
# and check that each installs as the README says. Nothing is uploaded: publishing is the CI
# release workflow's job (.github/workflows/release.yml, which cannot run here).
#
#   scripts/release.sh [--no-setup] [--no-sdist-check]
#
# Artifacts (VER: the version of Cargo.toml / the packages' package.json):
#   liveimport_lite-VER-cp310-abi3-<this platform>.whl          native wheel   (scripts/build.sh)
#   liveimport_lite-VER-cp314-cp314-pyemscripten_2026_0_wasm32.whl  Pyodide 314 (scripts/build.sh)
#   liveimport_lite-VER-cp313-cp313-pyodide_2025_0_wasm32.whl    Pyodide 0.28/0.29 (scripts/build.sh)
#   liveimport_lite-VER-py3-none-any.whl                          other Pyodides (scripts/build.sh)
#   liveimport_lite_autoload-VER-py3-none-any.whl                 the autoload extra (scripts/build.sh)
#   liveimport_lite-VER.tar.gz                                    sdist (maturin sdist; builds with Rust)
#   jupyterlite_liveimport-VER-py3-none-any.whl                   the extension (scripts/site.sh extension)
#   liveimport-pyodide-VER.tgz                                    the npm package js/ (npm pack)
#   SHA256SUMS                                                    `sha256sum -c SHA256SUMS` in dist/
# The native wheel is this machine's only (Linux x86_64 here); the CI workflow builds the others
# (Linux aarch64, macOS, Windows) with maturin's GitHub Action.
#
# Checks, after the build: the CI workflow's YAML (check-jsonschema); tests/packaging (which wheel pip picks, the universal wheel outside
# Pyodide, every install line of the README and the notices in a fresh venv), with
# LIVEIMPORT_TEST_SDIST=1: the source install line too (`pip install --no-binary liveimport-lite
# liveimport-lite --find-links dist`, a full Rust build of the sdist in pip's build environment,
# maturin from PyPI). --no-sdist-check leaves that one out. Prints each step's time.
# Exit status: non-zero when a build or a check fails.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup=1 sdist_check=1
for arg in "$@"; do
    case "$arg" in
        --no-setup) setup=0 ;;
        --no-sdist-check) sdist_check=0 ;;
        *) sed -n '2,27p' "$0" >&2; exit 2 ;;
    esac
done

start=$SECONDS
step_start=$SECONDS
step() {  # step LABEL: log the previous step's time, then LABEL
    [ -z "${step_label:-}" ] || printf 'release: %-40s %4d s\n' "$step_label" "$((SECONDS - step_start))" >> "$ROOT/build/release-times.txt"
    step_label="$1" step_start=$SECONDS
    [ -z "$1" ] || log "release: $1"
}
mkdir -p "$ROOT/build" "$DIST"
: > "$ROOT/build/release-times.txt"

[ "$setup" = 0 ] || "$ROOT/scripts/setup.sh"

# Stale artifacts of an earlier release never end up in the sums.
rm -f "$DIST"/*.tar.gz "$DIST"/*.tgz "$DIST"/SHA256SUMS

step "wheels (scripts/build.sh)"
"$ROOT/scripts/build.sh" --no-setup

step "extension wheel (scripts/site.sh extension)"
"$ROOT/scripts/site.sh" extension

step "sdist (maturin sdist)"
"$VENV/bin/maturin" sdist --manifest-path "$ROOT/Cargo.toml" --out "$DIST"

step "npm package (npm pack js/)"
npm pack --silent --pack-destination "$DIST" "$ROOT/js" >/dev/null

step "SHA256SUMS"
version="$(sed -n 's/^version = "\(.*\)"$/\1/p' "$ROOT/Cargo.toml" | head -1)"
artifacts=(  # globs, expanded in dist/
    "liveimport_lite-$version-*.whl"
    "liveimport_lite_autoload-$version-py3-none-any.whl"
    "liveimport_lite-$version.tar.gz"
    "jupyterlite_liveimport-$version-py3-none-any.whl"
    "liveimport-pyodide-$version.tgz"
)
(
    cd "$DIST"
    for pattern in "${artifacts[@]}"; do
        ls $pattern >/dev/null 2>&1 || die "release: no $pattern in $DIST"
    done
    # shellcheck disable=SC2068  # the patterns are globs
    sha256sum ${artifacts[@]} > SHA256SUMS
    [ "$(grep -c '_wasm32\.whl' SHA256SUMS)" = "${#PYODIDE_PLATFORMS[@]}" ] &&
        [ "$(grep -c 'liveimport_lite-.*-py3-none-any' SHA256SUMS)" = 1 ] &&
        [ "$(grep -c 'abi3' SHA256SUMS)" = 1 ] || die "release: expected one wheel of each kind in $DIST"
    sha256sum --quiet -c SHA256SUMS
)
cat "$DIST/SHA256SUMS"

step "CI release workflow (check-jsonschema, its YAML)"
# The workflow cannot run here; its YAML is checked against SchemaStore's schema of GitHub
# workflows (vendored in check-jsonschema: no network), in a venv of the cache.
tools="$LIVEIMPORT_CACHE/release-tools-venv"
if [ ! -x "$tools/bin/check-jsonschema" ]; then
    "$(host_python)" -m venv "$tools"
    "$tools/bin/python" -m pip install --quiet --disable-pip-version-check check-jsonschema==0.39.0
fi
"$tools/bin/check-jsonschema" --builtin-schema vendor.github-workflows "$ROOT/.github/workflows/release.yml"

step "checks (tests/packaging$([ "$sdist_check" = 1 ] && echo ', with the sdist source install'))"
# tests/packaging/test_wheels.py imports liveimport in the dev venv: the native wheel, as test.sh.
native_wheel="$(ls "$DIST"/liveimport_lite-*.whl | grep -v -e _wasm32.whl -e none-any | head -1)"
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
    "$native_wheel" "$DIST"/liveimport_lite_autoload-*.whl
rc=0
env LIVEIMPORT_TEST_SDIST="$sdist_check" "$VENV/bin/python" -m pytest -p no:cacheprovider -rs \
    --durations=0 "$ROOT/tests/packaging" || rc=$?
step ""
printf 'release: %-40s %4d s\n' "total" "$((SECONDS - start))" >> "$ROOT/build/release-times.txt"
cat "$ROOT/build/release-times.txt"
[ "$rc" = 0 ] || die "release: the checks failed (pytest exit $rc)"
log "release artifacts in $DIST (sums: $DIST/SHA256SUMS)"
