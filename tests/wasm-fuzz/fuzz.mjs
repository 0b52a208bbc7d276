#!/usr/bin/env node
// The fuzz harness of the wasm-bindgen engine (issue 17, item 6), under Node: the engine as
// scripts/build.sh builds it (build/wasm/liveimport_engine.js, `--target no-modules`, and its
// .wasm), loaded the way python/liveimport/_engine_wasm.py loads it (the glue made a function,
// `initSync` with the module's bytes), with an in-memory Emscripten FS (`stat`, `open`, `read`, `close`)
// instead of Pyodide's. Counts inputs, traps (a `WebAssembly.RuntimeError`: the build aborts on
// any panic) and violated properties; prints one line of counts and, for each failure, the
// seed and index that repeat it.
//
//   node tests/wasm-fuzz/fuzz.mjs [--n N] [--seed S] [--workers W] [--case I] [--wasm-dir DIR] [--python PY]
//
// N defaults to 1,000; S to a fixed seed; W to 1 (worker threads sharing the inputs); --case
// runs one case and prints its failure in full. Exit status 1 on any trap or violation.

import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

import { Violation, registrationCase, sessionCase, sourceCase } from "./cases.mjs";
import { Rng, loadCorpus } from "./inputs.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const DEFAULT_SEED = 0x17171717;

function parseArgs(argv) {
  const options = { n: 1000, seed: DEFAULT_SEED, workers: 1, case: undefined, wasmDir: join(ROOT, "build/wasm"), python: process.env.PYTHON ?? "python3" };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, arg] = [argv[i], argv[i + 1]];
    const number = () => {
      const v = Number(arg);
      if (!Number.isSafeInteger(v) || v < 0) throw new Error(`${flag} ${arg}: not a count`);
      return v;
    };
    if (flag === "--n") options.n = number();
    else if (flag === "--seed") options.seed = number() >>> 0;
    else if (flag === "--workers") options.workers = Math.max(1, number());
    else if (flag === "--case") options.case = number();
    else if (flag === "--wasm-dir") options.wasmDir = resolve(arg);
    else if (flag === "--python") options.python = arg;
    else throw new Error(`unknown option ${flag}`);
  }
  return options;
}

/** Instantiates the engine as _engine_wasm._instantiate does: `[module exports, wasm exports]`. */
function instantiate(wasmDir) {
  const glue = readFileSync(join(wasmDir, "liveimport_engine.js"), "utf8");
  const bytes = readFileSync(join(wasmDir, "liveimport_engine_bg.wasm"));
  const factory = new Function("wasmBytes", `${glue}\nconst raw = wasm_bindgen.initSync({ module: wasmBytes });\nreturn [wasm_bindgen, raw];\n`);
  const [m, raw] = factory(bytes);
  // As liveimport._core does inside Pyodide: compile and exec events are noted from now on.
  m.note_compiles();
  return [m, raw];
}

const KINDS = ["source", "registration", "session"];

