#!/usr/bin/env bash
# Static analysis, one check per line; part of the test command (scripts/test.sh), failing it:
#   rustfmt        cargo fmt --check
#   clippy         cargo clippy -D warnings: default features; "python" (the Pyodide 314 build's
#                  binding, on the host); "abi3" (the native build); "wasm" for
#                  wasm32-unknown-unknown (the wasm-bindgen engine)
#   ruff           ruff check and ruff format --check (configuration: pyproject.toml)
#   mypy           mypy --strict on python/liveimport (configuration: pyproject.toml), and on
#                  _engine.py itself (the package run reads its stub)
#   stubtest       mypy.stubtest liveimport._engine against the native pyo3 build installed in
#                  the dev venv (the contract python/liveimport/_engine.pyi)
#   py-cycles      no import cycle in the Python package, none through its __init__ (import-linter,
#                  contracts in pyproject.toml)
#   eslint         eslint (typescript-eslint, the JupyterLab extension template's rules, no import
#                  cycles) and prettier --check, for jupyterlite-ext/ and js/ (npm run lint)
# Runs every check even when one fails; prints "lint: N passed, N failed" last and exits 1 when
# any check failed. Options: --no-setup (skip scripts/setup.sh); names of checks to run only those.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

setup=1
only=()
for arg in "$@"; do
    if [ "$arg" = "--no-setup" ]; then setup=0; else only+=("$arg"); fi
done
[ "$setup" = 1 ] && "$ROOT/scripts/setup.sh"

passed=0 failed=0 failures=()
# check NAME CMD...: runs CMD in the repository root; counts it.
check() {
    local name="$1"; shift
    if [ "${#only[@]}" -gt 0 ] && [[ " ${only[*]} " != *" $name "* ]]; then return 0; fi
    log "lint: $name"
    if (cd "$ROOT" && "$@"); then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); failures+=("$name")
        printf 'lint: %s FAILED\n' "$name"
    fi
}

manifest=(--manifest-path "$ROOT/Cargo.toml")
check rustfmt cargo fmt "${manifest[@]}" --all -- --check
check clippy cargo clippy "${manifest[@]}" --quiet --all-targets -- -D warnings
check clippy-python env PYO3_PYTHON="$VENV/bin/python" \
    cargo clippy "${manifest[@]}" --quiet --all-targets --features python -- -D warnings
check clippy-abi3 env PYO3_PYTHON="$VENV/bin/python" \
    cargo clippy "${manifest[@]}" --quiet --all-targets --features abi3 -- -D warnings
# --lib: the tests never run on that target (the fuzz harness's dev-dependencies do not build there).
check clippy-wasm cargo clippy "${manifest[@]}" --quiet --lib --features wasm \
    --target "$WASM_BINDGEN_TARGET" -- -D warnings
check ruff "$VENV/bin/ruff" check --no-cache python tests/python
check ruff-format "$VENV/bin/ruff" format --no-cache --check python tests/python
check mypy "$VENV/bin/python" -m mypy --no-incremental python/liveimport
# The package run reads _engine.pyi for liveimport._engine; the module's own source separately.
check mypy-engine "$VENV/bin/python" -m mypy --no-incremental --strict --follow-imports=silent \
    python/liveimport/_engine.py
# The repository's stub (MYPYPATH) against the installed native wheel's pyo3 engine; run outside
# the repository so that nothing but the installed package is importable as `liveimport`.
check stubtest env -C /tmp MYPYPATH="$ROOT/python" "$VENV/bin/python" -m mypy.stubtest \
    --mypy-config-file "$ROOT/tests/stubtest/mypy.ini" liveimport._engine
check py-cycles env PYTHONPATH="$ROOT/python" "$VENV/bin/lint-imports" --no-cache
check eslint npm run --silent lint

echo
[ "${#failures[@]}" -eq 0 ] || printf 'lint failures: %s\n' "${failures[*]}"
echo "lint: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
