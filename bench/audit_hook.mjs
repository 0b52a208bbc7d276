#!/usr/bin/env node
/**
 * Cost per audited event of LiveImport's audit hook (`_engine.note_writes` and
 * `note_compiles`), inside Pyodide under Node: the figure that chose where the audit rule lives
 * (issue 17: one rule, `src/audit.rs`, driven by both engines).
 *
 * Usage: node bench/audit_hook.mjs [--pyodide VERSION] [--events N]
 *
 * For each hook it boots a fresh Pyodide (audit hooks cannot be removed), installs the
 * LiveImport wheel for that Pyodide from js/wheels (scripts/build.sh), times N `sys.audit`
 * calls of each event kind without any hook, installs the hook, times them again, and prints
 * the difference per event in nanoseconds (after two warm-up runs: V8 first runs WebAssembly in
 * its baseline compiler):
 *
 * - `pyo3`: the pyo3 engine's hook, Rust through `PySys_AddAuditHook` (Pyodide 314 only).
 * - `wasm-bindgen`: the wasm-bindgen engine's hook: a `sys.addaudithook` Python function that
 *   converts the arguments of the events the rule may note and hands them to the same Rust rule
 *   in the wasm module.
 * - `python-rule`: the alternative, the whole rule as a Python hook (the one `_engine_wasm` had
 *   before issue 17, here with its notes appended to Python lists): what a Python hook shared by
 *   both engines would cost.
 *
 * Events: `ignored` (an event no rule notes: the common case, e.g. `sys._getframe`, `import`),
 * `open-read` (`open` of a file for reading, every import does one), `open-write` (noted),
 * `compile` (of a module source, 2 kB) and `exec` (of a module code object).
 * Figures are the fastest of 15 rounds (the least disturbed by other processes on a shared
 * machine); compare rows of one run.
 */
import { installLiveImport } from "liveimport-pyodide";
import { DEFAULT_PYODIDE, bootPyodide } from "../tests/pyodide/env.mjs";

const PYTHON_RULE_HOOK = `
import os, sys
_noted = []
def _make_python_rule_hook():
    # The audit rule as a Python hook (the pre-issue-17 _engine_wasm._make_hook), notes kept
    # in Python lists instead of crossing into an engine.
    shapes = {"open": ((0,), None, 2), "os.rename": ((0, 1), 2, None), "os.link": ((1,), 2, None),
              "os.symlink": ((1,), 2, None), "os.remove": ((0,), 1, None), "os.rmdir": ((0,), 1, None),
              "os.utime": ((0,), 3, None), "os.truncate": ((0,), None, None)}
    write_access, no_dir_fd = 3, -1
    note, note_unknown = _noted.append, lambda: _noted.append(None)
    fspath, fsdecode, abspath, isabs = os.fspath, os.fsdecode, os.path.abspath, os.path.isabs
    busy = []
    def compile_event(event, args):
        if event == "compile":
            source, filename = args[0], args[1]
            if isinstance(source, bytes) and isinstance(filename, str) and filename.endswith(".py"):
                note((abspath(filename), hash(source)))
        else:
            code = args[0]
            filename = getattr(code, "co_filename", "")
            if getattr(code, "co_name", None) == "<module>":
                note(abspath(filename))
    def hook(event, args):
        if busy:
            return
        if event == "exec" or event == "compile":
            busy.append(True)
            try:
                compile_event(event, args)
            except Exception:
                pass
            finally:
                busy.clear()
            return
        shape = shapes.get(event)
        if shape is None:
            return
        busy.append(True)
        try:
            paths, dir_fd, flags = shape
            if flags is not None:
                value = args[flags] if len(args) > flags else None
                if not isinstance(value, int) or not value & write_access:
                    return
            relative_to_fd = (dir_fd is not None and len(args) > dir_fd
                              and args[dir_fd] is not None and args[dir_fd] != no_dir_fd)
            for i in paths:
                if i >= len(args) or isinstance(args[i], int):
                    continue
                try:
                    path = fsdecode(fspath(args[i]))
                except (TypeError, ValueError):
                    note_unknown()
                    continue
                if relative_to_fd and not isabs(path):
                    note_unknown()
                else:
                    note(abspath(path))
        except Exception:
            note_unknown()
        finally:
            busy.clear()
    return hook
`;

