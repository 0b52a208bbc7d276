/**
 * Shared helpers for running Pyodide 314 under Node against this repository:
 * the test harness (run-tests.mjs), the node:test files (*.test.mjs) and the
 * demo (scripts/demo.mjs) use them.
 *
 * Everything is offline: Pyodide comes from npm (node_modules/pyodide), the
 * pure-Python wheels (pytest, IPython, micropip) from the cache filled by
 * scripts/setup.sh, the LiveImport wheel from js/wheels (scripts/build.sh).
 */
import { loadPyodide } from "pyodide";
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The cache directory (LIVEIMPORT_CACHE, default ~/.cache/liveimport-dev). */
export const CACHE_DIR = process.env.LIVEIMPORT_CACHE || path.join(homedir(), ".cache", "liveimport-dev");

/** Directory of the pure-Python wheels for Pyodide (see scripts/fetch_pyodide_wheels.py). */
export const PYODIDE_WHEELS_DIR = path.join(CACHE_DIR, "pyodide-wheels");

/**
 * Absolute paths of one downloaded wheel set.
 * @param {"test" | "micropip"} set which set of scripts/fetch_pyodide_wheels.py.
 * @returns {string[]}
 * @throws {Error} when the index is missing (scripts/setup.sh was not run).
 */
export function wheelSet(set) {
  const indexPath = path.join(PYODIDE_WHEELS_DIR, "index.json");
  let index;
  try {
    index = JSON.parse(readFileSync(indexPath, "utf8"));
  } catch (err) {
    throw new Error(`${indexPath} unreadable (run scripts/setup.sh): ${err.message}`, { cause: err });
  }
  if (!Array.isArray(index[set])) {
    throw new Error(`${indexPath} has no wheel set "${set}"`);
  }
  return index[set].map((name) => path.join(PYODIDE_WHEELS_DIR, name));
}

/**
 * Boot a Pyodide instance whose stdout/stderr go straight to this process's.
 * @param {object} [options]
 * @param {boolean} [options.quiet] drop Python's output instead.
 * @returns {Promise<object>} the Pyodide instance.
 */
export async function bootPyodide({ quiet = false } = {}) {
  const write = (stream) => ({
    write(bytes) {
      if (!quiet) stream.write(bytes);
      return bytes.length;
    },
  });
  const pyodide = await loadPyodide({ stdout: () => {}, stderr: () => {} });
  pyodide.setStdout(write(process.stdout));
  pyodide.setStderr(write(process.stderr));
  return pyodide;
}

/**
 * Install local wheels into a Pyodide instance with its own loadPackage.
 * @param {object} pyodide
 * @param {string[]} files absolute paths of .whl files.
 * @throws {Error} listing loadPackage's error messages when any wheel fails.
 */
export async function installWheels(pyodide, files) {
  const errors = [];
  await pyodide.loadPackage(files, {
    messageCallback: () => {},
    errorCallback: (message) => errors.push(message),
    checkIntegrity: false,
  });
  if (errors.length > 0) {
    throw new Error(`loadPackage failed: ${errors.join("; ")}`);
  }
}

/** Milliseconds since `start` (a performance.now() value), rounded to 0.1 ms. */
export function msSince(start) {
  return Math.round((performance.now() - start) * 10) / 10;
}
