#!/usr/bin/env node
/**
 * Fill the labextension's `static/pypi` folder, the piplite index of the
 * extension (an `all.json` in the PyPI JSON API shape, keyed by package name,
 * with URLs relative to the index), with:
 *
 * - every kernel wheel of LiveImport, of one version, listed under the same
 *   release: the platform wheels (pyo3 engine: Pyodide 314's
 *   `liveimport_lite-*-pyemscripten_2026_0_wasm32.whl`, Pyodide 0.28/0.29's
 *   `liveimport_lite-*-pyodide_2025_0_wasm32.whl`) and the universal wheel
 *   (`liveimport_lite-*-py3-none-any.whl`, wasm-bindgen engine, every other
 *   Pyodide): piplite's micropip picks the platform wheel whose tag fits the
 *   kernel's Pyodide and the universal one elsewhere. They are the wheels of the npm package liveimport-pyodide
 *   (the repository's js/, a package of the same npm workspace and a
 *   devDependency of the extension), listed by its `wheels/manifest.json`
 *   (scripts/build.sh writes both), the same wheels and manifest its
 *   `installLiveImport` picks from;
 * - the pure-Python wheels a JupyterLite 0.8 Pyodide kernel installs through
 *   piplite that Pyodide's own package set lacks (KERNEL_WHEELS: `comm`,
 *   which LiveImport's comm needs too, and IPython's `ipython-pygments-lexers`),
 *   so that a site whose kernel cannot reach PyPI (offline, or with
 *   `disablePyPIFallback`) still starts. Each is pinned by sha256; it is taken
 *   from a folder of $LIVEIMPORT_WHEEL_DIRS (`:`-separated) or
 *   $LIVEIMPORT_CACHE/site-wheels, else downloaded from PyPI once into
 *   $LIVEIMPORT_CACHE/ext-wheels ($LIVEIMPORT_CACHE defaults to
 *   ~/.cache/liveimport-dev).
 *
 * Usage: node scripts/pypi-index.mjs OUT_DIR
 *
 * Exits with status 1 and a message when a wheel is missing or does not
 * match its manifest entry or pin. Importable: `findKernelWheels` and
 * `pypiIndex` serve the repository's micropip tests (tests/pyodide).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const UNIVERSAL_TAG = 'py3-none-any';

/** Wheels the JupyterLite 0.8.6 Pyodide kernel installs that Pyodide 314 does not have. */
export const KERNEL_WHEELS = [
  {
    name: 'comm',
    version: '0.2.3',
    filename: 'comm-0.2.3-py3-none-any.whl',
    sha256: 'c615d91d75f7f04f095b30d1c1711babd43bdc6419c1be9886a85f2f4e489417',
    requires_python: '>=3.8'
  },
  {
    name: 'ipython-pygments-lexers',
    version: '1.1.1',
    filename: 'ipython_pygments_lexers-1.1.1-py3-none-any.whl',
    sha256: 'a9462224a505ade19a605f71f8fa63c2048833ce50abc86768a0d81d876dc81c',
    requires_python: '>=3.8'
  }
];

const CACHE =
  process.env.LIVEIMPORT_CACHE ||
  path.join(os.homedir(), '.cache', 'liveimport-dev');

const sha256Of = bytes => createHash('sha256').update(bytes).digest('hex');

/** The bytes of a pinned wheel: from a local folder, else PyPI (cached). */
async function kernelWheel(wheel) {
  const dirs = [
    ...(process.env.LIVEIMPORT_WHEEL_DIRS ?? '').split(':').filter(Boolean),
    path.join(CACHE, 'site-wheels'),
    path.join(CACHE, 'ext-wheels')
  ];
  for (const dir of dirs) {
    const file = path.join(dir, wheel.filename);
    if (fs.existsSync(file)) {
      const bytes = fs.readFileSync(file);
      if (sha256Of(bytes) === wheel.sha256) {
        return bytes;
      }
    }
  }
  // PyPI's simple index, JSON form (PEP 691).
  const meta = await fetch(`https://pypi.org/simple/${wheel.name}/`, {
    headers: { Accept: 'application/vnd.pypi.simple.v1+json' }
  });
  if (!meta.ok) {
    throw new Error(`PyPI: ${wheel.name}: HTTP ${meta.status}`);
  }
  const release = (await meta.json()).files.find(
    f => f.filename === wheel.filename
  );
  if (!release) {
    throw new Error(`PyPI has no ${wheel.filename}`);
  }
  const bytes = Buffer.from(await (await fetch(release.url)).arrayBuffer());
  if (sha256Of(bytes) !== wheel.sha256) {
    throw new Error(
      `${wheel.filename} from PyPI does not match its pinned sha256`
    );
  }
  fs.mkdirSync(path.join(CACHE, 'ext-wheels'), { recursive: true });
  fs.writeFileSync(path.join(CACHE, 'ext-wheels', wheel.filename), bytes);
  return bytes;
}

/** One release entry of the index. */
function entry(filename, bytes, pythonVersion, requiresPython) {
  const md5 = createHash('md5').update(bytes).digest('hex');
  return {
    comment_text: '',
    digests: { md5, sha256: sha256Of(bytes) },
    downloads: -1,
    filename,
    has_sig: false,
    md5_digest: md5,
    packagetype: 'bdist_wheel',
    python_version: pythonVersion,
    requires_python: requiresPython,
    size: bytes.length,
    upload_time: new Date(0).toISOString(),
    upload_time_iso_8601: new Date(0).toISOString(),
    url: `./${filename}`,
    yanked: false,
    yanked_reason: null
  };
}