const MEASURE = `
import os, sys, time
N = int(events)
source = ("x = 1\\n" * 340).encode()
code = compile(source, "/tmp/bench_m.py", "exec")
os.makedirs("/tmp/bench", exist_ok=True)
KINDS = {
    "ignored": ("sys._getframe", (None,)),
    "open-read": ("open", ("/tmp/bench/m.py", "r", os.O_RDONLY)),
    "open-write": ("open", ("/tmp/bench/m.py", "w", os.O_WRONLY | os.O_CREAT | os.O_TRUNC)),
    "compile": ("compile", (source, "/tmp/bench/m.py")),
    "exec": ("exec", (code,)),
}
def timings():
    out = {}
    audit = sys.audit
    for kind, (event, args) in KINDS.items():
        rounds = []
        for _ in range(15):
            t = time.perf_counter_ns()
            for _ in range(N):
                audit(event, *args)
            rounds.append((time.perf_counter_ns() - t) / N)
        out[kind] = min(rounds)
    return list(out.items())
`;

async function measure(version, hook, events) {
  const env = hook === "pyo3" ? { LIVEIMPORT_ENGINE: "pyo3" } : hook === "wasm-bindgen" ? { LIVEIMPORT_ENGINE: "wasm-bindgen" } : {};
  const pyodide = await bootPyodide({ version, env, quiet: true });
  await installLiveImport(pyodide);
  pyodide.globals.set("events", events);
  // The baseline before anything of liveimport is imported: inside Pyodide, `import liveimport`
  // installs the hook already (`_core._note_compiles`).
  pyodide.runPython(MEASURE + (hook === "python-rule" ? PYTHON_RULE_HOOK : ""));
  const timings = () => Object.fromEntries(JSON.parse(pyodide.runPython("import json; json.dumps(timings())")));
  timings(); // warm-up: V8 optimises Pyodide's hot WebAssembly code only after a while
  timings();
  const before = timings();
  let backend = "none";
  if (hook === "python-rule") {
    pyodide.runPython("sys.addaudithook(_make_python_rule_hook())");
  } else {
    backend = pyodide.runPython(`
try:
    from liveimport import _engine
except ImportError:  # no such engine in this Pyodide
    _backend = "none"
else:
    _engine.note_writes()
    _engine.note_compiles()
    _backend = _engine.BACKEND
_backend
`);
    if (backend !== hook) return null;
  }
  timings(); // warm-up of the hook's code
  const after = timings();
  const result = {};
  for (const [kind, ns] of Object.entries(after)) result[kind] = { base: before[kind], hook: ns - before[kind] };
  return { backend, result };
}

const args = process.argv.slice(2);
let version = DEFAULT_PYODIDE;
let events = 5000;
while (args.length) {
  const [option, value] = args.splice(0, 2);
  if (option === "--pyodide") version = value;
  else if (option === "--events") events = Number(value);
  else throw new Error(`unknown option ${option}`);
}
const hooks = ["pyo3", "wasm-bindgen", "python-rule"];
const rows = [];
for (const hook of hooks) {
  const measured = await measure(version, hook, events);
  if (measured === null) {
    console.log(`pyodide ${version}: no ${hook} engine here, skipped`);
    continue;
  }
  rows.push([hook, measured]);
}
const kinds = Object.keys(rows[0][1].result);
console.log(`pyodide ${version}, ${events} sys.audit calls per event kind, fastest of 15 rounds`);
console.log(`ns per event added by the hook (sys.audit alone: ${kinds.map((k) => `${k} ${Math.round(rows[0][1].result[k].base)}`).join(", ")} ns)`);
console.log(["hook".padEnd(14), ...kinds.map((k) => k.padStart(11))].join(""));
for (const [hook, { result }] of rows) {
  console.log([hook.padEnd(14), ...kinds.map((k) => String(Math.round(result[k].hook)).padStart(11))].join(""));
}
