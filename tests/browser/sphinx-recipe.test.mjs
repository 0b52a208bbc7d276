/**
 * The README's Sphinx recipe ("A Sphinx site (jupyterlite-sphinx)") works as
 * written: its files (docs/conf.py, docs/jupyter_lite_config.json,
 * docs/index.rst; scripts/site_recipe.py reads them and the commands from
 * README.md) and a teacher's notebook and module, its commands run in a fresh
 * folder with a fresh venv (jupyterlite-sphinx 0.23.0, Sphinx, the
 * extension's wheel from dist/), then in Chromium, in each app the page
 * embeds, one after the other (the page is opened afresh for each, so one
 * kernel runs at a time; the site's files persist in the browser's storage):
 * `.. jupyterlite::` (JupyterLab), `.. notebooklite::` (the Notebook app) and
 * `.. replite::` (the REPL app, a console): the course's first LiveImport
 * cell, an edit of shapes.py saved through that app, and the next cell runs
 * the new code with a reload report. A screenshot of each app after the
 * reload goes to build/browser-artifacts/ (sphinx-lab.png,
 * sphinx-notebooklite.png, sphinx-replite.png).
 *
 * Offline: pip installs from wheels downloaded at set-up
 * (`scripts/site.sh recipe`: sphinx-recipe-wheels/; PIP_NO_INDEX), Pyodide
 * comes from the stand-in for its release tarball that the recipe's
 * jupyter_lite_config.json names; the only request beyond the site is the
 * Google Fonts stylesheet jupyterlite-sphinx adds to its pages (refused here:
 * Chromium resolves no host but 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { ARTIFACTS, measure, PAST_GRACE_MS, reportLines, ROOT, Session, sleep, startServer } from './lib/harness.mjs';
import { NOTEBOOK, SHAPES } from './lib/course.mjs';

const HEADING = 'A Sphinx site (jupyterlite-sphinx)';
const CACHE = process.env.LIVEIMPORT_CACHE ?? path.join(os.homedir(), '.cache', 'liveimport-dev');
const TARBALL = path.join(CACHE, 'recipe-pyodide-314.0.7.tar.bz2');
const WHEELS = path.join(CACHE, 'sphinx-recipe-wheels');
/** What jupyterlite-sphinx's pages ask for beyond the site (its buttons' font). */
const SPHINX_FONTS = 'https://fonts.googleapis.com/css?family=Vibur';

let work; // the course author's folder
let site; // the built Sphinx site

function recipe(command) {
  return JSON.parse(
    execFileSync('python3', [path.join(ROOT, 'scripts', 'site_recipe.py'), command, path.join(ROOT, 'README.md'), HEADING], {
      encoding: 'utf8'
    })
  );
}

before(() => {
  for (const need of [TARBALL, WHEELS]) {
    assert.ok(fs.existsSync(need), `${need} is missing: run scripts/site.sh recipe`);
  }
  const files = recipe('files');
  assert.deepEqual(
    files.map(f => f.path),
    ['docs/conf.py', 'docs/jupyter_lite_config.json', 'docs/index.rst']
  );
  const blocks = recipe('blocks');
  assert.equal(blocks.length, 1, 'the README has one block of commands');
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'liveimport-sphinx-'));
  // What the author has: the extension's wheel in dist/, the course, Pyodide's release tarball.
  fs.mkdirSync(path.join(work, 'dist'));
  const wheels = fs.readdirSync(path.join(ROOT, 'dist')).filter(f => /^jupyterlite_liveimport-.*\.whl$/.test(f));
  assert.equal(wheels.length, 1, 'scripts/site.sh build leaves the extension wheel in dist/');
  fs.copyFileSync(path.join(ROOT, 'dist', wheels[0]), path.join(work, 'dist', wheels[0]));
  fs.mkdirSync(path.join(work, 'docs', 'modules'), { recursive: true });
  fs.writeFileSync(path.join(work, 'docs', 'course.ipynb'), JSON.stringify(NOTEBOOK, null, 1));
  fs.writeFileSync(path.join(work, 'docs', 'modules', 'shapes.py'), SHAPES('square'));
  fs.copyFileSync(TARBALL, path.join(work, 'pyodide-314.0.7.tar.bz2'));
  for (const f of files) {
    fs.writeFileSync(path.join(work, f.path), f.text);
  }
  // The commands, as written, in bash; pip installs offline.
  const t0 = Date.now();
  const env = { ...process.env, PIP_NO_INDEX: '1', PIP_FIND_LINKS: WHEELS, PIP_DISABLE_PIP_VERSION_CHECK: '1' };
  delete env.VIRTUAL_ENV;
  const r = spawnSync('bash', ['-euo', 'pipefail', '-c', blocks[0]], { cwd: work, env, encoding: 'utf8', timeout: 540000 });
  assert.equal(r.status, 0, `the README's commands failed:\n${blocks[0]}\n--- stdout\n${r.stdout}\n--- stderr\n${r.stderr}`);
  measure('README Sphinx recipe: venv, pip install, sphinx-build', Date.now() - t0);
  site = path.join(work, 'docs', '_build', 'html');
  const lite = path.join(site, 'lite');
  assert.ok(fs.existsSync(path.join(lite, 'extensions', 'jupyterlite-liveimport', 'package.json')), 'the extension is in the site');
  assert.ok(fs.existsSync(path.join(lite, 'files', 'shapes.py')), 'the module is in the site, next to the notebook');
  assert.ok(fs.existsSync(path.join(lite, 'files', 'course.ipynb')), 'the notebook is in the site');
  assert.ok(fs.existsSync(path.join(lite, 'static', 'pyodide', 'pyodide.asm.wasm')), 'Pyodide is in the site');
});

