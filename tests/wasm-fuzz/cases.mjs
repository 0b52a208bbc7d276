// Fuzz cases for the wasm-bindgen engine (src/wasm.rs, as python/liveimport/_engine_wasm.py
// drives it): every export called with random and mutated inputs, including arguments of the
// wrong shape; every result checked against the outcome contract of src/wasm.rs (`[0, value]`
// or `[1, error array]`), plans against their dependency order, and sessions for a fixpoint.
// A case throws a `Violation` for a broken property; a wasm trap surfaces as the
// `WebAssembly.RuntimeError` the call threw.

import { pkg, registration, source, sourceBytes } from "./inputs.mjs";

export class Violation extends Error {}

function ensure(condition, message) {
  if (!condition) throw new Violation(typeof message === "function" ? message() : message);
}

const show = (value) => {
  try {
    return JSON.stringify(value, (_, v) => (typeof v === "bigint" ? `${v}n` : v)).slice(0, 400);
  } catch {
    return String(value);
  }
};

const isInt = (v, min) => Number.isInteger(v) && v >= min;
const isOptStr = (v) => v === undefined || v === null || typeof v === "string";

/** Checks an error array of src/wasm.rs; `kinds` are the ones allowed here. */
function checkFailure(error, kinds, where) {
  ensure(Array.isArray(error) && kinds.includes(error[0]), () => `${where}: unexpected error ${show(error)} (allowed: ${kinds})`);
  switch (error[0]) {
    case "SyntaxError":
      ensure(error.length === 6 && typeof error[1] === "string" && error[1] && typeof error[2] === "string" && isInt(error[3], 1) && isInt(error[4], 1) && isOptStr(error[5]),
        () => `${where}: malformed SyntaxError ${show(error)}`);
      break;
    case "HostError":
      ensure(isInt(error[1], 0), () => `${where}: malformed HostError ${show(error)}`);
      break;
    case "AnalysisError":
      ensure(error.length === 4 && typeof error[1] === "string" && typeof error[2] === "string" && error[1].includes(error[2]),
        () => `${where}: malformed AnalysisError ${show(error)}`);
      checkFailure(error[3], ["SyntaxError", "ImportError", "HostError", "ValueError"], `${where} (cause)`);
      break;
    default:
      ensure(error.length === 2 && typeof error[1] === "string" && error[1], () => `${where}: malformed ${error[0]} ${show(error)}`);
  }
}

/** The value of an outcome; `null` (after checking the error) for a failure. */
function value(outcome, kinds, where) {
  ensure(Array.isArray(outcome) && outcome.length === 2 && (outcome[0] === 0 || outcome[0] === 1), () => `${where}: not an outcome: ${show(outcome)}`);
  if (outcome[0] === 1) {
    checkFailure(outcome[1], kinds, where);
    return null;
  }
  return outcome[1];
}

const VERSIONS = [[3, 8], [3, 10], [3, 12], [3, 13], [3, 14], [3, 14], [3, 15]];
const maxLine = (s) => (s.match(/\r\n|\r|\n/g)?.length ?? 0) * 2 + 1;

/** A source: the engine's own verdict, twice (deterministic), located in the source. */
export function sourceCase(m, rng, corpus) {
  const text = rng.bool(0.2) ? new TextDecoder().decode(sourceBytes(rng, corpus)) : source(rng, corpus);
  const file = rng.pick(["/w/m.py", "<string>", "", "/w/\u00e9.py"]);
  const version = rng.bool(0.03) ? rng.pick([[3], [3, 300], "3.14", [-1, 2], undefined]) : rng.pick(VERSIONS);
  const first = m.engine_syntax_error(text, file, version);
  const found = value(first, ["TypeError"], "engine_syntax_error");
  if (rng.bool(0.25)) ensure(show(first) === show(m.engine_syntax_error(text, file, version)), "engine_syntax_error is not deterministic");
  if (found) {
    const [msg, filename, line, column] = found;
    ensure(msg && filename === file && isInt(line, 1) && line <= maxLine(text) && isInt(column, 1), () => `finding not located in the source: ${show(found)}`);
  }
  return first[0] === 1 ? "rejected arguments" : found ? "rejected" : "accepted";
}

const RECORD_KINDS = new Set(["import", "from", "star"]);

