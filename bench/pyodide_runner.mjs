// Runs benchmark sessions in Pyodide under Node, one fresh Pyodide instance per session.
//
// Usage: node pyodide_runner.mjs PLAN.json
//        node pyodide_runner.mjs --compile PYODIDE_PKG_DIR SRC_DIR OUT_DIR
// PLAN: {
//   "pyodide": "/abs/path/to/node_modules/pyodide",   // the pyodide npm package directory
//   "bench": "/abs/path/to/bench",                      // holds scenarios.py, workload.py
//   "sessions": [{ "id": str, "sites": [hostDir, ...], "wheel": path, "spec": {...},
//                  "env": {NAME: value} (optional: the instance's environment, e.g.
//                  LIVEIMPORT_ENGINE) }, ...]
// }
// For each session: loadPyodide(), copy every host directory of "sites" into
// /lib/python3.14/site-packages (MEMFS), install the implementation's wheel with
// pyodide.loadPackage (as installLiveImport and piplite do: it unpacks the wheel and
// loads its shared libraries), copy scenarios.py and workload.py to /bench, run
// scenarios.run_session(spec), and print one line
//   BENCH-RESULT {"id": ..., "boot_ms": ..., "sites_ms": ..., "install_ms": ..., "result": {...}}
// (install_ms: the loadPackage call alone)
// or, when the session raised, {"id": ..., "error": "traceback text"}.
// Sessions run one after another; each instance is dropped before the next starts.
// Exit status: 0, or 1 when the plan cannot be read or Pyodide cannot be loaded.
//
// --compile: copies SRC_DIR (unpacked third-party wheels) into one Pyodide instance,
// byte-compiles it there for that Pyodide's Python with unchecked-hash .pyc files (valid whatever
// the source mtimes, as Pyodide's own distribution ships its packages precompiled), and
// writes the tree with its __pycache__ directories to OUT_DIR.
import fs from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";

/** Copy a Pyodide FS tree out to a host directory. */
function copyOut(py, src, dest) {
  fs.mkdirSync(dest, { recursive: true });
  for (const name of py.FS.readdir(src)) {
    if (name === "." || name === "..") continue;
    const s = `${src}/${name}`;
    const d = path.join(dest, name);
    if (py.FS.isDir(py.FS.stat(s).mode)) copyOut(py, s, d);
    else fs.writeFileSync(d, py.FS.readFile(s));
  }
}

if (process.argv[2] === "--compile") {
  const [pkg, src, out] = process.argv.slice(3);
  const { loadPyodide } = await import(pathToFileURL(path.join(pkg, "pyodide.mjs")).href);
  const py = await loadPyodide();
  copyTree(py, src, "/pc");
  py.runPython(`
import compileall, py_compile, sys
ok = compileall.compile_dir("/pc", quiet=1, workers=1,
    invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)
`);
  copyOut(py, "/pc", out);
  process.exit(0);
}

const plan = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const { loadPyodide } = await import(pathToFileURL(path.join(plan.pyodide, "pyodide.mjs")).href);

/** Copy a host directory tree into the Pyodide FS (MEMFS) under dest. */
function copyTree(py, src, dest) {
  py.FS.mkdirTree(dest);
  for (const entry of fs.readdirSync(src, { withFileTypes: true })) {
    const s = path.join(src, entry.name);
    const d = `${dest}/${entry.name}`;
    if (entry.isDirectory()) copyTree(py, s, d);
    else py.FS.writeFile(d, fs.readFileSync(s));
  }
}

for (const session of plan.sessions) {
  const out = { id: session.id };
  try {
    const t0 = performance.now();
    const py = await loadPyodide({
      stdout: (s) => process.stderr.write(s + "\n"),
      env: { HOME: "/home/pyodide", ...(session.env ?? {}) },
    });
    out.boot_ms = performance.now() - t0;
    const t1 = performance.now();
    const site = py.runPython("import site; site.getsitepackages()[0]");
    for (const dir of session.sites) copyTree(py, dir, site);
    py.FS.mkdirTree("/bench");
    for (const f of ["scenarios.py", "workload.py"]) {
      py.FS.writeFile(`/bench/${f}`, fs.readFileSync(path.join(plan.bench, f)));
    }
    out.sites_ms = performance.now() - t1;
    const errors = [];
    const t2 = performance.now();
    const loaded = await py.loadPackage(session.wheel, {
      checkIntegrity: false, messageCallback: () => {}, errorCallback: (m) => errors.push(m) });
    out.install_ms = performance.now() - t2;
    if (errors.length || !loaded.length) throw new Error(`loadPackage ${session.wheel}: ${errors.join("; ")}`);
    py.globals.set("_bench_spec", JSON.stringify(session.spec));
    const text = py.runPython(`
import sys, json
sys.path.insert(0, "/bench")
import scenarios
json.dumps(scenarios.run_session(json.loads(_bench_spec)))
`);
    out.result = JSON.parse(text);
  } catch (err) {
    out.error = String(err && err.message ? err.message : err);
  }
  process.stdout.write("BENCH-RESULT " + JSON.stringify(out) + "\n");
  if (global.gc) global.gc();
}
