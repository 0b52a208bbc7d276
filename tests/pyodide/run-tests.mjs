#!/usr/bin/env node
/**
 * Run the repository's Python test suite (tests/python) inside Pyodide 314 under Node.
 *
 * Usage: node tests/pyodide/run-tests.mjs [PYTEST_ARGS...]
 *   (default arguments: tests/python; paths are relative to the repository root)
 *
 * Steps: boot Pyodide from npm; installLiveImport() from the liveimport-pyodide
 * package (the Pyodide wheel in js/wheels, built by scripts/build.sh); time
 * `import liveimport`; install pytest and IPython (pure-Python wheels from the
 * cache); mount the repository at /repo (NODEFS, the live files); run pytest there.
 *
 * Prints `pyodide: boot N ms, installLiveImport N ms, import liveimport N ms` and
 * writes the same figures to build/pyodide-timings.json.
 * Exit status: pytest's (0 all passed, 1 failures, 2 interrupted, 3 internal
 * error, 4 usage error, 5 no tests collected), or 3 when set-up fails.
 */
import { installLiveImport } from "liveimport-pyodide";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { REPO_ROOT, bootPyodide, installWheels, msSince, wheelSet } from "./env.mjs";

const MOUNT = "/repo";

async function main(pytestArgs) {
  const timings = {};
  let t = performance.now();
  const pyodide = await bootPyodide();
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
(_ms, _err)
`).toJs();
  const [importMs, importError] = importResult;
  timings.import_ms = Math.round(importMs * 10) / 10;
  console.log(
    `pyodide ${pyodide.version}: boot ${timings.boot_ms} ms, installLiveImport ${timings.install_ms} ms ` +
      `(liveimport-lite ${installed.version}), import liveimport ${timings.import_ms} ms`,
  );
  if (importError) {
    console.log(`import liveimport failed inside Pyodide:\n${importError}`);
    timings.import_error = importError;
  }

  t = performance.now();
  await installWheels(pyodide, wheelSet("test"));
  timings.test_wheels_ms = msSince(t);

  mkdirSync(path.join(REPO_ROOT, "build"), { recursive: true });
  writeFileSync(path.join(REPO_ROOT, "build", "pyodide-timings.json"), JSON.stringify(timings, null, 1) + "\n");

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
let status;
try {
  status = await main(args.length > 0 ? args : ["tests/python"]);
  if (status === 5) {
    console.log("pyodide: pytest collected no tests (exit 5): counted as a failure");
  }
} catch (err) {
  console.error(`pyodide: set-up failed: ${err.stack ?? err}`);
  status = 3;
}
process.exit(status);