/** Registration texts through parse_statements, and each record's canonical statement back. */
export function registrationCase(m, rng, corpus, engine) {
  const text = registration(rng, corpus);
  const allow = rng.bool(0.5);
  const outcome = engine.parse_statements(text, pkg(rng), allow);
  const records = value(outcome, ["SyntaxError", "ImportError", "ValueError"], "parse_statements");
  if (outcome[0] === 1 && outcome[1][0] === "SyntaxError") ensure(outcome[1][2] === "<importstmts>", () => `registration error names ${outcome[1][2]}`);
  if (!records) return "rejected";
  for (const record of records) {
    const [kind, module, name, asname] = record;
    ensure(RECORD_KINDS.has(kind) && module.split(".").every((s) => s) && (kind === "from") === (typeof name === "string") && isOptStr(asname), () => `malformed record ${show(record)}`);
    const statement = value(m.canonical_statement(record), [], "canonical_statement");
    const again = value(engine.parse_statements(statement, "", false), [], `parse_statements(${statement})`);
    ensure(show(again) === show([record]), () => `${show(statement)} parses to ${show(again)}, not ${show(record)}`);
  }
  const bad = rng.pick([["bogus", "a", null, null], ["from", "a", null, null], ["import"], "import a", 7, [["import", "a"]]]);
  value(m.canonical_statement(bad), ["ValueError", "TypeError"], `canonical_statement(${show(bad)})`);
  return "parsed";
}

const MODULES = [
  ["a", "/w/a.py", ""], ["b", "/w/b.py", ""], ["c", "/w/c.py", ""], ["pkg", "/w/pkg/__init__.py", "pkg"],
  ["pkg.m", "/w/pkg/m.py", "pkg"], ["pkg.n", "/w/pkg/n.py", "pkg"], ["out", "/x/out.py", ""], ["builtin", undefined, ""],
];
const PATHS = ["/w/a.py", "/w/b.py", "/w/pkg/m.py", "/w/pkg", "/w", "/x/out.py", "/x", "/", "/w/zz.py", "/w/pkg/n.py", "w/a.py", "../x", ""];
const WORKSPACES = [["/w"], ["/w"], ["/w/pkg"], ["/w", "/x"], [], ["/"], ["/w/"]];
const NAMESPACES = [1, 2, 2 ** 40];

/** The Emscripten FS the engine reads (`stat`; `open`, `read`, `close`), in memory. */
class MemoryFs {
  constructor(rng) {
    this.files = new Map();
    this.numbers = rng.bool(0.3); // older Emscriptens keep mtimes as numbers
  }
  file(path) {
    const file = this.files.get(path);
    if (!file) throw Object.assign(new Error(`ENOENT: ${path}`), { errno: 44 });
    return file;
  }
  stat(path) {
    if (path === "/w" || path === "/w/pkg" || path === "/x") return { mode: 0o40755, size: 4096, mtime: new Date(0) };
    const file = this.file(path);
    if (file.odd !== undefined) return file.odd; // what no Emscripten gives: must read as no file or a time
    return { mode: 0o100644, size: file.bytes.length, mtime: this.numbers ? file.mtime : new Date(file.mtime) };
  }
  open(path) {
    return { bytes: this.file(path).bytes };
  }
  read(stream, buffer, offset, length, position) {
    const chunk = stream.bytes.subarray(position, position + length);
    buffer.set(chunk, offset);
    return chunk.length;
  }
  close() {}
}

const encoder = new TextEncoder();

function moduleSource(rng, corpus) {
  const k = rng.int(0, 30);
  if (k < 3) return sourceBytes(rng, corpus);
  if (k === 3) return encoder.encode("import a\nREJECT = 1\n");
  if (k === 4) return Uint8Array.from([...encoder.encode("import b\nx = '"), 0xff, ...encoder.encode("'\n")]);
  let text = "";
  for (let n = rng.int(0, 4); n > 0; n--) {
    const name = rng.pick(MODULES)[0];
    text += rng.pick([`import ${name}\n`, `import ${name}\n`, `from ${name} import x\n`, "from . import m\n", "from .n import y\n", "from .. import z\n", `if x:\n    import ${name}\n`, `import ${name} as k; y = 1\n`]);
  }
  return encoder.encode(text);
}

/** The host's parser, as _engine_wasm.Engine hands it: -1 accepts, else an exception's index. */
function host(rng) {
  return rng.pick([
    () => -1,
    () => 0,
    (_file, src) => (src.includes("REJECT") || src.includes("\0") ? 0 : -1),
    (_file, src) => (src.includes("REJECT") ? 3 : -1),
    () => {
      throw new Error("the checker failed");
    },
    () => "not a number",
  ]);
}

const ANALYSIS = ["AnalysisError", "TypeError"];

