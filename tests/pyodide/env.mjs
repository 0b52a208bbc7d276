/**
 * Shared helpers for running Pyodide under Node against this repository: the
 * test harness (run-tests.mjs), the node:test files (*.test.mjs) and the demo
 * (scripts/demo.mjs) use them.
 *
 * Everything is offline: Pyodide comes from npm (`pyodide` is 314.0.7; the
 * other versions of {@link PYODIDE_VERSIONS} are installed under the aliases
 * `pyodide-VERSION`, see package.json; all in the npm workspace's node_modules
 * at the repository root), the pure-Python wheels (pytest,
 * IPython, micropip; one set per Pyodide version, fitting its Python) from the
 * cache filled by scripts/setup.sh, the LiveImport wheels from js/wheels
 * (scripts/build.sh).
 */
import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Absolute path of the repository root. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/** The cache directory (LIVEIMPORT_CACHE, default ~/.cache/liveimport-dev). */
export const CACHE_DIR = process.env.LIVEIMPORT_CACHE || path.join(homedir(), ".cache", "liveimport-dev");

/** The Pyodide of the demo, the site and the default test run. */
export const DEFAULT_PYODIDE = "314.0.7";

/**
 * Every Pyodide version the suite runs in (JupyterLite 0.4–0.6: 0.26/0.27,
 * Python 3.12; 0.7: 0.29, Python 3.13; 0.8: 314, Python 3.14; next: 315,
 * Python 3.15). Keep in step with tests/pyodide/package.json and
 * scripts/common.sh (PYODIDE_TEST_VERSIONS).
 */
export const PYODIDE_VERSIONS = ["0.26.4", "0.27.7", "0.29.5", "314.0.7", "315.0.0-alpha.2"];

/** The npm package (name or alias) holding Pyodide `version`. */
export function pyodidePackage(version = DEFAULT_PYODIDE) {
  if (!PYODIDE_VERSIONS.includes(version)) {
    throw new Error(`Pyodide ${version} is not installed for the tests (one of ${PYODIDE_VERSIONS.join(", ")})`);
  }
  return version === DEFAULT_PYODIDE ? "pyodide" : `pyodide-${version}`;
}

/** Directory of the pure-Python wheels for Pyodide `version` (see scripts/fetch_pyodide_wheels.py). */
export function pyodideWheelsDir(version = DEFAULT_PYODIDE) {
  return path.join(CACHE_DIR, "pyodide-wheels", version);
}

/**
 * Absolute paths of one downloaded wheel set.
 * @param {"test" | "micropip"} set which set of scripts/fetch_pyodide_wheels.py.
 * @param {string} [version] the Pyodide version (default {@link DEFAULT_PYODIDE}).
 * @returns {string[]}
 * @throws {Error} when the index is missing (scripts/setup.sh was not run).
 */
export function wheelSet(set, version = DEFAULT_PYODIDE) {
  const dir = pyodideWheelsDir(version);
  const indexPath = path.join(dir, "index.json");
  let index;
  try {
    index = JSON.parse(readFileSync(indexPath, "utf8"));
  } catch (err) {
    throw new Error(`${indexPath} unreadable (run scripts/setup.sh): ${err.message}`, { cause: err });
  }
  if (!Array.isArray(index[set])) {
    throw new Error(`${indexPath} has no wheel set "${set}"`);
  }
  return index[set].map((name) => path.join(dir, name));
}

/** The factory each Pyodide version left in `globalThis._createPyodideModule` ({@link bootPyodide}). */
const MODULE_FACTORIES = new Map();

/**
 * Boot a Pyodide instance whose stdout/stderr go straight to this process's.
 * @param {object} [options]
 * @param {boolean} [options.quiet] drop Python's output instead.
 * @param {string} [options.version] which Pyodide ({@link PYODIDE_VERSIONS}; default 314.0.7).
 * @param {Record<string, string>} [options.env] environment variables of the instance.
 * @param {object} [options.load] further options of loadPyodide (e.g. `packageCacheDir`, `lockFileURL`).
 * @returns {Promise<object>} the Pyodide instance.
 */
export async function bootPyodide({ quiet = false, version = DEFAULT_PYODIDE, env = {}, load = {} } = {}) {
  const { loadPyodide } = await import(pyodidePackage(version));
  // Pyodide 0.26-0.29's pyodide.asm.js, run once per process (an ES import), leaves its factory in
  // the global `_createPyodideModule`, and their loaders take that global when it is set: an
  // older Pyodide booted after a newer one in the same process would run the newer one's. Each
  // version gets its own factory back (314 and later keep theirs to themselves).
  if (MODULE_FACTORIES.has(version)) globalThis._createPyodideModule = MODULE_FACTORIES.get(version);
  else delete globalThis._createPyodideModule;
  const write = (stream) => ({
    write(bytes) {
      if (!quiet) stream.write(bytes);
      return bytes.length;
    },
  });
  const pyodide = await loadPyodide({
    stdout: () => {},
    stderr: () => {},
    env: { HOME: "/home/pyodide", ...env },
    ...load,
  });
  if (typeof globalThis._createPyodideModule === "function") {
    MODULE_FACTORIES.set(version, globalThis._createPyodideModule);
  }
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
