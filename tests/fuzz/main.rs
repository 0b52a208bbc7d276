//! The engine's property/fuzz harness (issue 17, item 6): random and mutated inputs through the
//! core's public Rust API, asserting that the engine never panics and that its results keep
//! the properties its documentation states.
//!
//! Each input is one case, chosen and generated from its own seed (`ChaCha8`, from the run's
//! seed and the case's index): a module source's bytes ([`checks::source_case`]), registration
//! texts ([`checks::registration_case`]) or a session of engine calls
//! ([`session::session_case`]), over a corpus of Python sources ([`corpus`]).
//!
//! A panic counts even when the engine catches it itself (the parser is called under
//! `catch_unwind`): the wasm-bindgen build aborts on any panic, so each is a trap there.
//!
//! Environment:
//! - `LIVEIMPORT_FUZZ_N`: how many inputs (default 100, a smoke run for plain `cargo test`;
//!   the test command runs 100,000: `scripts/fuzz.sh 100000 native`);
//! - `LIVEIMPORT_FUZZ_SEED`: the run's seed (default a fixed one, so runs repeat);
//! - `LIVEIMPORT_FUZZ_THREADS`: threads sharing the inputs (default 1);
//! - `LIVEIMPORT_FUZZ_FROM`: the first input's index (default 0): inputs `FROM..N`;
//! - `LIVEIMPORT_FUZZ_CASE`: run only the case of this index (with the run's seed), without
//!   catching its panic: the way to reproduce a failure the run printed.
//!
//! Prints one line of counts: `fuzz native: inputs N (...), panics P, violations V, time T s,
//! R inputs/s, seed S`.

mod checks;
mod corpus;
mod inputs;
mod session;

use std::cell::{Cell, RefCell};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Instant;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use corpus::Corpus;

/// What the cases met, counted to show that the inputs reach the interesting paths.
pub mod stats {
    use std::sync::atomic::{AtomicU64, Ordering};

    /// Names of the counters, as printed.
    pub const NAMES: [&str; 8] = [
        "sources the engine rejects",
        "sources too deep to parse whole",
        "registrations parsed",
        "registrations rejected",
        "registrations failing analysis",
        "plans",
        "plans with reloads",
        "plans with analysis errors",
    ];
    pub const ENGINE_REJECTS: usize = 0;
    pub const DEEP: usize = 1;
    pub const PARSED: usize = 2;
    pub const REJECTED: usize = 3;
    pub const REGISTER_ERRORS: usize = 4;
    pub const PLANS: usize = 5;
    pub const RELOADS: usize = 6;
    pub const PLAN_ERRORS: usize = 7;

    static COUNTS: [AtomicU64; 8] = [const { AtomicU64::new(0) }; 8];

    /// Counts one of `which`.
    pub fn count(which: usize) {
        COUNTS[which].fetch_add(1, Ordering::Relaxed);
    }

    /// `name N, ...` of every counter.
    pub fn summary() -> String {
        NAMES.iter().zip(&COUNTS).map(|(n, c)| format!("{n} {}", c.load(Ordering::Relaxed))).collect::<Vec<_>>().join(", ")
    }
}

const DEFAULT_SEED: u64 = 0x1717_1717;

