/**
 * liveimport-pyodide: make `import liveimport` work in a Pyodide instance, any
 * Pyodide from 0.26 on.
 *
 * The package carries LiveImport (the Python package plus its Rust engine) as
 * wheels in `wheels/`, described by `wheels/manifest.json`:
 * `{"version": "<x.y.z>", "wheels": [{"wheel": "<file>.whl", "platform",
 * "python", "pyodide", "sha256", "size"}, ...]}`:
 * - a platform wheel per Pyodide ABI, whose engine is a pyo3 extension module
 *   (a wasm32 Emscripten side module), `"pyodide"` listing the Pyodide release
 *   lines it is for: `cp314-cp314-pyemscripten_2026_0_wasm32` (`["314"]`) and
 *   `cp313-cp313-pyodide_2025_0_wasm32` (`["0.28", "0.29"]`);
 * - the universal wheel (`py3-none-any`, `"pyodide": null`), whose engine is a
 *   wasm-bindgen WebAssembly module loaded through Pyodide's FFI: every other
 *   Pyodide (0.26, 0.27, 315, ...).
 * `installLiveImport` picks the one for the running Pyodide ({@link selectWheel})
 * and has Pyodide's own `loadPackage` unpack it into the instance's
 * site-packages.
 *
 * Works in Node (reads the wheel from disk) and in browsers and web workers
 * (fetches it from a URL next to this module, or from `options.wheelUrl`).
 *
 * @module liveimport-pyodide
 */

/** Pyodide major version (= CPython 3.14, Emscripten ABI 2026_0) of the newest platform wheel. */
export const PYODIDE_MAJOR = 314;

/** That platform wheel's platform tag (PEP 783), matching Pyodide 314's ABI. */
export const PLATFORM_TAG = 'pyemscripten_2026_0_wasm32';

/** The oldest Pyodide LiveImport runs in (Python 3.12; the universal wheel). */
export const MIN_PYODIDE = '0.26.0';

/** Name of the package in `pyodide.loadedPackages` (the wheel's distribution name). */
export const PACKAGE_NAME = 'liveimport_lite';

/**
 * Raised by {@link installLiveImport} when LiveImport cannot be installed: a
 * Pyodide older than {@link MIN_PYODIDE}, missing or unreadable wheel or manifest, a failed
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
    this.name = 'LiveImportInstallError';
  }
}

const IN_NODE =
  typeof process === 'object' &&
  process !== null &&
  typeof process.versions?.node === 'string' &&
  typeof window === 'undefined' &&
  typeof importScripts === 'undefined';

/**
 * Read the bytes at `url`: from disk for `file:` URLs in Node, with `fetch` otherwise.
 * @param {URL} url
 * @returns {Promise<Uint8Array>}
 * @throws {LiveImportInstallError} when the file or URL cannot be read.
 */
async function readBytes(url) {
  try {
    if (url.protocol === 'file:') {
      if (!IN_NODE) {
        throw new Error('file: URLs can only be read in Node');
      }
      const { readFile } = await import('node:fs/promises');
      return new Uint8Array(await readFile(url));
    }
    const response = await fetch(url);
    if (!response.ok) {
      throw new Error(`HTTP ${response.status} ${response.statusText}`);
    }
    return new Uint8Array(await response.arrayBuffer());
  } catch (err) {
    throw new LiveImportInstallError(
      `cannot read ${url.href}: ${err.message}`,
      { cause: err }
    );
  }
}

/**
 * `[major, minor]` of a Pyodide version string (`"0.27.7"` → `[0, 27]`,
 * `"315.0.0-alpha.2"` → `[315, 0]`); `null` when it is not one.
 * @param {string} version
 * @returns {[number, number] | null}
 */
function pyodideRelease(version) {
  const match = /^(\d+)\.(\d+)/.exec(String(version));
  return match ? [Number(match[1]), Number(match[2])] : null;
}

