#!/usr/bin/env node
/**
 * The first LiveImport cell's cost in Pyodide under Node, with and without the bootstrap's
 * warm-up (liveimport._warm_up), against the same cell without the LiveImport line in a kernel
 * without LiveImport. Each run is a fresh Pyodide (first-time costs), an IPython shell that ran
 * one cell, then (modes `cold` and `warm`) `_frontend.bootstrap(...)`, one more cell, and the
 * measured cell `#_%%liveimport` + three imports of small modules; then a second such cell.
 *
 * Usage: node bench/first_cell_pyodide.mjs [VERSION=314.0.7] [ENGINE=auto|pyo3|wasm-bindgen]
 *        [MODE=plain|cold|warm] [RUNS=3]
 * Needs a build (scripts/build.sh: the wheels in js/wheels) and the set-up's test wheels.
 * Prints per-run figures, their median and minimum; no assertion (a shared machine is noisy:
 * compare minima over several runs).
 */
import { installLiveImport } from "liveimport-pyodide";
import { bootPyodide, installWheels, wheelSet } from "../tests/pyodide/env.mjs";

const [version = "314.0.7", engine = "auto", mode = "warm", reps = "3"] = process.argv.slice(2);

async function once(mode) {
  const pyodide = await bootPyodide({ quiet: true, version, env: engine === "auto" ? {} : { LIVEIMPORT_ENGINE: engine } });
  await installLiveImport(pyodide);
  await installWheels(pyodide, wheelSet("test", version));
  pyodide.globals.set("MODE", mode);
  return pyodide.runPython(`
import os, sys, time, tempfile
d = tempfile.mkdtemp(); os.chdir(d); sys.path.insert(0, d)
for i in range(6):
    open(f"helpers{i}.py", "w").write("import os\\nfrom json import dumps\\n\\ndef f(x):\\n    return [x for x in range(3)]\\n")
from IPython.core.interactiveshell import InteractiveShell
shell = InteractiveShell.instance()
shell.run_cell("a = 1", store_history=True)   # the kernel's first cell is not the one measured
if MODE != "plain":
    import liveimport, liveimport._frontend as fe, liveimport._incidents as inc
    if MODE == "cold":
        fe.warm_up = lambda shell: None
    t = time.perf_counter()
    fe.bootstrap('{"type": "settings"}')
    boot = (time.perf_counter() - t) * 1000
    assert not inc.counts(), inc.counts()
else:
    boot = 0.0
shell.run_cell("b = 2", store_history=True)
cell = "import helpers0, helpers1\\nfrom helpers2 import f\\n"
if MODE != "plain":
    cell = "#_%%liveimport\\n" + cell
t = time.perf_counter()
r = shell.run_cell(cell, store_history=True)
first = (time.perf_counter() - t) * 1000
assert r.success, r
cell2 = cell.replace("helpers0", "helpers3").replace("helpers1", "helpers4").replace("helpers2", "helpers5")
shell.run_cell("c = 3", store_history=True)
t = time.perf_counter()
r = shell.run_cell(cell2, store_history=True)
second = (time.perf_counter() - t) * 1000
if MODE != "plain":
    assert liveimport.status(shell.user_ns).statements, "not registered"
(boot, first, second)
`).toJs();
}

const rows = [];
for (let i = 0; i < Number(reps); i++) rows.push(await once(mode));
const med = (xs) => xs.slice().sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`pyodide ${version} engine ${engine} mode ${mode}: bootstrap ${rows.map((r) => r[0].toFixed(1)).join(" ")} ms; ` +
  `first cell ${rows.map((r) => r[1].toFixed(1)).join(" ")} ms (median ${med(rows.map((r) => r[1])).toFixed(1)}, min ${Math.min(...rows.map((r) => r[1])).toFixed(1)}); second cell min ${Math.min(...rows.map((r) => r[2])).toFixed(1)} median ${med(rows.map((r) => r[2])).toFixed(1)}`);