thread_local! {
    /// Panics seen on this thread (the hook counts them, caught or not) and the last message.
    static PANICS: Cell<usize> = const { Cell::new(0) };
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

fn env_u64(name: &str) -> Option<u64> {
    let value = std::env::var(name).ok()?;
    let value = value.trim().replace('_', "");
    let parsed = match value.strip_prefix("0x") {
        Some(hex) => u64::from_str_radix(hex, 16),
        None => value.parse(),
    };
    Some(parsed.unwrap_or_else(|e| panic!("{name}={value}: {e}")))
}

/// The seed of case `index` of a run (splitmix64 of both).
fn case_seed(seed: u64, index: u64) -> u64 {
    let mut z = seed ^ index.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The kinds of case, by weight out of 20.
const KINDS: [&str; 3] = ["source", "registration", "session"];

/// Runs case `index`: its kind and, on failure, what went wrong.
fn run_case(corpus: &Corpus, seed: u64, index: u64) -> (usize, Result<(), String>) {
    let mut rng = ChaCha8Rng::seed_from_u64(case_seed(seed, index));
    let kind = match rng.gen_range(0..20) {
        0..=8 => 0,
        9..=12 => 1,
        _ => 2,
    };
    let outcome = match kind {
        0 => checks::source_case(&mut rng, corpus),
        1 => checks::registration_case(&mut rng, corpus),
        _ => session::session_case(&mut rng, corpus),
    };
    (kind, outcome)
}

#[derive(Default)]
struct Counts {
    inputs: u64,
    kinds: [u64; 3],
    panics: u64,
    violations: u64,
    failures: Vec<String>,
}

/// Every how many inputs of a thread a long run prints its progress.
const PROGRESS: u64 = 250_000;

fn run_share(corpus: &Corpus, seed: u64, (from, n): (u64, u64), thread: u64, threads: u64) -> Counts {
    let mut counts = Counts::default();
    let mut index = from + thread;
    let start = Instant::now();
    while index < n {
        if counts.inputs > 0 && counts.inputs % PROGRESS == 0 {
            println!(
                "fuzz progress: thread {thread}: inputs {}, panics {}, violations {}, {:.0} s",
                counts.inputs,
                counts.panics,
                counts.violations,
                start.elapsed().as_secs_f64()
            );
        }
        let before = PANICS.with(Cell::get);
        let result = catch_unwind(AssertUnwindSafe(|| run_case(corpus, seed, index)));
        let panicked = PANICS.with(Cell::get) > before;
        counts.inputs += 1;
        let failure = match result {
            Ok((kind, outcome)) => {
                counts.kinds[kind] += 1;
                match outcome {
                    Err(violation) if !panicked => {
                        counts.violations += 1;
                        Some(format!("{} case: {violation}", KINDS[kind]))
                    }
                    _ if panicked => {
                        Some(format!("{} case: panic (caught inside the engine): {}", KINDS[kind], LAST_PANIC.with(|m| m.borrow().clone())))
                    }
                    _ => None,
                }
            }
            Err(_) => Some(format!("panic: {}", LAST_PANIC.with(|m| m.borrow().clone()))),
        };
        if panicked {
            counts.panics += 1;
        }
        if let Some(failure) = failure {
            let line = format!("case {index} (LIVEIMPORT_FUZZ_SEED={seed} LIVEIMPORT_FUZZ_CASE={index}): {failure}");
            if counts.failures.len() < 20 {
                if n >= PROGRESS {
                    println!("FAIL {line}"); // at once, in a long run
                }
                counts.failures.push(line);
            }
        }
        index += threads;
    }
    counts
}

#[test]
fn fuzz() {
    let n = env_u64("LIVEIMPORT_FUZZ_N").unwrap_or(100);
    let seed = env_u64("LIVEIMPORT_FUZZ_SEED").unwrap_or(DEFAULT_SEED);
    let threads = env_u64("LIVEIMPORT_FUZZ_THREADS").unwrap_or(1).max(1);
    let from = env_u64("LIVEIMPORT_FUZZ_FROM").unwrap_or(0);
    let corpus = corpus::load();
    if let Some(index) = env_u64("LIVEIMPORT_FUZZ_CASE") {
        let (kind, outcome) = run_case(&corpus, seed, index);
        println!("case {index} of seed {seed}: a {} case", KINDS[kind]);
        if let Err(violation) = outcome {
            panic!("case {index}: {violation}");
        }
        return;
    }
    let quiet = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        PANICS.with(|p| p.set(p.get() + 1));
        LAST_PANIC.with(|m| *m.borrow_mut() = info.to_string().replace('\n', " "));
    }));
    let start = Instant::now();
    let shares: Vec<Counts> = std::thread::scope(|scope| {
        let corpus = &corpus;
        let handles: Vec<_> = (0..threads).map(|t| scope.spawn(move || run_share(corpus, seed, (from, n), t, threads))).collect();
        handles.into_iter().map(|h| h.join().expect("fuzz thread")).collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    std::panic::set_hook(quiet);
    let mut total = Counts::default();
    for share in shares {
        total.inputs += share.inputs;
        for k in 0..3 {
            total.kinds[k] += share.kinds[k];
        }
        total.panics += share.panics;
        total.violations += share.violations;
        total.failures.extend(share.failures);
    }
    println!("fuzz corpus: {}", corpus.summary);
    println!("fuzz coverage: {}", stats::summary());
    for failure in &total.failures {
        println!("FAIL {failure}");
    }
    println!(
        "fuzz native: inputs {} (sources {}, registrations {}, sessions {}), panics {}, violations {}, time {elapsed:.1} s, {:.0} inputs/s, threads {threads}, seed {seed}",
        total.inputs,
        total.kinds[0],
        total.kinds[1],
        total.kinds[2],
        total.panics,
        total.violations,
        total.inputs as f64 / elapsed.max(1e-9)
    );
    assert!(total.panics == 0 && total.violations == 0, "{} panics, {} violations (see FAIL lines)", total.panics, total.violations);
}