/**
 * The wheel of a manifest for a Pyodide version: the platform wheel whose
 * `pyodide` lists that version's release line when there is one (`"314"` for
 * any 314.x, `"0.29"` for any 0.29.x: the pyo3 engine), otherwise the
 * universal `py3-none-any` wheel (the wasm-bindgen engine, any Pyodide from
 * {@link MIN_PYODIDE} on). Micropip and piplite choose the same way from an
 * index listing them all, by the wheels' platform tags.
 *
 * @template {{wheel: string, pyodide?: string[] | null}} W
 * @param {W[]} wheels the manifest's `wheels`.
 * @param {string} pyodideVersion e.g. `pyodide.version`.
 * @returns {W}
 * @throws {LiveImportInstallError} for a Pyodide older than {@link MIN_PYODIDE}
 *   or an unparsable version, or when no wheel fits.
 */
export function selectWheel(wheels, pyodideVersion) {
  const release = pyodideRelease(pyodideVersion);
  const [minMajor, minMinor] = pyodideRelease(MIN_PYODIDE);
  if (
    release === null ||
    release[0] < minMajor ||
    (release[0] === minMajor && release[1] < minMinor)
  ) {
    throw new LiveImportInstallError(
      `LiveImport needs Pyodide ${MIN_PYODIDE} or later, this instance is Pyodide ${pyodideVersion}`
    );
  }
  const lines = [`${release[0]}`, `${release[0]}.${release[1]}`];
  const chosen =
    wheels.find(
      w =>
        Array.isArray(w.pyodide) && w.pyodide.some(line => lines.includes(line))
    ) ?? wheels.find(w => w.pyodide === null || w.pyodide === undefined);
  if (chosen === undefined) {
    throw new LiveImportInstallError(
      `no bundled wheel fits Pyodide ${pyodideVersion}`
    );
  }
  return chosen;
}

/**
 * Where the bundled wheel for a Pyodide version is: reads `wheels/manifest.json`
 * next to this module (or under `baseUrl`) and picks with {@link selectWheel}.
 *
 * @param {string | URL} [baseUrl] folder holding `manifest.json` and the wheels
 *   (default: the `wheels/` folder of this package).
 * @param {string} [pyodideVersion] the running Pyodide's version (default:
 *   `"314.0.0"`, the platform wheel).
 * @returns {Promise<{url: URL, wheel: string, version: string, platform: string, pyodide: string[] | null}>}
 * @throws {LiveImportInstallError} when the manifest is missing, unreadable or
 *   names no wheel (a package built without `scripts/build.sh`), or no wheel
 *   fits that Pyodide.
 */
export async function findBundledWheel(
  baseUrl,
  pyodideVersion = `${PYODIDE_MAJOR}.0.0`
) {
  const base =
    baseUrl === undefined
      ? new URL('./wheels/', import.meta.url)
      : new URL(baseUrl, import.meta.url);
  const manifestUrl = new URL(
    'manifest.json',
    base.href.endsWith('/') ? base : new URL(base.href + '/')
  );
  const text = new TextDecoder().decode(await readBytes(manifestUrl));
  let manifest;
  try {
    manifest = JSON.parse(text);
  } catch (err) {
    throw new LiveImportInstallError(
      `${manifestUrl.href} is not JSON: ${err.message}`,
      { cause: err }
    );
  }
  const wheels = Array.isArray(manifest?.wheels)
    ? manifest.wheels.filter(
        w => typeof w?.wheel === 'string' && w.wheel.endsWith('.whl')
      )
    : [];
  if (wheels.length === 0) {
    throw new LiveImportInstallError(`${manifestUrl.href} names no wheel`);
  }
  const chosen = selectWheel(wheels, pyodideVersion);
  return {
    url: new URL(chosen.wheel, manifestUrl),
    wheel: chosen.wheel,
    version: String(manifest.version ?? ''),
    platform: String(chosen.platform ?? ''),
    pyodide: Array.isArray(chosen.pyodide) ? chosen.pyodide.map(String) : null
  };
}

