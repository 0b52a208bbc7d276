/** Types of liveimport-pyodide (see index.js for the full documentation). */

/** Pyodide major version of the newest platform wheel (314). */
export const PYODIDE_MAJOR: number;
/** That platform wheel's platform tag, "pyemscripten_2026_0_wasm32". */
export const PLATFORM_TAG: string;
/** The oldest Pyodide supported, "0.26.0". */
export const MIN_PYODIDE: string;
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

/** One wheel of `wheels/manifest.json`. */
export interface ManifestWheel {
  wheel: string;
  platform?: string;
  python?: string;
  /** The Pyodide release lines a platform wheel is for (["314"], ["0.28", "0.29"]); null for the universal wheel. */
  pyodide?: string[] | null;
  sha256?: string;
  size?: number;
}

/** The manifest's wheel for a Pyodide version: its platform wheel, else the universal one. */
export function selectWheel<W extends ManifestWheel>(
  wheels: W[],
  pyodideVersion: string
): W;

/** Where the bundled wheel for a Pyodide version (default 314) is, from `wheels/manifest.json`. */
export function findBundledWheel(
  baseUrl?: string | URL,
  pyodideVersion?: string
): Promise<{
  url: URL;
  wheel: string;
  version: string;
  platform: string;
  pyodide: string[] | null;
}>;

/**
 * Install LiveImport into a Pyodide instance (0.26 or later) so that `import liveimport` works.
 * @throws TypeError when `pyodide` is not a Pyodide instance.
 * @throws LiveImportInstallError on a too old Pyodide, a missing wheel, a failed
 *   loadPackage, or liveimport already imported from elsewhere.
 */
export function installLiveImport(
  pyodide: object,
  options?: InstallOptions
): Promise<InstallResult>;
