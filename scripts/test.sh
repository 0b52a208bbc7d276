#!/usr/bin/env bash
# THE test command. On a fresh machine too: idempotent set-up (scripts/setup.sh), then
#   1. build both wheels into dist/ (scripts/build.sh)
#   2. cargo test                          the engine's Rust tests
#   3. pytest tests/python, natively       CPython + the native (abi3) wheel, in the dev venv, and
#                                          again on CPython 3.10, 3.12, 3.13 (pyenv builds; a missing
#                                          one is shown as MISSING, a missing 3.11/3.13 fails)
#   4. pytest tests/packaging, natively    which wheel pip picks; the universal wheel outside Pyodide;
#                                          every install line of the READMEs and the notices, in a
#                                          fresh venv (the extension's wheel is built before, by
#                                          scripts/site.sh extension)
#      pytest tests/python, in Pyodide     under Node: 314.0.7 with each engine (pyo3, wasm-bindgen),
#                                          0.26.4, 0.27.7, 0.29.5, 315.0.0-alpha.2 (wasm-bindgen)
#   5. node --test tests/pyodide/*.test.mjs  the npm package liveimport-pyodide, micropip + the wheels
#      tsc tests/jupyterlab-4.4             the extension's sources against JupyterLab 4.4's types
#   6. browser tests                       the demo JupyterLite site in headless Chromium (site.sh test):
#                                          JupyterLite 0.8 (every test), 0.7 and 0.6 (main scenario)
#   7. desktop tests                       JupyterLab and Notebook 7 servers with ipykernel, headless
#                                          Chromium (scripts/desktop.sh test)
#   6. the demo's scripted example (scripts/demo-node.mjs) must succeed
# Every step runs even when an earlier test step failed (a failed build skips 3-6).
# Prints a summary (counts per step, .so size, import time, total time) ending with the line
# "total: N passed, N failed"; exits 1 when any step failed or ran no test (pytest exit 5 counts
# as a failure). Logs: build/test-logs/*.log.
#
# Options: --no-setup (skip scripts/setup.sh); any other arguments go to both pytest runs.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

start=$SECONDS
setup=1
pytest_args=()
for arg in "$@"; do
    if [ "$arg" = "--no-setup" ]; then setup=0; else pytest_args+=("$arg"); fi