/**
 * Install LiveImport into a Pyodide instance, so that Python code in it can
 * `import liveimport`. Call it once per instance, before the first
 * `import liveimport`; calling it again once installed does nothing.
 *
 * @param {object} pyodide the instance returned by `loadPyodide()` (Pyodide 0.26 or later).
 * @param {object} [options]
 * @param {string | URL} [options.wheelUrl] URL (or, in Node, file path or `file:`
 *   URL) of the wheel to install. Default: the wheel of `wheels/manifest.json`
 *   next to this module that fits the instance ({@link selectWheel}).
 * @param {(message: string) => void} [options.messageCallback] receives
 *   `loadPackage`'s progress messages (default: dropped).
 * @param {(message: string) => void} [options.errorCallback] receives
 *   `loadPackage`'s error messages (they also end up in the thrown error).
 * @returns {Promise<{version: string, wheel: string, location: string, alreadyInstalled: boolean}>}
 *   the installed distribution's version, the wheel's URL or path, the
 *   directory of the `liveimport` package inside the instance's file system,
 *   and whether it was installed before this call.
 * @throws {TypeError} when `pyodide` is not a Pyodide instance.
 * @throws {LiveImportInstallError} when the instance is older than Pyodide 0.26; when
 *   the wheel or its manifest cannot be read; when `loadPackage` reports an
 *   error; when `liveimport` was imported in this instance from another
 *   installation; or when the package is not importable afterwards.
 */
export async function installLiveImport(pyodide, options = {}) {
  if (
    pyodide === null ||
    typeof pyodide !== 'object' ||
    typeof pyodide.loadPackage !== 'function' ||
    typeof pyodide.runPython !== 'function' ||
    typeof pyodide.version !== 'string'
  ) {
    throw new TypeError(
      'installLiveImport: expected a Pyodide instance (the result of loadPyodide())'
    );
  }
  selectWheel([{ wheel: '-.whl', pyodide: null }], pyodide.version); // refuses too old a Pyodide

  const alreadyInstalled = pyodide.loadedPackages?.[PACKAGE_NAME] !== undefined;
  let wheel = '';
  if (!alreadyInstalled) {
    if (pyodide.runPython("import sys; 'liveimport' in sys.modules")) {
      throw new LiveImportInstallError(
        'liveimport is already imported in this Pyodide instance from elsewhere; install before the first import'
      );
    }
    let target;
    if (options.wheelUrl !== undefined) {
      target =
        options.wheelUrl instanceof URL
          ? options.wheelUrl
          : String(options.wheelUrl);
    } else {
      target = (await findBundledWheel(undefined, pyodide.version)).url;
    }
    if (target instanceof URL) {
      if (target.protocol === 'file:') {
        if (!IN_NODE) {
          throw new LiveImportInstallError(
            `cannot load ${target.href} outside Node: pass options.wheelUrl`
          );
        }
        const { fileURLToPath } = await import('node:url');
        target = fileURLToPath(target);
      } else {
        target = target.href;
      }
    }
    wheel = target;
    if (IN_NODE && !target.includes('://')) {
      const { access } = await import('node:fs/promises');
      try {
        await access(target);
      } catch (err) {
        throw new LiveImportInstallError(
          `wheel not found: ${target} (run scripts/build.sh)`,
          { cause: err }
        );
      }
    }
    const errors = [];
    let loaded;
    try {
      loaded = await pyodide.loadPackage(target, {
        messageCallback: options.messageCallback ?? (() => {}),
        errorCallback: message => {
          errors.push(message);
          options.errorCallback?.(message);
        },
        checkIntegrity: false
      });
    } catch (err) {
      throw new LiveImportInstallError(
        `loading ${target} failed: ${err.message}`,
        { cause: err }
      );
    }
    if (errors.length > 0 || !Array.isArray(loaded) || loaded.length === 0) {
      throw new LiveImportInstallError(
        `loading ${target} failed${errors.length > 0 ? ': ' + errors.join('; ') : ''}`
      );
    }
  }

  const scratch = pyodide.globals.get('dict')();
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
      { globals: scratch }
    );
  } finally {
    scratch.destroy();
  }
  const { location, version } = JSON.parse(info);
  if (!location) {
    throw new LiveImportInstallError(
      `${wheel || PACKAGE_NAME} is installed but the liveimport package is not importable`
    );
  }
  return { version, wheel, location, alreadyInstalled };
}
