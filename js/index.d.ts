/** Types of liveimport-pyodide (see index.js for the full documentation). */

/** Pyodide major version the engine is built for (314). */
export const PYODIDE_MAJOR: number;
/** The wheel's platform tag, "pyemscripten_2026_0_wasm32". */
export const PLATFORM_TAG: string;
/** Name of the package in `pyodide.loadedPackages`, "liveimport_lite". */
export const PACKAGE_NAME: string;

/** Raised when LiveImport cannot be installed into a Pyodide instance. */
export class LiveImportInstallError extends Error {
  constructor(message: string, options?: { cause?: unknown });
}

export interface InstallOptions {
  /** URL, or in Node a file path or `file:` URL, of the Pyodide wheel. Default: the bundled wheel. */
  wheelUrl?: string | URL;
  /** Receives loadPackage's progress messages (default: dropped). */
  messageCallback?: (message: string) => void;
  /** Receives loadPackage's error messages (they are also in the thrown error). */
  errorCallback?: (message: string) => void;
}

export interface InstallResult {
  /** Version of the installed distribution liveimport-lite. */
  version: string;
  /** URL or path of the wheel installed by this call ("" when already installed). */
  wheel: string;
  /** Directory of the `liveimport` package in the instance's file system. */
  location: string;
  /** True when the package was installed before this call (nothing was done). */
  alreadyInstalled: boolean;
}

/** Where the bundled wheel is, from `wheels/manifest.json` next to the module (or under baseUrl). */
export function findBundledWheel(
  baseUrl?: string | URL,
): Promise<{ url: URL; wheel: string; version: string; platform: string }>;

/**
 * Install LiveImport into a Pyodide 314 instance so that `import liveimport` works.
 * @throws TypeError when `pyodide` is not a Pyodide instance.
 * @throws LiveImportInstallError on a wrong Pyodide version, a missing wheel, a failed
 *   loadPackage, or liveimport already imported from elsewhere.
 */
export function installLiveImport(pyodide: object, options?: InstallOptions): Promise<InstallResult>;