/**
 * The path of liveimport-pyodide's `wheels/manifest.json`, resolved as Node
 * resolves the package from this script (the workspace's link to js/).
 * @returns {string}
 * @throws {Error} when the package or its manifest is missing.
 */
export function kernelWheelsManifest() {
  try {
    return createRequire(import.meta.url).resolve(
      'liveimport-pyodide/wheels/manifest.json'
    );
  } catch (error) {
    throw new Error(
      'liveimport-pyodide/wheels/manifest.json not found (run scripts/build.sh, and npm ci at ' +
        `the repository root): ${error.message}`,
      { cause: error }
    );
  }
}

/**
 * The kernel wheels a manifest of liveimport-pyodide lists: `[...platform
 * wheels, universal wheel]` (absolute paths, the platform wheels in the
 * manifest's order), each checked against the manifest's size and sha256.
 * @param {string} [manifestPath] a `wheels/manifest.json` (default:
 *   {@link kernelWheelsManifest}).
 * @returns {string[]}
 * @throws {Error} naming the manifest and what is missing or does not match.
 */
export function findKernelWheels(manifestPath = kernelWheelsManifest()) {
  let manifest;
  try {
    manifest = JSON.parse(fs.readFileSync(manifestPath, 'utf8'));
  } catch (error) {
    throw new Error(`${manifestPath} unreadable: ${error.message}`, {
      cause: error
    });
  }
  const entries = Array.isArray(manifest?.wheels) ? manifest.wheels : [];
  const fileOf = entry => {
    const file = path.join(path.dirname(manifestPath), entry.wheel);
    let bytes;
    try {
      bytes = fs.readFileSync(file);
    } catch (error) {
      throw new Error(
        `${file} (listed by ${manifestPath}) unreadable: ${error.message}`,
        { cause: error }
      );
    }
    if (bytes.length !== entry.size || sha256Of(bytes) !== entry.sha256) {
      throw new Error(
        `${file} does not match its size and sha256 in ${manifestPath}: run scripts/build.sh`
      );
    }
    return file;
  };
  const named = entries.filter(w => typeof w?.wheel === 'string');
  const platform = named.filter(
    w => w.wheel.endsWith('_wasm32.whl') && Array.isArray(w.pyodide)
  );
  const universal = named.find(w => w.wheel.endsWith(`-${UNIVERSAL_TAG}.whl`));
  if (platform.length === 0 || !universal) {
    throw new Error(
      `${manifestPath} lists no ${platform.length === 0 ? 'platform (*_wasm32.whl)' : `*-${UNIVERSAL_TAG}.whl`} wheel: run scripts/build.sh`
    );
  }
  const wheels = [...platform, universal].map(fileOf);
  const versions = new Set(wheels.map(w => path.basename(w).split('-')[1]));
  if (versions.size !== 1 || !versions.has(manifest.version)) {
    throw new Error(
      `kernel wheels of different versions in ${manifestPath}: ${wheels.join(', ')}`
    );
  }
  return wheels;
}

/**
 * The piplite index entries of LiveImport's `wheels` (paths): `{name:
 * {releases: {version: [file, ...]}}}`, each file with its digests, size and
 * `url: ./FILENAME`.
 * @param {string[]} wheels
 * @returns {Record<string, {releases: Record<string, object[]>}>}
 */
export function pypiIndex(wheels) {
  const index = {};
  for (const wheel of wheels) {
    const filename = path.basename(wheel);
    // name-version-pytag-abitag-platform.whl
    const [distName, version, pyTag] = filename.slice(0, -4).split('-');
    const name = distName.replace(/_/g, '-').toLowerCase();
    const releases = (index[name] ??= { releases: {} }).releases;
    (releases[version] ??= []).push(
      entry(filename, fs.readFileSync(wheel), pyTag, '>=3.11')
    );
  }
  return index;
}

async function main(outDir) {
  let wheels;
  try {
    wheels = findKernelWheels();
  } catch (error) {
    console.error(`pypi-index: ${error.message}`);
    return 1;
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const wheel of wheels) {
    fs.copyFileSync(wheel, path.join(outDir, path.basename(wheel)));
  }
  const index = pypiIndex(wheels);
  for (const kernel of KERNEL_WHEELS) {
    let data;
    try {
      data = await kernelWheel(kernel);
    } catch (error) {
      console.error(
        `pypi-index: ${kernel.filename}: ${error.message ?? error}`
      );
      return 1;
    }
    fs.writeFileSync(path.join(outDir, kernel.filename), data);
    index[kernel.name] = {
      releases: {
        [kernel.version]: [
          entry(kernel.filename, data, 'py3', kernel.requires_python)
        ]
      }
    };
  }
  fs.writeFileSync(
    path.join(outDir, 'all.json'),
    JSON.stringify(index, null, 1) + '\n'
  );
  console.log(
    `pypi-index: ${wheels.map(w => path.basename(w)).join(', ')}, ${KERNEL_WHEELS.map(w => w.filename).join(', ')} -> ${outDir}`
  );
  return 0;
}

if (
  process.argv[1] &&
  path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)
) {
  if (process.argv.length !== 3) {
    console.error('usage: node scripts/pypi-index.mjs OUT_DIR');
    process.exit(2);
  }
  process.exit(await main(process.argv[2]));
}