/** Checks a plan outcome of `plan_sync`, with the tracked modules of `status`. */
function checkPlan(outcome, status) {
  const plan = value(outcome, ANALYSIS, "plan_sync");
  const names = status.map((s) => s[0]);
  if (outcome[0] === 1) {
    if (outcome[1][0] === "AnalysisError") ensure(names.includes(outcome[1][2]), () => `plan error of an untracked module ${outcome[1][2]}`);
    return "error";
  }
  // An empty plan is `[[], []]` (src/contract.rs plan_sync: the core decides, not the binding).
  ensure(Array.isArray(plan) && plan.length === 2, () => `a plan is not [entries, namespaces]: ${show(plan)}`);
  const [entries, namespaces] = plan;
  if (entries.length === 0) {
    ensure(namespaces.length === 0, () => `a plan of no reloads rebinds namespaces: ${show(plan)}`);
    return "empty";
  }
  const position = new Map();
  entries.forEach(([module, reason, mtime, after], i) => {
    ensure(names.includes(module) && !position.has(module), () => `${module} untracked or scheduled twice`);
    ensure((reason === "modified" || reason === "dependent") && Number.isFinite(mtime), () => `entry ${show(entries[i])}`);
    ensure(reason === "modified" || after.length > 0, () => `${module} reloads as a dependent of nothing`);
    for (const dep of after) {
      const importers = status.find((s) => s[0] === dep)?.[4] ?? [];
      ensure(position.has(dep) && importers.includes(module), () => `${module} after ${dep}, which it does not import or which reloads later`);
    }
    position.set(module, i);
  });
  for (const [id, attached, records] of namespaces) {
    ensure(NAMESPACES.includes(id) && attached.length > 0 && attached.every((a) => names.includes(a)) && Array.isArray(records), () => `namespace ${show([id, attached])}`);
    ensure(attached.some((a) => position.has(a)), () => `namespace ${id} has no scheduled module`);
  }
  return "reloads";
}

