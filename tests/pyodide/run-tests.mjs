#!/usr/bin/env node
/**
 * Run the repository's Python test suite (tests/python) inside Pyodide under Node.
 *
 * Usage: node tests/pyodide/run-tests.mjs [--pyodide VERSION] [--engine ENGINE] [PYTEST_ARGS...]
 *   --pyodide  one of env.mjs PYODIDE_VERSIONS (default 314.0.7)
 *   --engine   pyo3, wasm-bindgen or auto (default): sets LIVEIMPORT_ENGINE in the instance,
 *              and the run fails unless liveimport._engine.BACKEND is the one asked for
 *   (default pytest arguments: tests/python; paths are relative to the repository root)
 *
 * Steps: boot Pyodide from npm; installLiveImport() from the liveimport-pyodide
 * package (the wheel for that Pyodide in js/wheels, built by scripts/build.sh); time
 * `import liveimport`; install pytest and IPython (pure-Python wheels for that
 * Pyodide's Python, from the cache; where the Pyodide lacks `sqlite3`, which
 * IPython 8 imports, sqlite3_stand_in.py); mount the repository at /repo (NODEFS, the
 * live files); run pytest there.
 *
 * Prints `pyodide VERSION (ENGINE engine): boot N ms, installLiveImport N ms,
 * import liveimport N ms` and writes the same figures to
 * build/pyodide-timings-VERSION-ENGINE.json (a run on 314.0.7 with the pyo3
 * engine also to build/pyodide-timings.json).
 * Exit status: pytest's (0 all passed, 1 failures, 2 interrupted, 3 internal
 * error, 4 usage error, 5 no tests collected), or 3 when set-up fails.
 */
import { installLiveImport } from "liveimport-pyodide";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_PYODIDE, REPO_ROOT, bootPyodide, installWheels, msSince, wheelSet } from "./env.mjs";

const MOUNT = "/repo";
const HERE = path.dirname(fileURLToPath(import.meta.url));

async function main(pytestArgs, version, engine) {
  const timings = { pyodide: version, engine };
  let t = performance.now();
  const pyodide = await bootPyodide({ version, env: engine === "auto" ? {} : { LIVEIMPORT_ENGINE: engine } });
  timings.boot_ms = msSince(t);

  t = performance.now();
  const installed = await installLiveImport(pyodide);
  timings.install_ms = msSince(t);

  // Time the first import alone (fresh instance, nothing of liveimport imported yet).
  const importResult = pyodide.runPython(`
import time, traceback
_t = time.perf_counter()
try:
    import liveimport
    _err = None
except BaseException:
    _err = traceback.format_exc()
_ms = (time.perf_counter() - _t) * 1000
del _t
(_ms, _err, None if _err else liveimport._engine.BACKEND)
`).toJs();
  const [importMs, importError, backend] = importResult;
  timings.import_ms = Math.round(importMs * 10) / 10;
  timings.backend = backend;
  console.log(
    `pyodide ${pyodide.version} (${backend} engine): boot ${timings.boot_ms} ms, installLiveImport ` +
      `${timings.install_ms} ms (liveimport-lite ${installed.version}, ${installed.wheel.split("/").pop()}), ` +
      `import liveimport ${timings.import_ms} ms`,
  );
  if (importError) {
    console.log(`import liveimport failed inside Pyodide:\n${importError}`);
    timings.import_error = importError;
  } else if (engine !== "auto" && backend !== engine) {
    throw new Error(`asked for the ${engine} engine, liveimport uses ${backend}`);
  }

  t = performance.now();
  if (!pyodide.runPython("import importlib.util; importlib.util.find_spec('sqlite3') is not None")) {
    // Pyodide 0.26/0.27: IPython 8.23 imports sqlite3, which that npm package lacks.
    const sitePackages = pyodide.runPython("import sysconfig; sysconfig.get_path('purelib')");
    pyodide.FS.writeFile(`${sitePackages}/sqlite3.py`, readFileSync(path.join(HERE, "sqlite3_stand_in.py")));
  }
  await installWheels(pyodide, wheelSet("test", version));
  timings.test_wheels_ms = msSince(t);

  mkdirSync(path.join(REPO_ROOT, "build"), { recursive: true });
  const timingsJson = JSON.stringify(timings, null, 1) + "\n";
  writeFileSync(path.join(REPO_ROOT, "build", `pyodide-timings-${version}-${engine}.json`), timingsJson);
  if (version === DEFAULT_PYODIDE && backend === "pyo3") {
    writeFileSync(path.join(REPO_ROOT, "build", "pyodide-timings.json"), timingsJson);
  }

  pyodide.FS.mkdirTree(MOUNT);
  pyodide.mountNodeFS(MOUNT, REPO_ROOT);
  pyodide.globals.set("pytest_args", pyodide.toPy(pytestArgs));
  const code = pyodide.runPython(`
import os, sys, pytest
os.chdir(${JSON.stringify(MOUNT)})
# No .pytest_cache in the repo; report the runtime in the header.
int(pytest.main(["-p", "no:cacheprovider", *pytest_args]))
`);
  return code;
}

const args = process.argv.slice(2);
let version = DEFAULT_PYODIDE;
let engine = "auto";
while (args[0] === "--pyodide" || args[0] === "--engine") {
  const [option, value] = args.splice(0, 2);
  if (option === "--pyodide") version = value;
  else engine = value;
}
let status;
try {
  if (!["auto", "pyo3", "wasm-bindgen"].includes(engine)) {
    throw new Error(`--engine ${engine}: expected pyo3, wasm-bindgen or auto`);
  }
  status = await main(args.length > 0 ? args : ["tests/python"], version, engine);
  if (status === 5) {
    console.log("pyodide: pytest collected no tests (exit 5): counted as a failure");
  }
} catch (err) {
  console.error(`pyodide: set-up failed: ${err.stack ?? err}`);
  status = 3;
}
process.exit(status);
