/**
 * The static server of a built site for the browser tests: Python's http.server on 127.0.0.1
 * (re-exported by harness.mjs, where the tests import it from).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The repository root. */
export const ROOT = path.resolve(here, '..', '..', '..');
/** The built site (scripts/site.sh build). */
export const SITE_DIR = process.env.LIVEIMPORT_SITE_DIR ?? path.join(ROOT, 'build', 'site');

/**
 * The port the site is served on: $LIVEIMPORT_TEST_PORT, or 0 (a free port
 * the system picks). One server runs at a time (test files run one by one).
 */
export const PORT = Number(process.env.LIVEIMPORT_TEST_PORT ?? 0);

/**
 * Serve `dir` with Python's http.server on 127.0.0.1, port {@link PORT}.
 * @param {string} dir the folder to serve.
 * @param {string} marker a file `dir` must hold (default: a JupyterLite site's `jupyter-lite.json`).
 * @returns {Promise<{url: string, stop: () => Promise<void>}>}
 * @throws Error when the server does not start within 15 s (e.g. the port is taken).
 */
export async function startServer(dir = SITE_DIR, marker = 'jupyter-lite.json') {
  assert.ok(fs.existsSync(path.join(dir, marker)), `no built site in ${dir}: run scripts/site.sh build`);
  const args = ['-u', '-m', 'http.server', String(PORT), '--bind', '127.0.0.1', '--directory', dir];
  const proc = spawn('python3', args, {
    stdio: ['ignore', 'pipe', 'pipe']
  });
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('http.server did not start')), 15000);
    let out = '';
    proc.stdout.on('data', chunk => {
      out += chunk;
      const m = /port (\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(`http://127.0.0.1:${m[1]}/`);
      }
    });
    proc.on('exit', code => reject(new Error(`http.server exited (${code})`)));
  });
  proc.stderr.resume(); // access log
  return {
    url,
    stop: async () => {
      if (proc.exitCode === null) {
        proc.kill();
        await new Promise(resolve => proc.once('exit', resolve));
      }
    }
  };
}