/** A session of engine calls (see tests/fuzz/session.rs for the native one). */
export function sessionCase(m, rng, corpus, counts) {
  const fs = new MemoryFs(rng);
  let clock = 1_700_000_000_000;
  const write = (file) => {
    if (!rng.bool(0.1)) clock += rng.int(1, 3000);
    const odd = rng.bool(0.03)
      ? rng.pick([{ mode: 0o100644, mtime: NaN }, { mode: 0o100644, mtime: -1e20 }, { mode: 0o100644, mtime: 1e300 }, { mode: 0o100644, mtime: -0.5 },
        { mode: 0o120777, mtime: clock }, { mode: 0o40755, mtime: clock }, { mode: "x", mtime: "y" }, { mtime: new Date(NaN), mode: 0o100644 }, {}, null, 42])
      : undefined;
    fs.files.set(file, { mtime: clock, bytes: moduleSource(rng, corpus), odd });
  };
  for (const [, file] of MODULES) if (file && rng.bool(0.8)) write(file);
  if (rng.bool(0.02)) {
    const bad = rng.pick([[{}, ["/w"], [3, 14], () => -1], [fs, "/w", [3, 14], () => -1], [fs, ["/w"], [3, 999], () => -1], [fs, ["/w"], [3, 14], 5]]);
    try {
      new m.Engine(...bad).free();
      throw new Violation(`new Engine(${show(bad)}) did not throw`);
    } catch (error) {
      if (error instanceof Violation || error instanceof WebAssembly.RuntimeError) throw error;
    }
  }
  const engine = new m.Engine(fs, rng.pick(WORKSPACES), rng.pick([[3, 10], [3, 12], [3, 14]]), host(rng));
  try {
    const spec = (i) => {
      const [name, file, pack] = MODULES[i];
      return [name, rng.bool(0.05) ? "/w/elsewhere.py" : file, rng.bool(0.03) ? "a.b" : pack];
    };
    const status = () => value(engine.status(undefined), [], "status")[1];
    const plan = () => {
      const outcome = engine.plan_sync(true);
      counts[checkPlan(outcome, status())] += 1;
      return outcome;
    };
    for (let step = rng.int(4, 16); step > 0; step--) {
      const op = rng.int(0, 24);
      if (op < 4) {
        const text = Array.from({ length: rng.int(0, 4) }, () => `import ${rng.pick(MODULES)[0]}`).join("\n");
        let records = value(engine.parse_statements(text, "", false), [], "parse_statements") ?? [];
        if (rng.bool(0.05)) records = rng.pick([[["from", "a", undefined, undefined]], [["bogus", "a"]], "import a", [[1, 2, 3, 4]]]);
        const specs = MODULES.map((_, i) => i).filter(() => rng.bool(0.3)).map(spec);
        const ns = rng.bool(0.03) ? rng.pick([-1, 1.5, "x", 2n ** 64n - 1n, undefined]) : rng.pick(NAMESPACES);
        value(engine.register(ns, records, rng.bool(0.03) ? [["a"]] : specs, rng.bool(0.2)), ["AnalysisError", "ValueError", "TypeError"], "register");
      } else if (op < 6) {
        const wanted = value(engine.untracked_dependencies(), [], "untracked_dependencies");
        const specs = wanted.map((w) => MODULES.findIndex((mod) => mod[0] === w)).filter((i) => i >= 0).map(spec);
        const result = value(engine.track_indirect(specs), ["TypeError"], "track_indirect");
        ensure(Array.isArray(result) && result[1].every(([module, cause]) => typeof module === "string" && (checkFailure(cause, ["SyntaxError", "ImportError", "HostError", "ValueError"], "track_indirect"), true)), "track_indirect result");
      } else if (op < 10) {
        const file = rng.pick(MODULES)[1];
        if (file) write(file);
      } else if (op === 10) {
        const path = rng.pick(PATHS);
        for (const file of [...fs.files.keys()]) if (file === path || file.startsWith(`${path}/`)) fs.files.delete(file);
      } else if (op < 13) {
        const marked = value(engine.mark_dirty(Array.from({ length: rng.int(0, 3) }, () => rng.pick(PATHS))), [], "mark_dirty");
        ensure(isInt(marked, 0), "mark_dirty count");
      } else if (op === 13) {
        value(engine.mark_missing(rng.bool(0.05) ? "/w" : [rng.pick(PATHS)]), ["TypeError"], "mark_missing");
      } else if (op === 14) {
        // What the audit hook reports: written paths (relative ones too), compiles and runs.
        const path = rng.pick(PATHS);
        const k = rng.int(0, 4);
        // The audit rule's events (src/audit.rs note_event), as the Python hook passes them:
        // open(path, mode, flags) for writing, compile(source bytes, filename), exec(code).
        if (k === 0) m.note_event("open", 3, path, "w", 0o1101, undefined);
        else if (k === 1) m.note_unknown();
        else if (k === 2) m.note_event("compile", 2, new TextEncoder().encode(moduleSource(rng, corpus)), path, undefined, undefined);
        else m.note_event("exec", 1, ["<module>", path], undefined, undefined, undefined);
      } else if (op === 15) {
        const workspace = rng.bool(0.05) ? rng.pick(["/w", [1], undefined]) : rng.pick(WORKSPACES);
        if (value(engine.set_workspace(workspace), ["TypeError"], "set_workspace") !== null) {
          ensure(show(value(engine.workspace(), [], "workspace")) === show(workspace), "workspace() != set_workspace()");
        }
      } else if (op === 16) {
        const taken = value(engine.take_missing(), [], "take_missing");
        const names = taken.map((t) => t[0]);
        ensure(new Set(names).size === names.length, () => `take_missing repeats: ${show(taken)}`);
      } else if (op === 17) {
        const [, modules, statements] = value(engine.status(rng.pick([...NAMESPACES, undefined])), [], "status");
        ensure(modules.length === value(engine.tracked_count(), [], "tracked_count") && Array.isArray(statements), "status and tracked_count disagree");
        ensure(new Set(modules.map((s) => s[0])).size === modules.length, "a module tracked twice");
      } else if (op === 18) {
        const journal = value(engine.journal(rng.pick(NAMESPACES)), [], "journal");
        ensure(Array.isArray(journal), "journal");
      } else {
        if (rng.bool(0.5)) {
          const tracked = status().filter((s) => s[1]);
          if (tracked.length) write(rng.pick(tracked)[1]);
        }
        const outcome = rng.bool(0.7) ? plan() : engine.plan_sync(false);
        checkPlan(outcome, status());
        if (outcome[0] === 0 && outcome[1] && rng.bool(0.7)) {
          const names = outcome[1][0].map((e) => e[0]);
          value(engine.commit(rng.bool(0.1) ? [...names, "not.tracked"] : names), [], "commit");
        }
      }
    }
    // Planning twice without changes gives the same plan; after committing it, none.
    m.note_unknown();
    const first = plan();
    const second = plan();
    ensure(show(first) === show(second), () => `planning again gives another plan: ${show(first)} then ${show(second)}`);
    if (first[0] === 0 && first[1][0].length > 0) {
      value(engine.commit(first[1][0].map((e) => e[0])), [], "commit");
      const third = plan();
      ensure(third[0] === 0 && show(third[1]) === show([[], []]), () => `after committing, the next sync plans ${show(third)}`);
    }
  } finally {
    engine.free();
  }
  return "session";
}