/** Runs inputs `start`, `start + step`, ... below `n`: the counts, and up to 20 failures. */
function runShare({ n, seed, start, step, wasmDir, corpus }) {
  let [m, raw] = instantiate(wasmDir);
  const counts = { inputs: 0, traps: 0, violations: 0, errors: 0, kinds: [0, 0, 0], empty: 0, reloads: 0, error: 0, failures: [], memory: 0 };
  const began = performance.now();
  for (let index = start; index < n; index += step) {
    if (counts.inputs > 0 && counts.inputs % 250_000 === 0) {
      const seconds = ((performance.now() - began) / 1000).toFixed(0);
      console.log(`fuzz progress: worker ${start}: inputs ${counts.inputs}, traps ${counts.traps}, violations ${counts.violations + counts.errors}, ${seconds} s`);
    }
    const rng = new Rng(seed, index);
    const roll = rng.int(0, 20);
    const kind = roll < 9 ? 0 : roll < 13 ? 1 : 2;
    counts.inputs += 1;
    counts.kinds[kind] += 1;
    let failure;
    let engine;
    try {
      if (kind === 0) sourceCase(m, rng, corpus);
      else {
        engine = kind === 1 ? new m.Engine({ stat() { throw new Error("ENOENT"); }, open() { throw new Error("ENOENT"); }, read() { return 0; }, close() {} }, [], [3, 14], () => -1) : undefined;
        if (kind === 1) registrationCase(m, rng, corpus, engine);
        else sessionCase(m, rng, corpus, counts);
      }
    } catch (error) {
      if (error instanceof WebAssembly.RuntimeError) {
        counts.traps += 1;
        let panic;
        try {
          panic = m.last_panic();
        } catch {
          panic = undefined;
        }
        failure = `trap: ${error.message}${panic ? ` (panic: ${panic})` : ""}`;
        [m, raw] = instantiate(wasmDir); // the trapped instance is not to be used again
        engine = undefined;
      } else if (error instanceof Violation) {
        counts.violations += 1;
        failure = `violation: ${error.message}`;
      } else {
        counts.errors += 1;
        failure = `exception: ${error?.stack ?? error}`;
      }
    } finally {
      engine?.free();
    }
    if (failure && counts.failures.length < 20) {
      counts.failures.push(`case ${index} (--seed ${seed} --case ${index}), a ${KINDS[kind]} case: ${failure.slice(0, 2000)}`);
    }
  }
  counts.memory = raw.memory.buffer.byteLength;
  return counts;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const corpus = loadCorpus(ROOT, options.python);
  if (options.case !== undefined) {
    const counts = runShare({ n: options.case + 1, seed: options.seed, start: options.case, step: 1, wasmDir: options.wasmDir, corpus });
    console.log(counts.failures.length ? `FAIL ${counts.failures[0]}` : `case ${options.case} of seed ${options.seed}: ok`);
    process.exit(counts.failures.length ? 1 : 0);
  }
  const started = performance.now();
  const shares = await Promise.all(
    Array.from({ length: options.workers }, (_, w) =>
      new Promise((resolvePromise, reject) => {
        const worker = new Worker(new URL(import.meta.url), { workerData: { n: options.n, seed: options.seed, start: w, step: options.workers, wasmDir: options.wasmDir, corpus } });
        worker.once("message", resolvePromise);
        worker.once("error", reject);
      }),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const total = shares.reduce((t, s) => {
    for (const key of ["inputs", "traps", "violations", "errors", "empty", "reloads", "error"]) t[key] += s[key];
    s.kinds.forEach((k, i) => (t.kinds[i] += k));
    t.failures.push(...s.failures);
    t.memory = Math.max(t.memory, s.memory);
    return t;
  }, { inputs: 0, traps: 0, violations: 0, errors: 0, empty: 0, reloads: 0, error: 0, kinds: [0, 0, 0], failures: [], memory: 0 });
  console.log(`fuzz corpus: ${corpus.summary}`);
  console.log(`fuzz coverage: plans empty ${total.empty}, plans with reloads ${total.reloads}, plans with analysis errors ${total.error}, wasm memory at the end ${(total.memory / 2 ** 20).toFixed(1)} MiB`);
  for (const failure of total.failures) console.log(`FAIL ${failure}`);
  console.log(
    `fuzz wasm: inputs ${total.inputs} (sources ${total.kinds[0]}, registrations ${total.kinds[1]}, sessions ${total.kinds[2]}), ` +
      `traps ${total.traps}, violations ${total.violations + total.errors}, time ${seconds.toFixed(1)} s, ` +
      `${Math.round(total.inputs / seconds)} inputs/s, workers ${options.workers}, seed ${options.seed}`,
  );
  process.exit(total.traps + total.violations + total.errors === 0 ? 0 : 1);
}

if (isMainThread) {
  main().catch((error) => {
    console.error(error);
    process.exit(2);
  });
} else {
  parentPort.postMessage(runShare(workerData));
}
