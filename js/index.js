/**
 * liveimport-pyodide: make `import liveimport` work in a Pyodide 314 instance.
 *
 * The package carries the Pyodide build of LiveImport (the Python package plus
 * the Rust engine `liveimport._engine`, a wasm32 Emscripten side module) as a
 * wheel in `wheels/`, described by `wheels/manifest.json`:
 * `{"wheel": "<file>.whl", "version": "<x.y.z>", "platform": "pyemscripten_2026_0_wasm32"}`.
 * `installLiveImport` has Pyodide's own `loadPackage` unpack that wheel into the
 * instance's site-packages and load the engine's shared library.
 *
 * Works in Node (reads the wheel from disk) and in browsers and web workers
 * (fetches it from a URL next to this module, or from `options.wheelUrl`).
 *
 * @module liveimport-pyodide
 */

/** Pyodide major version (= CPython 3.14, Emscripten ABI 2026_0) the engine is built for. */
export const PYODIDE_MAJOR = 314;

/** The wheel's platform tag (PEP 783), matching Pyodide 314's ABI. */
export const PLATFORM_TAG = "pyemscripten_2026_0_wasm32";

/** Name of the package in `pyodide.loadedPackages` (the wheel's distribution name). */
export const PACKAGE_NAME = "liveimport_lite";

/**
 * Raised by {@link installLiveImport} when LiveImport cannot be installed: wrong
 * Pyodide version, missing or unreadable wheel or manifest, a failed
 * `loadPackage`, or an instance where `liveimport` is already imported.
 * `cause` holds the underlying error when there is one.
 */
export class LiveImportInstallError extends Error {
  /**
   * @param {string} message
   * @param {{cause?: unknown}} [options]
   */
  constructor(message, options) {
    super(message, options);
    this.name = "LiveImportInstallError";
  }
}

const IN_NODE =
  typeof process === "object" &&
  process !== null &&
  typeof process.versions?.node === "string" &&
  typeof window === "undefined" &&
  typeof importScripts === "undefined";

/**
 * Read the bytes at `url`: from disk for `file:` URLs in Node, with `fetch` otherwise.
 * @param {URL} url
 * @returns {Promise<Uint8Array>}
 * @throws {LiveImportInstallError} when the file or URL cannot be read.
 */
async function readBytes(url) {
  try {
    if (url.protocol === "file:") {
      if (!IN_NODE) {
        throw new Error("file: URLs can only be read in Node");
      }
      const { readFile } = await import("node:fs/promises");
      return new Uint8Array(await readFile(url));
    }
    const response = await fetch(url);
    if (!response.ok) {
      throw new Error(`HTTP ${response.status} ${response.statusText}`);
    }
    return new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    throw new LiveImportInstallError(`cannot read ${url.href}: ${err.message}`, { cause: err });
  }
}

/**
 * Where the bundled wheel is: reads `wheels/manifest.json` next to this module
 * (or under `baseUrl`).
 *
 * @param {string | URL} [baseUrl] folder holding `manifest.json` and the wheel
 *   (default: the `wheels/` folder of this package).
 * @returns {Promise<{url: URL, wheel: string, version: string, platform: string}>}
 * @throws {LiveImportInstallError} when the manifest is missing, unreadable or
 *   names no wheel (a package built without `scripts/build.sh`).
 */
export async function findBundledWheel(baseUrl) {
  const base = baseUrl === undefined ? new URL("./wheels/", import.meta.url) : new URL(baseUrl, import.meta.url);
  const manifestUrl = new URL("manifest.json", base.href.endsWith("/") ? base : new URL(base.href + "/"));
  const text = new TextDecoder().decode(await readBytes(manifestUrl));
  let manifest;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new LiveImportInstallError(`${manifestUrl.href} is not JSON: ${err.message}`, { cause: err });
  }
  if (typeof manifest?.wheel !== "string" || !manifest.wheel.endsWith(".whl")) {
    throw new LiveImportInstallError(`${manifestUrl.href} names no wheel`);
  }
  return {
    url: new URL(manifest.wheel, manifestUrl),
    wheel: manifest.wheel,
    version: String(manifest.version ?? ""),
    platform: String(manifest.platform ?? ""),
  };
}

