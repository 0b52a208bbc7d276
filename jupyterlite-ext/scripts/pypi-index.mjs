#!/usr/bin/env node
/**
 * Put every kernel wheel of LiveImport into the labextension's `static/pypi`
 * folder with one piplite `all.json` index (the PyPI JSON API shape, keyed by
 * package name, with URLs relative to the index).
 *
 * Usage: node scripts/pypi-index.mjs OUT_DIR
 *
 * The wheels are those of one version in ../dist (the repository's dist/, made
 * by scripts/build.sh): the Pyodide 314 wheel
 * (`liveimport_lite-*-pyemscripten_2026_0_wasm32.whl`, pyo3 engine) and the
 * universal wheel (`liveimport_lite-*-py3-none-any.whl`, wasm-bindgen engine,
 * every other Pyodide), or $LIVEIMPORT_PYODIDE_WHEELS (paths separated by
 * spaces). Both are listed under the same release: piplite's micropip picks the
 * platform wheel where its tag fits the kernel's Pyodide and the universal one
 * elsewhere. Exits with status 1 and a message when a wheel is missing.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PLATFORM_TAG = 'pyemscripten_2026_0_wasm32';
const UNIVERSAL_TAG = 'py3-none-any';
const here = path.dirname(fileURLToPath(import.meta.url));

/**
 * The newest kernel wheels in `dist`: `[platform wheel, universal wheel]` of
 * the same version, or the paths of $LIVEIMPORT_PYODIDE_WHEELS.
 * @param {string} [dist] folder of the built wheels.
 * @returns {string[]}
 * @throws {Error} naming what is missing.
 */
export function findKernelWheels(dist = path.resolve(here, '..', '..', 'dist')) {
  const fromEnv = process.env.LIVEIMPORT_PYODIDE_WHEELS;
  if (fromEnv) {
    return fromEnv.split(' ').filter(Boolean);
  }
  const files = fs.existsSync(dist) ? fs.readdirSync(dist) : [];
  const newest = suffix => {
    const found = files
      .filter(f => f.startsWith('liveimport_lite-') && f.endsWith(`-${suffix}.whl`))
      .map(f => path.join(dist, f))
      .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)[0];
    if (!found) {
      throw new Error(
        `no kernel wheel of LiveImport (*-${suffix}.whl) in ${dist}: ` +
          'run scripts/build.sh or set LIVEIMPORT_PYODIDE_WHEELS'
      );
    }
    return found;
  };
  const wheels = [newest(PLATFORM_TAG), newest(UNIVERSAL_TAG)];
  const versions = new Set(wheels.map(w => path.basename(w).split('-')[1]));
  if (versions.size !== 1) {
    throw new Error(`kernel wheels of different versions: ${wheels.join(', ')}`);
  }
  return wheels;
}

/**
 * The piplite index of `wheels` (paths): `{name: {releases: {version: [file,
 * ...]}}}`, each file with its digests, size and `url: ./FILENAME`.
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
    const bytes = fs.readFileSync(wheel);
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const md5 = createHash('md5').update(bytes).digest('hex');
    const releases = (index[name] ??= { releases: {} }).releases;
    (releases[version] ??= []).push({
      comment_text: '',
      digests: { md5, sha256 },
      downloads: -1,
      filename,
      has_sig: false,
      md5_digest: md5,
      packagetype: 'bdist_wheel',
      python_version: pyTag,
      requires_python: '>=3.11',
      size: bytes.length,
      upload_time: new Date(0).toISOString(),
      upload_time_iso_8601: new Date(0).toISOString(),
      url: `./${filename}`,
      yanked: false,
      yanked_reason: null
    });
  }
  return index;
}

function main(outDir) {
  let wheels;
  try {
    wheels = findKernelWheels();
  } catch (err) {
    console.error(`pypi-index: ${err.message}`);
    return 1;
  }
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  for (const wheel of wheels) {
    fs.copyFileSync(wheel, path.join(outDir, path.basename(wheel)));
  }
  fs.writeFileSync(path.join(outDir, 'all.json'), JSON.stringify(pypiIndex(wheels), null, 1) + '\n');
  console.log(`pypi-index: ${wheels.map(w => path.basename(w)).join(', ')} -> ${outDir}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.length !== 3) {
    console.error('usage: node scripts/pypi-index.mjs OUT_DIR');
    process.exit(2);
  }
  process.exit(main(process.argv[2]));
}
