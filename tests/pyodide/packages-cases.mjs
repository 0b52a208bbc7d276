/**
 * The cases of packages.test.mjs for one Pyodide (a process of its own: Pyodides of
 * different versions cannot share one Node process). Exit status 0 when all pass.
 *
 * Usage: node tests/pyodide/packages-cases.mjs VERSION
 */
import { installLiveImport } from "liveimport-pyodide";
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CACHE_DIR, bootPyodide } from "./env.mjs";

/** Boot `version` with the lock packages as its only package source; collect its output. */
async function boot(version) {
  const source = path.join(CACHE_DIR, "pyodide-lock-packages", version);
  const files = JSON.parse(readFileSync(path.join(source, "index.json"), "utf8"));
  const cache = mkdtempSync(path.join(tmpdir(), "liveimport-packages-"));
  for (const file of Object.values(files)) copyFileSync(path.join(source, file), path.join(cache, file));
  const pyodide = await bootPyodide({
    version,
    load: {
      packageCacheDir: cache,
      lockFileURL: path.join(source, "pyodide-lock.json"),
    },
  });
  const out = [];
  const err = [];
  pyodide.setStdout({ batched: (line) => out.push(line) });
  pyodide.setStderr({ batched: (line) => err.push(line) });
  await installLiveImport(pyodide);
  return {
    pyodide,
    out,
    err,
    cleanup: () => rmSync(cache, { recursive: true, force: true }),
  };
}

/**
 * Run `cell` as a kernel would: prepare (awaited), then the cell. Returns the lines printed
 * meanwhile and the cell's error (`error`: its last line, `traceback`: all of it).
 */
async function cell(session, code, { sync = true } = {}) {
  session.out.length = 0;
  session.err.length = 0;
  session.pyodide.globals.set("_cell", code);
  session.pyodide.globals.set("_sync", sync);
  await session.pyodide.runPythonAsync("await liveimport._packages.prepare(_cell, sync=_sync)");
  const body = code.replace(/^%%liveimport.*\n/, "");
  let error = null;
  let traceback = "";
  try {
    await session.pyodide.runPythonAsync(body);
  } catch (e) {
    traceback = String(e.message);
    error = traceback.trim().split("\n").pop();
  }
  return { out: [...session.out], err: [...session.err], error, traceback };
}

const SETUP = `
import os, sys, time
os.makedirs("/tmp/ws", exist_ok=True)
os.chdir("/tmp/ws")
sys.path.insert(0, "/tmp/ws")
def write(name, text):
    with open(name, "w") as f:
        f.write(text)
    later = time.time() + write.bump
    write.bump += 10
    os.utime(name, (later, later))
write.bump = 10
write("helpers.py", "import os\\nimport tblib\\n\\ndef kind():\\n    return tblib.__name__\\n")
write("plots.py", "import deep\\nVALUE = deep.VALUE\\n")
write("deep.py", "from pycparser import c_ast\\nVALUE = c_ast.__name__\\n")
write("broken.py", "import json\\nimport no_such_package_xyz\\n")
import liveimport
import liveimport._packages
`;

const version = process.argv[2];
const session = await boot(version);
try {
  const { pyodide } = session;
  pyodide.runPython(SETUP);
  assert.equal(
    pyodide.runPython("'tblib' in sys.modules or __import__('importlib').util.find_spec('tblib') is not None"),
    false,
  );

  // 1. A %%liveimport cell whose module imports a lock package.
  let ran = await cell(
    session,
    "%%liveimport\nfrom helpers import kind\nliveimport.register(globals(), 'from helpers import kind')\n",
  );
  assert.deepEqual(ran.out, ["Loaded tblib for helpers.py"]);
  assert.deepEqual([ran.err, ran.error], [[], null]);
  assert.equal(pyodide.runPython("kind()"), "tblib");

  // 2. An edit that adds a second: loaded before the sync reloads the module.
  pyodide.runPython(
    `write("helpers.py", "import tblib\\nimport iniconfig\\n\\ndef kind():\\n    return iniconfig.__name__\\n")`,
  );
  ran = await cell(session, "liveimport.sync()\nresult = kind()\n");
  assert.deepEqual(ran.out, ["Loaded iniconfig for helpers.py"]);
  assert.deepEqual([ran.err, ran.error], [[], null]);
  assert.equal(pyodide.runPython("result"), "iniconfig");

  // 3. A plain cell importing a workspace module that needs a third, through another module.
  ran = await cell(session, "import plots\nvalue = plots.VALUE\n", {
    sync: false,
  });
  assert.deepEqual(ran.out, ["Loaded pycparser for deep.py"]);
  assert.deepEqual([ran.err, ran.error], [[], null]);
  assert.equal(pyodide.runPython("value"), "pycparser.c_ast");

  // Nothing new: nothing printed, nothing loaded.
  ran = await cell(session, "import helpers, plots\nx = 1\n");
  assert.deepEqual([ran.out, ran.err, ran.error], [[], [], null]);

  // 4. A package no lock file provides: one line naming the module, the import and what to do.
  ran = await cell(session, "import broken\n", { sync: false });
  assert.deepEqual(ran.out, []);
  assert.deepEqual(ran.err, [
    "broken.py, line 2: import no_such_package_xyz: no package of this Pyodide provides " +
      "'no_such_package_xyz'; install it with %pip install no_such_package_xyz",
  ]);
  assert.match(ran.error, /ModuleNotFoundError: No module named 'no_such_package_xyz'/);

  // ... and an edit that adds it keeps the module's last good version.
  pyodide.runPython(`write("helpers.py", "import no_such_package_xyz\\n\\ndef kind():\\n    return 'new'\\n")`);
  ran = await cell(
    session,
    "try:\n    liveimport.sync()\nexcept liveimport.ModuleError as e:\n    failed = repr(e.__cause__)\n",
  );
  assert.deepEqual(ran.out, []);
  assert.match(
    ran.err.join("\n"),
    /^helpers\.py, line 1: import no_such_package_xyz: .*%pip install no_such_package_xyz$/,
  );
  assert.equal(ran.error, null);
  assert.match(pyodide.runPython("failed"), /ModuleNotFoundError/);
  assert.equal(pyodide.runPython("kind()"), "iniconfig");

  // The timeout setting: a positive number of seconds.
  assert.throws(() => pyodide.runPython("liveimport._packages.load_packages(timeout=0)"), /ValueError/);

  // A load that never finishes is reported as failed after the timeout; the cell runs on.
  pyodide.loadPackage = () => new Promise(() => {});
  pyodide.runPython(`write("slow.py", "import micropip\\n")\nliveimport._packages.load_packages(timeout=0.3)`);
  const started = Date.now();
  ran = await cell(session, "import slow\n", { sync: false });
  assert.ok(Date.now() - started < 20000, "the timeout ended the wait");
  assert.deepEqual(ran.out, []);
  assert.deepEqual(ran.err, [
    "slow.py, line 1: import micropip: the Pyodide package micropip could not be loaded " +
      "(not loaded within 0.3 s); try %pip install micropip",
  ]);
  assert.match(ran.traceback, /ModuleNotFoundError: No module named 'micropip'/);
} finally {
  session.cleanup();
}
console.log(`pyodide ${version}: the cases pass`);
// A load's timeout timer (asyncio.wait_for in the webloop: a setTimeout) would keep Node alive.
process.exit(0);
