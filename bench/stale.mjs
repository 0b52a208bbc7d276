#!/usr/bin/env node
/**
 * The stale-name benchmark (bench/stale.py, issue 18) inside Pyodide under Node.
 *
 * Usage: node bench/stale.mjs [--pyodide VERSION] [--engine pyo3|wasm-bindgen|auto] [--rounds N]
 *                               [--pyo3-so FILE] [--python DIR]
 *   --pyodide  one of tests/pyodide/env.mjs PYODIDE_VERSIONS (default 314.0.7)
 *   --engine   LIVEIMPORT_ENGINE of the instance (default auto: pyo3 in 314 and 0.29, wasm-bindgen
 *              in 0.26, 0.27 and 315)
 *   --rounds   passed to bench/stale.py (default 30)
 *   --pyo3-so  a pyo3 engine built for this Pyodide's CPython but not shipped in a wheel (e.g.
 *              `PYO3_CROSS_PYTHON_VERSION=3.X` with scripts/build.sh's cargo command, or another
 *              commit's), written into the installed package as `_engine_pyo3.so` in place of
 *              the wheel's `_engine_pyo3.cpython-3XY-wasm32-emscripten.so` (removed: Pyodide
 *              loads a wheel's shared libraries when it installs it, so a file written over one
 *              would not be the one imported) before the benchmark runs
 *   --python   a folder of `.py` files (e.g. another commit's `python/liveimport`) put in place
 *              of the installed package's, to compare versions with the same wheel
 *
 * Boots one fresh Pyodide from npm, installs LiveImport with installLiveImport() (the wheels
 * scripts/build.sh put in js/wheels), copies bench/stale.py in and runs it: it prints its
 * figures (milliseconds) and a `STALE-BENCH {json}` line. Exit status: the script's (1 when a
 * check of what it found failed), or 3 when set-up fails. Prints figures, asserts no time.
 */
import { installLiveImport } from "liveimport-pyodide";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PYODIDE, bootPyodide } from "../tests/pyodide/env.mjs";

const HERE = path.dirname(fileURLToPath(import.meta.url));

async function main(version, engine, rounds, pyo3So, pythonDir) {
  const pyodide = await bootPyodide({ version, env: engine === "auto" ? {} : { LIVEIMPORT_ENGINE: engine } });
  const installed = await installLiveImport(pyodide);
  const packageDir = pyodide.runPython(`
import importlib.util, os
os.path.dirname(importlib.util.find_spec("liveimport").origin)
`);
  if (pyo3So) {
    pyodide.runPython(`
import os, sys
shipped = os.path.join(${JSON.stringify(packageDir)}, f"_engine_pyo3.cpython-{sys.version_info[0]}{sys.version_info[1]}-wasm32-emscripten.so")
if os.path.exists(shipped):
    os.remove(shipped)
`);
    const target = `${packageDir}/_engine_pyo3.so`;
    pyodide.FS.writeFile(target, readFileSync(pyo3So));
    console.log(`pyo3 engine put in by hand: ${pyo3So} -> ${target}`);
  }
  if (pythonDir) {
    const files = readdirSync(pythonDir).filter((name) => name.endsWith(".py"));
    for (const name of files) {
      pyodide.FS.writeFile(`${packageDir}/${name}`, readFileSync(path.join(pythonDir, name)));
    }
    console.log(`${files.length} Python files put in by hand from ${pythonDir}`);
  }
  console.log(`pyodide ${pyodide.version}: liveimport-lite ${installed.version} (${installed.wheel.split("/").pop()})`);
  pyodide.FS.mkdirTree("/bench");
  pyodide.FS.writeFile("/bench/stale.py", readFileSync(path.join(HERE, "stale.py")));
  pyodide.globals.set("bench_rounds", rounds);
  return pyodide.runPython(`
import runpy, sys
sys.argv = ["stale.py", "--rounds", str(bench_rounds)]
try:
    runpy.run_path("/bench/stale.py", run_name="__main__")
    status = 0
except SystemExit as exit:
    status = int(exit.code or 0)
status
`);
}

const args = process.argv.slice(2);
let version = DEFAULT_PYODIDE;
let engine = "auto";
let rounds = 30;
let pyo3So = null;
let pythonDir = null;
while (args.length > 0) {
  const [option, value] = args.splice(0, 2);
  if (option === "--pyodide") version = value;
  else if (option === "--engine") engine = value;
  else if (option === "--rounds") rounds = Number(value);
  else if (option === "--pyo3-so") pyo3So = value;
  else if (option === "--python") pythonDir = value;
  else {
    console.error(`unknown option ${option}`);
    process.exit(3);
  }
}
let status;
try {
  status = await main(version, engine, rounds, pyo3So, pythonDir);
} catch (err) {
  console.error(`stale benchmark: set-up failed: ${err.stack ?? err}`);
  status = 3;
}
process.exit(status);
