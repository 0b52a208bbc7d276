/**
 * node:test checks of loading Pyodide packages along the module graph (issue 20):
 * in every Pyodide of the matrix, `liveimport._packages.prepare(cell)` loads the
 * lock-file packages that workspace modules import (transitively) before they run,
 * with Pyodide's own loadPackage, and says so in one line.
 *
 * Offline: the lock packages tblib, iniconfig and pycparser come from
 * $LIVEIMPORT_CACHE/pyodide-lock-packages/VERSION (scripts/setup.sh:
 * fetch_pyodide_wheels.py --lock-packages), given to loadPyodide as its package
 * cache (`packageCacheDir`), with that folder's copy of the lock
 * (`lockFileURL`: the lock's sha256 of those files).
 *
 * The cases (packages-cases.mjs, one process per Pyodide): a %%liveimport cell whose module
 * imports a lock package; an edit adding a second, loaded before the sync reloads the module;
 * a plain cell importing a workspace module that needs a third through another module; an
 * import no lock provides (one line naming module, import line and `%pip install NAME`), and
 * an edit adding it (the module's last good version stays); a load that never finishes
 * (reported as failed after the timeout).
 *
 * Run: node --test tests/pyodide/ (after scripts/build.sh).
 */
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";
import { PYODIDE_VERSIONS } from "./env.mjs";

const CASES = path.join(path.dirname(fileURLToPath(import.meta.url)), "packages-cases.mjs");

for (const version of PYODIDE_VERSIONS) {
  test(`Pyodide ${version}: packages that workspace modules import are loaded before they run`, () => {
    const run = spawnSync(process.execPath, [CASES, version], {
      encoding: "utf8",
    });
    assert.equal(run.status, 0, `packages-cases.mjs ${version} failed:\n${run.stdout}\n${run.stderr}`);
  });
}