/**
 * The one thing the test adds to the served site: `exposeAppInBrowser` in
 * every jupyter-lite.json (as served, not as built), which gives the test
 * `window.jupyterapp` in each embedded app.
 */
async function exposeApp(context) {
  await context.route(/^http:\/\/127\.0\.0\.1:\d+\/.*jupyter-lite\.json$/, async route => {
    const response = await route.fetch();
    const config = await response.json();
    config['jupyter-config-data'] = { ...(config['jupyter-config-data'] ?? {}), exposeAppInBrowser: true };
    await route.fulfill({ response, json: config });
  });
}

/**
 * Open the Sphinx page afresh, click the embed's prompt button, and return
 * a view of the session whose `page` is the embedded app's frame (Playwright
 * frames have the page's evaluate and waitForFunction).
 */
async function openEmbed(s, button, appUrl) {
  await s.open('index.html');
  await s.page.getByText(button, { exact: true }).click();
  let frame;
  await s.page.waitForFunction(() => document.querySelector('iframe') !== null, null, { timeout: 30000 });
  const deadline = Date.now() + 30000;
  while (!(frame = s.page.frames().find(f => f.url().includes(appUrl))) && Date.now() < deadline) {
    await sleep(100);
  }
  assert.ok(frame, `an iframe of ${appUrl} (frames: ${s.page.frames().map(f => f.url())})`);
  await frame.waitForFunction(() => !!window.jupyterapp, null, { timeout: 60000 });
  await frame.evaluate(() => window.jupyterapp.restored);
  const view = Object.create(s);
  view.page = frame;
  view.frame = frame;
  return view;
}

/** In an embedded lab or notebooks app: the notebook the URL opened, with an idle kernel. */
async function attachNotebook(v) {
  await v.page.waitForFunction(
    () => {
      const w = window.jupyterapp.shell.currentWidget;
      return !!w?.sessionContext && !!w.content?.widgets;
    },
    null,
    { timeout: 60000 }
  );
  await v.page.evaluate(async () => {
    const widget = window.jupyterapp.shell.currentWidget;
    await widget.context.ready;
    await widget.sessionContext.ready;
    window.__liveimportTest = { notebook: widget };
  });
  await v.page.waitForFunction(
    () => window.__liveimportTest.notebook.sessionContext.session?.kernel?.status === 'idle',
    null,
    { timeout: 120000 }
  );
}

/**
 * Run a notebook cell as Shift+Enter does (its command: the keyboard of the
 * top page does not reach into the frame reliably); wait until it ran.
 */
async function runCell(v, index) {
  const before = await v.page.evaluate(index => {
    const nb = window.__liveimportTest.notebook.content;
    nb.activeCellIndex = index;
    nb.mode = 'command';
    nb.widgets[index].model.executionCount = null;
    return null;
  }, index);
  await v.page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-cell-and-select-next'));
  await v.waitRan(index, before);
  return v.outputText(index);
}

