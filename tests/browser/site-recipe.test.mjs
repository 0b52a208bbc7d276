/**
 * The README's "Add it to your own site" recipe works on the first try: its
 * commands, exactly as written (scripts/site_recipe.py reads them from
 * README.md), run in a fresh folder with a fresh venv, build two sites from a
 * teacher's notebook and module, and a LiveImport cell runs in each.
 *
 * Offline, as every test here: pip installs from wheels downloaded at set-up
 * (`scripts/site.sh recipe`: PIP_NO_INDEX, PIP_FIND_LINKS); the online
 * site's Pyodide CDN is stood in for by the same Pyodide version served from
 * the cache (Playwright routes), and every other request beyond 127.0.0.1 is
 * refused and recorded: the kernel must start without PyPI. The offline site
 * gets a stand-in for Pyodide's release tarball and must make no request
 * beyond its origin at all.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { measure, PAST_GRACE_MS, reportLines, ROOT, Session, sleep, startServer } from './lib/harness.mjs';
import { NOTEBOOK, SHAPES } from './lib/course.mjs';

const CACHE = process.env.LIVEIMPORT_CACHE ?? path.join(os.homedir(), '.cache', 'liveimport-dev');
const CDN_PREFIX = 'https://cdn.jsdelivr.net/pyodide/';
const CDN_DIR = path.join(CACHE, 'recipe-cdn', 'pyodide');
const TARBALL = path.join(CACHE, 'recipe-pyodide-314.0.7.tar.bz2');
const WHEELS = path.join(CACHE, 'recipe-wheels');

let work; // the site author's folder
let blocks;

before(() => {
  for (const need of [CDN_DIR, TARBALL, WHEELS]) {
    assert.ok(fs.existsSync(need), `${need} is missing: run scripts/site.sh recipe`);
  }
  blocks = JSON.parse(
    execFileSync('python3', [path.join(ROOT, 'scripts', 'site_recipe.py'), 'blocks', path.join(ROOT, 'README.md')], {
      encoding: 'utf8'
    })
  );
  assert.equal(blocks.length, 2, 'the README has the online and the offline commands');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'liveimport-recipe-'));
  // What the author has: the extension's wheel in dist/, notebooks and modules.
  fs.mkdirSync(path.join(work, 'dist'));
  const wheels = fs.readdirSync(path.join(ROOT, 'dist')).filter(f => /^jupyterlite_liveimport-.*\.whl$/.test(f));
  assert.equal(wheels.length, 1, 'scripts/site.sh build leaves the extension wheel in dist/');
  fs.copyFileSync(path.join(ROOT, 'dist', wheels[0]), path.join(work, 'dist', wheels[0]));
  fs.mkdirSync(path.join(work, 'my-notebooks'));
  fs.writeFileSync(path.join(work, 'my-notebooks', 'course.ipynb'), JSON.stringify(NOTEBOOK, null, 1));
  fs.writeFileSync(path.join(work, 'my-notebooks', 'shapes.py'), SHAPES('square'));
  // The release tarball the offline commands name.
  fs.copyFileSync(TARBALL, path.join(work, 'pyodide-314.0.7.tar.bz2'));
});
after(() => {
  if (work) {
    fs.rmSync(work, { recursive: true, force: true });
  }
});

/** Run one README block with bash in the author's folder; pip installs offline. */
function runBlock(block) {
  const t0 = Date.now();
  const env = { ...process.env, PIP_NO_INDEX: '1', PIP_FIND_LINKS: WHEELS, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  delete env.VIRTUAL_ENV;
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', block], { cwd: work, env, encoding: 'utf8', timeout: 540000 });
  assert.equal(r.status, 0, `the README's commands failed:\n${block}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  measure(`README site recipe: ${block.split('\n').length - 1} command lines`, Date.now() - t0);
}

/**
 * The one thing the test adds to a served site: `exposeAppInBrowser` in its
 * jupyter-lite.json (as served, not as built), which gives the test
 * `window.jupyterapp` to drive the page.
 */
async function exposeApp(context) {
  await context.route(/^http:\/\/127\.0\.0\.1:\d+\/.*jupyter-lite\.json$/, async route => {
    const response = await route.fetch();
    const config = await response.json();
    config['jupyter-config-data'] = { ...(config['jupyter-config-data'] ?? {}), exposeAppInBrowser: true };
    await route.fulfill({ response, json: config });
  });
}

/** Open the course notebook, run its cells, edit the module, run again. */
async function useCourse(s) {
  await s.openNotebook('course.ipynb');
  const status = await s.page.evaluate(() => window.__liveimportTest.notebook.sessionContext.kernelDisplayName);
  assert.equal(status, 'Python (Pyodide)', 'the kernel started');
  const first = await s.runCell(0);
  assert.equal(first.text.trim(), '', first.text);
  const r = await s.runCell(1);
  assert.match(r.text, /4 sides: square/);
  await s.saveFile('shapes.py', SHAPES('quadrilateral'));
  await sleep(PAST_GRACE_MS);
  const again = await s.runCell(1);
  assert.match(again.text, /4 sides: quadrilateral/, again.text);
  // The report is Markdown: its first rendering in a fresh page loads the parser.
  await s.page
    .waitForFunction(() => /Reloaded shapes/.test(window.__liveimportTest.notebook.content.widgets[1].outputArea.node.innerText), null, {
      timeout: 15000
    })
    .catch(() => undefined);
  await s.screenshot('notebook');
  const text = await s.outputText(1);
  assert.match(reportLines(text)[0] ?? '', /^Reloaded shapes modified/, text);
}

test('the online recipe: a fresh venv, jupyter lite build with contents, a LiveImport cell (no PyPI)', async () => {
  runBlock(blocks[0]);
  const site = path.join(work, 'my-site');
  assert.ok(fs.existsSync(path.join(site, 'files', 'course.ipynb')), 'the contents are in the site');
  const refused = [];
  const s = await Session.start({
    name: 'recipe-online',
    server: await startServer(site),
    beforeOpen: async context => {
      await exposeApp(context);
      await context.route(
        url => !url.href.startsWith('http://127.0.0.1'),
        async route => {
          const url = route.request().url();
          if (url.startsWith(CDN_PREFIX)) {
            const file = path.join(CDN_DIR, decodeURIComponent(url.slice(CDN_PREFIX.length).split('?')[0]));
            if (fs.existsSync(file)) {
              return route.fulfill({ path: file, headers: { 'Access-Control-Allow-Origin': '*' } });
            }
          }
          refused.push(url);
          return route.abort();
        }
      );
    }
  });
  try {
    await useCourse(s);
    assert.deepEqual(refused, [], 'nothing beyond the site and the Pyodide CDN (no PyPI)');
  } finally {
    await s.close();
  }
});

test('the offline recipe: --pyodide with the release tarball, no request beyond the site', async () => {
  runBlock(blocks[1]);
  const site = path.join(work, 'my-site-offline');
  const s = await Session.start({ name: 'recipe-offline', server: await startServer(site), beforeOpen: exposeApp });
  try {
    await useCourse(s);
    s.assertOffline();
  } finally {
    await s.close();
  }
});
