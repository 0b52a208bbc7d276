#!/usr/bin/env node
/**
 * Put the Pyodide wheel of LiveImport into the labextension's `static/pypi`
 * folder with a piplite `all.json` index (the PyPI JSON API shape, keyed by
 * package name, with URLs relative to the index).
 *
 * Usage: node scripts/pypi-index.mjs OUT_DIR
 *
 * The wheel is $LIVEIMPORT_PYODIDE_WHEEL, or else the newest
 * `liveimport_lite-*-pyemscripten_2026_0_wasm32.whl` in ../dist (the
 * repository's dist/, made by scripts/build.sh). Exits with status 1 and a
 * message when there is no wheel.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const PLATFORM_TAG = 'pyemscripten_2026_0_wasm32';
const here = path.dirname(fileURLToPath(import.meta.url));

function findWheel() {
  const fromEnv = process.env.LIVEIMPORT_PYODIDE_WHEEL;
  if (fromEnv) {
    return fromEnv;
  }
  const dist = path.resolve(here, '..', '..', 'dist');
  const wheels = fs.existsSync(dist)
    ? fs
        .readdirSync(dist)
        .filter(f => f.startsWith('liveimport_lite-') && f.endsWith(`-${PLATFORM_TAG}.whl`))
        .map(f => path.join(dist, f))
        .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
    : [];
  return wheels[0];
}

function main(outDir) {
  const wheel = findWheel();
  if (!wheel || !fs.existsSync(wheel)) {
    console.error(
      `pypi-index: no Pyodide wheel of LiveImport (*-${PLATFORM_TAG}.whl): ` +
        'run scripts/build.sh or set LIVEIMPORT_PYODIDE_WHEEL'
    );
    return 1;
  }
  const filename = path.basename(wheel);
  // name-version-pytag-abitag-platform.whl
  const [distName, version, pyTag] = filename.slice(0, -4).split('-');
  const name = distName.replace(/_/g, '-').toLowerCase();
  const bytes = fs.readFileSync(wheel);
  fs.rmSync(outDir, { recursive: true, force: true });
  fs.mkdirSync(outDir, { recursive: true });
  fs.copyFileSync(wheel, path.join(outDir, filename));
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const md5 = createHash('md5').update(bytes).digest('hex');
  const index = {
    [name]: {
      releases: {
        [version]: [
          {
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
          }
        ]
      }
    }
  };
  fs.writeFileSync(path.join(outDir, 'all.json'), JSON.stringify(index, null, 1) + '\n');
  console.log(`pypi-index: ${filename} (${bytes.length} bytes) -> ${outDir}`);
  return 0;
}

if (process.argv.length !== 3) {
  console.error('usage: node scripts/pypi-index.mjs OUT_DIR');
  process.exit(2);
}
process.exit(main(process.argv[2]));
