#!/usr/bin/env bash
# Fuzz the engine (issue 17, item 6): N random and mutated inputs (module sources, registration
# texts, sessions of engine calls) through the native core (tests/fuzz/, `cargo test --profile
# fuzz`) and through the wasm-bindgen build under Node (tests/wasm-fuzz/fuzz.mjs on
# build/wasm/, built here when missing or older than the sources). Prints, for each build, one
# line of counts (inputs, panics or traps, violations, time, inputs/s, seed) and a FAIL line for
# each failing input with the seed and index that repeat it; exits non-zero on any failure.
#
#   scripts/fuzz.sh [N] [native|wasm|both]      (default: 100000 both, the test command's run)
#
# Environment: LIVEIMPORT_FUZZ_SEED (default 0x17171717, the same inputs every run; `random` for
# a fresh one, printed), LIVEIMPORT_FUZZ_THREADS (threads / Node workers sharing the inputs,
# default 2). Repeat one failing input:
#   native: LIVEIMPORT_FUZZ_SEED=S LIVEIMPORT_FUZZ_CASE=I cargo test --profile fuzz --test fuzz -- --nocapture
#   wasm:   node tests/wasm-fuzz/fuzz.mjs --seed S --case I
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

n="${1:-100000}"
which="${2:-both}"
case "$which" in native|wasm|both) ;; *) die "usage: scripts/fuzz.sh [N] [native|wasm|both]" ;; esac
[[ "$n" =~ ^[0-9]+$ ]] || die "N must be a count, not $n"
seed="${LIVEIMPORT_FUZZ_SEED:-0x17171717}"
[ "$seed" = random ] && seed="$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')"
seed="$((seed & 0xffffffff))"
threads="${LIVEIMPORT_FUZZ_THREADS:-2}"
rc=0

if [ "$which" != wasm ]; then
    log "fuzz native: $n inputs, seed $seed, $threads threads"
    set +e
    LIVEIMPORT_FUZZ_N="$n" LIVEIMPORT_FUZZ_SEED="$seed" LIVEIMPORT_FUZZ_THREADS="$threads" \
        cargo test --profile fuzz --quiet --manifest-path "$ROOT/Cargo.toml" --test fuzz -- --nocapture \
        2>&1 | grep --line-buffered -E '^(fuzz|FAIL|error)|panicked'
    status=("${PIPESTATUS[@]}")
    set -e
    [ "${status[0]}" = 0 ] || rc=1
fi

if [ "$which" != native ]; then
    glue="$WASM_OUT/liveimport_engine_bg.wasm"
    if [ ! -f "$glue" ] || [ -n "$(find "$ROOT/src" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" -newer "$glue" -print -quit)" ]; then
        log "wasm-bindgen engine (as scripts/build.sh builds it)"
        build_wasm_bindgen_engine "$(cargo metadata --format-version 1 --no-deps --manifest-path "$ROOT/Cargo.toml" |
            node -e 'let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => console.log(JSON.parse(s).target_directory))')"
    fi
    python="$VENV/bin/python"; [ -x "$python" ] || python=python3
    log "fuzz wasm: $n inputs, seed $seed, $threads workers"
    node "$ROOT/tests/wasm-fuzz/fuzz.mjs" --n "$n" --seed "$seed" --workers "$threads" --python "$python" || rc=1
fi
exit "$rc"