/** The notebook flow in an embedded app: first cells, edit, reload. */
async function notebookFlow(v, { now, next, label }) {
  await attachNotebook(v);
  assert.equal((await runCell(v, 0)).trim(), '', 'the #_%%liveimport cell prints nothing');
  assert.match(await runCell(v, 1), new RegExp(`4 sides: ${now}`));
  await v.saveFile('shapes.py', SHAPES(next));
  await sleep(PAST_GRACE_MS);
  const text = await runCell(v, 1);
  assert.match(text, new RegExp(`4 sides: ${next}`), text);
  await v.page
    .waitForFunction(() => /Reloaded shapes/.test(window.__liveimportTest.notebook.content.widgets[1].outputArea.node.innerText), null, {
      timeout: 15000
    })
    .catch(() => undefined);
  const shown = await v.outputText(1);
  assert.match(reportLines(shown)[0] ?? '', /^Reloaded shapes modified/, shown);
  await screenshot(v, label);
}

/** A screenshot of the embedded app (its iframe in the page) into ARTIFACTS. */
async function screenshot(v, label) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const element = await v.frame.frameElement();
  await element.scrollIntoViewIfNeeded();
  await element.screenshot({ path: path.join(ARTIFACTS, `sphinx-${label}.png`) });
}

let s;
before(async () => {
  s = await Session.start({
    name: 'sphinx',
    server: await startServer(site, 'index.html'),
    appPath: 'index.html',
    waitForApp: false,
    beforeOpen: exposeApp
  });
});
after(async () => {
  const offsite = s ? s.offsite.filter(u => u !== SPHINX_FONTS) : [];
  try {
    await s?.close();
  } finally {
    if (work) {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }
  assert.deepEqual(offsite, [], 'nothing beyond the site but the page font of jupyterlite-sphinx');
});

test('.. jupyterlite:: (JupyterLab): the first LiveImport cell, an edit, the reload', async () => {
  const t0 = Date.now();
  const v = await openEmbed(s, 'Open in JupyterLab', '/lite/lab/index.html');
  await notebookFlow(v, { now: 'square', next: 'quadrilateral', label: 'lab' });
  measure('Sphinx page, embedded JupyterLab: open, run, edit, reload', Date.now() - t0);
});

test('.. notebooklite:: (the Notebook app): the first LiveImport cell, an edit, the reload', async () => {
  const t0 = Date.now();
  const v = await openEmbed(s, 'Open the notebook', '/lite/notebooks/index.html');
  await notebookFlow(v, { now: 'quadrilateral', next: 'four-sided', label: 'notebooklite' });
  measure('Sphinx page, embedded Notebook app: open, run, edit, reload', Date.now() - t0);
});

test('.. replite:: (the REPL app, a console): its first #_%%liveimport cell, an edit, the reload', async () => {
  const t0 = Date.now();
  const v = await openEmbed(s, 'Open a console', '/lite/repl/index.html');
  // The directive's code (`#_%%liveimport` / `from shapes import describe`) runs on start.
  await v.page.waitForFunction(
    () => {
      const shell = window.jupyterapp.shell;
      const widgets = [shell.currentWidget, ...(shell.widgets ? Array.from(shell.widgets('main')) : [])];
      const panel = widgets.find(w => w?.console);
      const kernel = panel?.console.sessionContext.session?.kernel;
      if (!panel || kernel?.status !== 'idle' || panel.console.cells.length < 1) {
        return false;
      }
      window.__liveimportTest = { console: panel.console };
      const first = panel.console.cells.get(0);
      return first.model.executionCount !== null;
    },
    null,
    { timeout: 120000, polling: 100 }
  );
  /** Run `code` in the console's prompt cell; the text its output shows. */
  const run = code =>
    v.page.evaluate(async code => {
      const console = window.__liveimportTest.console;
      console.promptCell.model.sharedModel.setSource(code);
      await console.execute(true);
      const cell = console.cells.get(console.cells.length - 1);
      return cell.outputArea.node.innerText;
    }, code);
  const first = await v.page.evaluate(() => window.__liveimportTest.console.cells.get(0).outputArea.node.innerText);
  assert.doesNotMatch(first, /Error/, first);
  assert.match(await run('print(describe(4))'), /4 sides: four-sided/);
  await v.saveFile('shapes.py', SHAPES('tetragon'));
  await sleep(PAST_GRACE_MS);
  const text = await run('print(describe(4))');
  assert.match(text, /4 sides: tetragon/, text);
  await sleep(1000); // the report's Markdown renders after the cell
  const shown = await v.page.evaluate(() => {
    const console = window.__liveimportTest.console;
    return console.cells.get(console.cells.length - 1).outputArea.node.innerText;
  });
  assert.match(reportLines(shown)[0] ?? '', /^Reloaded shapes modified/, shown);
  await screenshot(v, 'replite');
  measure('Sphinx page, embedded REPL app: open, run, edit, reload', Date.now() - t0);
});