/**
 * Install LiveImport into a Pyodide instance, so that Python code in it can
 * `import liveimport`. Call it once per instance, before the first
 * `import liveimport`; calling it again once installed does nothing.
 *
 * @param {object} pyodide the instance returned by `loadPyodide()` (Pyodide 314.x).
 * @param {object} [options]
 * @param {string | URL} [options.wheelUrl] URL (or, in Node, file path or `file:`
 *   URL) of the Pyodide wheel to install. Default: the wheel named by
 *   `wheels/manifest.json` next to this module.
 * @param {(message: string) => void} [options.messageCallback] receives
 *   `loadPackage`'s progress messages (default: dropped).
 * @param {(message: string) => void} [options.errorCallback] receives
 *   `loadPackage`'s error messages (they also end up in the thrown error).
 * @returns {Promise<{version: string, wheel: string, location: string, alreadyInstalled: boolean}>}
 *   the installed distribution's version, the wheel's URL or path, the
 *   directory of the `liveimport` package inside the instance's file system,
 *   and whether it was installed before this call.
 * @throws {TypeError} when `pyodide` is not a Pyodide instance.
 * @throws {LiveImportInstallError} when the instance is not Pyodide 314.x; when
 *   the wheel or its manifest cannot be read; when `loadPackage` reports an
 *   error; when `liveimport` was imported in this instance from another
 *   installation; or when the package is not importable afterwards.
 */
export async function installLiveImport(pyodide, options = {}) {
  if (
    pyodide === null ||
    typeof pyodide !== "object" ||
    typeof pyodide.loadPackage !== "function" ||
    typeof pyodide.runPython !== "function" ||
    typeof pyodide.version !== "string"
  ) {
    throw new TypeError("installLiveImport: expected a Pyodide instance (the result of loadPyodide())");
  }
  const major = Number.parseInt(pyodide.version.split(".")[0], 10);
  if (major !== PYODIDE_MAJOR) {
    throw new LiveImportInstallError(
      `LiveImport's engine is built for Pyodide ${PYODIDE_MAJOR}.x (${PLATFORM_TAG}), this instance is Pyodide ${pyodide.version}`,
    );
  }

  const alreadyInstalled = pyodide.loadedPackages?.[PACKAGE_NAME] !== undefined;
  let wheel = "";
  if (!alreadyInstalled) {
    if (pyodide.runPython("import sys; 'liveimport' in sys.modules")) {
      throw new LiveImportInstallError(
        "liveimport is already imported in this Pyodide instance from elsewhere; install before the first import",
      );
    }
    let target;
    if (options.wheelUrl !== undefined) {
      target = options.wheelUrl instanceof URL ? options.wheelUrl : String(options.wheelUrl);
    } else {
      target = (await findBundledWheel()).url;
    }
    if (target instanceof URL) {
      if (target.protocol === "file:") {
        if (!IN_NODE) {
          throw new LiveImportInstallError(`cannot load ${target.href} outside Node: pass options.wheelUrl`);
        }
        const { fileURLToPath } = await import("node:url");
        target = fileURLToPath(target);
      } else {
        target = target.href;
      }
    }
    wheel = target;
    if (IN_NODE && !target.includes("://")) {
      const { access } = await import("node:fs/promises");
      try {
        await access(target);
      } catch (err) {
        throw new LiveImportInstallError(`wheel not found: ${target} (run scripts/build.sh)`, { cause: err });
      }
    }
    const errors = [];
    let loaded;
    try {
      loaded = await pyodide.loadPackage(target, {
        messageCallback: options.messageCallback ?? (() => {}),
        errorCallback: (message) => {
          errors.push(message);
          options.errorCallback?.(message);
        },
        checkIntegrity: false,
      });
    } catch (err) {
      throw new LiveImportInstallError(`loading ${target} failed: ${err.message}`, { cause: err });
    }
    if (errors.length > 0 || !Array.isArray(loaded) || loaded.length === 0) {
      throw new LiveImportInstallError(
        `loading ${target} failed${errors.length > 0 ? ": " + errors.join("; ") : ""}`,
      );
    }
  }

  const scratch = pyodide.globals.get("dict")();
  let info;
  try {
    info = pyodide.runPython(
      `
import importlib, importlib.metadata, importlib.util, json
importlib.invalidate_caches()
spec = importlib.util.find_spec("liveimport")
json.dumps({
    "location": (list(spec.submodule_search_locations) or [""])[0] if spec else None,
    "version": importlib.metadata.version("${PACKAGE_NAME}") if spec else None,
})
`,
      { globals: scratch },
    );
  } finally {
    scratch.destroy();
  }
  const { location, version } = JSON.parse(info);
  if (!location) {
    throw new LiveImportInstallError(`${wheel || PACKAGE_NAME} is installed but the liveimport package is not importable`);
  }
  return { version, wheel, location, alreadyInstalled };
}