done
LOGS="$ROOT/build/test-logs"
mkdir -p "$LOGS"
rm -f "$LOGS"/*.log

# Every step appends one line "NAME<TAB>STATUS<TAB>COUNTS<TAB>PASSED<TAB>FAILED" to RECORDS (both
# lanes below write to it; the summary reads it in the order the steps were started).
RECORDS="$LOGS/records.tsv"
: > "$RECORDS"

# record NAME STATUS PASSED FAILED [NOTE]: a step's result (status 0 with 0 passed is a failure).
record() {
    local note="${5:-}" status="ok"
    if [ "$2" -ne 0 ] || [ "$3" -eq 0 ]; then status="FAIL (exit $2)"; fi
    printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$status" "$3 passed, $4 failed${note:+, $note}" "$3" "$4" >> "$RECORDS"
}
# record_line NAME STATUS TEXT: a step that ran no test (missing interpreter, failed build).
record_line() { printf '%s\t%s\t%s\t0\t0\n' "$1" "$2" "$3" >> "$RECORDS"; }

# run_step NAME LOGFILE CMD...: runs CMD with output shown and logged; returns its exit status.
# Call it as `rc=0; run_step ... || rc=$?` (errexit stays off inside such a call). In the second
# lane (LANE=2) output goes to the log only, so the two lanes never interleave on the terminal.
LANE=1
run_step() {
    local name="$1" logfile="$2"; shift 2
    if [ "$LANE" = 2 ]; then
        log "$name (second lane, log: $logfile)"
        "$@" > "$logfile" 2>&1
        return $?
    fi
    log "$name"
    "$@" 2>&1 | tee "$logfile"
    return "${PIPESTATUS[0]}"
}

# Counts from a pytest log: "N passed", "N failed", "N error(s)" in its closing line.
pytest_counts() {
    local line
    line="$(grep -E '^=+ .*(passed|failed|error|no tests ran).* in [0-9.]+s' "$1" | tail -1 || true)"
    [ -n "$line" ] || line="$(grep -E '^[0-9]+ (passed|failed).* in [0-9.]+s' "$1" | tail -1 || true)"
    local p f e
    p="$(grep -oE '[0-9]+ passed' <<<"$line" | cut -d' ' -f1 || true)"
    f="$(grep -oE '[0-9]+ failed' <<<"$line" | cut -d' ' -f1 || true)"
    e="$(grep -oE '[0-9]+ errors?' <<<"$line" | cut -d' ' -f1 || true)"
    echo "${p:-0} $(( ${f:-0} + ${e:-0} ))"
}

# Counts from a `node --test` log (TAP): the last "# pass N" and "# fail N".
node_test_counts() {
    local p f
    p="$(sed -n 's/^# pass \([0-9]*\)$/\1/p' "$1" | tail -1)"
    f="$(sed -n 's/^# fail \([0-9]*\)$/\1/p' "$1" | tail -1)"
    echo "${p:-0} ${f:-0}"
}

if [ "$setup" = 1 ]; then
    "$ROOT/scripts/setup.sh"
fi

if run_step "build (both wheels)" "$LOGS/build.log" "$ROOT/scripts/build.sh" --no-setup; then
    build_ok=1
    native_wheel="$(ls "$DIST"/liveimport_lite-*.whl | grep -v -e _wasm32.whl -e none-any | head -1)"
    # With the autoload extra (its startup file; tests/python/test_autoload.py runs IPython with it).
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
        "$native_wheel" "$DIST"/liveimport_lite_autoload-*.whl
else
    build_ok=0
    record_line "build" "FAIL" "-"
fi
cd "$ROOT"

# The extension's wheel, before the second lane starts: its packaging step runs the install lines
# that name it (tests/packaging/test_install_lines.py), and the browser step below finds it built.
if [ "$build_ok" = 1 ]; then
    rc=0
    run_step "extension wheel (scripts/site.sh extension)" "$LOGS/extension.log" \
        "$ROOT/scripts/site.sh" extension || rc=$?
    [ "$rc" = 0 ] || record_line "extension wheel" "FAIL (exit $rc)" "-"
fi

# The second lane, in the background beside the first (2 cores): the Rust tests, static analysis,
# the fuzz harness, the abi3 wheel on the other CPythons, packaging. Output in its logs only.
second_lane() {
    LANE=2
    local rc p f py pyvenv key reqs
    # cargo test (default features: the engine's Rust API, no Python).
    rc=0
    run_step "cargo test" "$LOGS/cargo-test.log" cargo test --manifest-path "$ROOT/Cargo.toml" || rc=$?
    p=$(grep -oE 'test result: [a-zA-Z]+\. [0-9]+ passed' "$LOGS/cargo-test.log" | awk '{s+=$4} END {print s+0}')
    f=$(grep -oE '[0-9]+ failed;' "$LOGS/cargo-test.log" | awk '{s+=$1} END {print s+0}')
    record "cargo test" "$rc" "$p" "$f"

    # Static analysis (scripts/lint.sh; stubtest reads the native wheel installed above).
    rc=0
    run_step "static analysis (scripts/lint.sh)" "$LOGS/lint.log" "$ROOT/scripts/lint.sh" --no-setup || rc=$?
    read -r p f < <(sed -n 's/^lint: \([0-9]*\) passed, \([0-9]*\) failed$/\1 \2/p' "$LOGS/lint.log" | tail -1; echo "0 0")
    record "static analysis" "$rc" "$p" "$f" "$(sed -n 's/^lint failures: //p' "$LOGS/lint.log")"

    # The fuzz harness: 10^5 inputs through the native core and the wasm-bindgen engine under
    # Node (one thread each: this lane has one core); no panic, no trap, no property broken.
    rc=0
    run_step "fuzz harness (scripts/fuzz.sh 100000)" "$LOGS/fuzz.log" \
        env LIVEIMPORT_FUZZ_THREADS=1 "$ROOT/scripts/fuzz.sh" 100000 both || rc=$?
    record "fuzz (10^5, native + wasm)" "$rc" "$((rc == 0 ? 1 : 0))" "$((rc == 0 ? 0 : 1))" \
        "$(grep -cE '^fuzz (native|wasm)' "$LOGS/fuzz.log" || true) builds"

    [ "$build_ok" = 1 ] || return 0
    # The same abi3 wheel on the other CPythons (a venv each, made here when missing).
    for pyver in "${EXTRA_PYTHONS[@]}"; do
        py="$(find_python "$pyver")"
        if [ -z "$py" ]; then
            printf 'CPython %s: NOT FOUND (no ~/.pyenv/versions/%s.*, no python%s): not tested\n' \
                "$pyver" "$pyver" "$pyver" > "$LOGS/pytest-py$pyver.log"
            if [[ " ${REQUIRED_PYTHONS[*]} " == *" $pyver "* ]]; then
                record_line "pytest py$pyver" "FAIL (missing)" "not run: CPython $pyver missing"
            else
                record_line "pytest py$pyver" "MISSING" "not run: CPython $pyver missing"
            fi
            continue
        fi
        pyvenv="$LIVEIMPORT_CACHE/venv-py$pyver"
        read -r -a reqs <<<"$(extra_venv_requirements "$pyver")"
        key="$(stamp_key "$py $("$py" --version 2>&1)" "${reqs[@]}")"
        if [ "$(cat "$pyvenv/.liveimport-stamp" 2>/dev/null)" != "$key" ]; then
            log "venv for CPython $pyver: $pyvenv"
            rm -rf "$pyvenv" && "$py" -m venv "$pyvenv" &&
                "$pyvenv/bin/python" -m pip install --quiet --disable-pip-version-check "${reqs[@]}" &&
                echo "$key" > "$pyvenv/.liveimport-stamp"
        fi
        "$pyvenv/bin/python" -m pip install --quiet --disable-pip-version-check --force-reinstall --no-deps \
            "$native_wheel" "$DIST"/liveimport_lite_autoload-*.whl
        rc=0
        run_step "pytest, native CPython $("$pyvenv/bin/python" -c 'import platform; print(platform.python_version())') (same abi3 wheel)" \
            "$LOGS/pytest-py$pyver.log" env LIVEIMPORT_CORPUS_STRIDE=10 \
            "$pyvenv/bin/python" -m pytest -p no:cacheprovider "${pytest_args[@]}" || rc=$?
        read -r p f < <(pytest_counts "$LOGS/pytest-py$pyver.log")
        record "pytest py$pyver" "$rc" "$p" "$f" "$([ "$rc" = 5 ] && echo 'no tests collected')"
    done

    rc=0
    run_step "packaging: the wheel pip picks natively, the universal wheel outside Pyodide" \
        "$LOGS/pytest-packaging.log" "$VENV/bin/python" -m pytest -p no:cacheprovider "$ROOT/tests/packaging" || rc=$?
    read -r p f < <(pytest_counts "$LOGS/pytest-packaging.log")
    record "packaging" "$rc" "$p" "$f" "$([ "$rc" = 5 ] && echo 'no tests collected')"
}
second_lane &
second_lane_pid=$!

if [ "$build_ok" = 1 ]; then
    rc=0
    run_step "pytest, native CPython ($("$VENV/bin/python" -c 'import platform; print(platform.python_version())'))" \
        "$LOGS/pytest-native.log" "$VENV/bin/python" -m pytest -p no:cacheprovider "${pytest_args[@]}" || rc=$?
    read -r p f < <(pytest_counts "$LOGS/pytest-native.log")
    record "pytest native" "$rc" "$p" "$f" "$([ "$rc" = 5 ] && echo 'no tests collected')"

    # The suite in every Pyodide under Node: 314 once per engine (its wheel has both), 0.29 with
    # its platform wheel (pyo3 engine), the others with the universal wheel (wasm-bindgen engine).
    # The default run (314, pyo3) also writes build/pyodide-timings.json.
    for version in "${PYODIDE_TEST_VERSIONS[@]}"; do
        engines=(auto)
        [ "$version" = "$PYODIDE_DEFAULT_VERSION" ] && engines=(pyo3 wasm-bindgen)
        for engine in "${engines[@]}"; do
            label="$version"; engine_args=(--pyodide "$version")
            if [ "$engine" != auto ]; then label="$version $engine"; engine_args+=(--engine "$engine"); fi
            logfile="$LOGS/pytest-pyodide-$version-$engine.log"
            rc=0
            run_step "pytest, Pyodide $label under Node" "$logfile" \
                node "$ROOT/tests/pyodide/run-tests.mjs" "${engine_args[@]}" "${pytest_args[@]}" || rc=$?
            read -r p f < <(pytest_counts "$logfile")
            record "Pyodide $label" "$rc" "$p" "$f" "$([ "$rc" = 5 ] && echo 'no tests collected')"
        done
    done

    rc=0
    run_step "node --test (liveimport-pyodide, micropip + wheel)" "$LOGS/node-test.log" \
        node --test "$ROOT"/tests/pyodide/*.test.mjs || rc=$?
    read -r np nf < <(node_test_counts "$LOGS/node-test.log")
    record "node --test" "$rc" "$np" "$nf"

    rc=0
    run_step "extension sources against JupyterLab 4.4 (tsc, tests/jupyterlab-4.4)" "$LOGS/jupyterlab-4.4.log" \
        "$NODE_MODULES/.bin/tsc" -p "$ROOT/tests/jupyterlab-4.4/tsconfig.json" || rc=$?
    record "ext vs JupyterLab 4.4" "$rc" "$((rc == 0 ? 1 : 0))" "$((rc == 0 ? 0 : 1))"

    rc=0
    run_step "demo in Pyodide (scripts/demo-node.mjs)" "$LOGS/demo.log" \
        node "$ROOT/scripts/demo-node.mjs" || rc=$?
    record "demo" "$rc" "$((rc == 0 ? 1 : 0))" "$((rc == 0 ? 0 : 1))"

    set +e
    run_step "browser tests (JupyterLite site, headless Chromium)" "$LOGS/browser.log" \
        "$ROOT/scripts/site.sh" test
    rc=$?
    set -e
    read -r bp bf < <(node_test_counts "$LOGS/browser.log")
    record "browser" "$rc" "$bp" "$bf"

    # The main scenario on the older JupyterLite lines (their own jupyterlite-core, kernel and
    # Pyodide; the same extension build; 0.7's platform wheel, 0.6's universal wheel): first #_%%liveimport cell, edits
    # and the report, a broken save and its fix, Run All, no /drive request for an unchanged cell,
    # the engine the kernel uses, Pyodide packages loaded for workspace modules.
    for line in 0.7 0.6; do
        set +e
        run_step "browser tests, JupyterLite $line (main scenario)" "$LOGS/browser-$line.log" \
            env LIVEIMPORT_LITE_LINE="$line" "$ROOT/scripts/site.sh" test first-cell.test.mjs \
            edit-reload.test.mjs run-all.test.mjs file-events.test.mjs wasm-engine.test.mjs \
            packages.test.mjs
        rc=$?
        set -e
        read -r bp bf < <(node_test_counts "$LOGS/browser-$line.log")
        record "browser JupyterLite $line" "$rc" "$bp" "$bf"
    done

    set +e
    # The site step built the extension already.
    run_step "desktop Jupyter tests (JupyterLab, Notebook 7, ipykernel; headless Chromium)" \
        "$LOGS/desktop.log" env LIVEIMPORT_DESKTOP_SKIP_SITE_BUILD=1 "$ROOT/scripts/desktop.sh" test
    rc=$?
    set -e
    read -r bp bf < <(node_test_counts "$LOGS/desktop.log")
    record "desktop" "$rc" "$bp" "$bf"
fi

log "waiting for the second lane (cargo test, static analysis, fuzz, other CPythons, packaging)"
wait "$second_lane_pid" || true

echo
echo "================================ summary ================================"
any_failed=0 total_passed=0 total_failed=0
while IFS=$'\t' read -r name status text p f; do
    printf '%-24s %-14s %s\n' "$name" "$status" "$text"
    total_passed=$((total_passed + p)); total_failed=$((total_failed + f))
    case "$status" in ok|MISSING) ;; *) any_failed=1 ;; esac
done < "$RECORDS"
[ -f "$ROOT/build/so-size.txt" ] && cat "$ROOT/build/so-size.txt"
if [ -f "$ROOT/build/pyodide-timings.json" ]; then
    "$VENV/bin/python" - "$ROOT/build/pyodide-timings.json" <<'EOF'
import json, sys
t = json.load(open(sys.argv[1]))
print(f"Pyodide under Node: boot {t['boot_ms']} ms, installLiveImport {t['install_ms']} ms "
      f"(loads the engine), import liveimport {t['import_ms']} ms")
EOF
fi
echo "test command: $((SECONDS - start)) s"
echo "total: $total_passed passed, $total_failed failed"
exit "$any_failed"
