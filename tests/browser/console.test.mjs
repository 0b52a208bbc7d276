/**
 * LiveImport in consoles (issue 19, item 1), in JupyterLite 0.8: the
 * JupyterLab console, a console opened from a notebook (sharing the
 * notebook's kernel, so its LiveImport state), and the REPL app
 * (`/repl/index.html?kernel=python&toolbar=1`, what jupyterlite-sphinx's
 * `replite` embeds). In each, the first `%%liveimport` / `#_%%liveimport`
 * cell works with no setup cell, an edit reloads before the next cell with
 * the report in dependency order, the kernel relies on the page's file
 * events, and the status shows where the app has a place for it. A console
 * cell sent while a notebook run is in progress neither syncs nor splits
 * the run.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';

import { adoptConsole, openConsole, runConsoleCell, submitConsoleCell, waitConsoleCell } from './lib/console.mjs';
import { ARTIFACTS, measure, PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';

const REPORTED = /Reloaded \w+/;

let s;

before(async () => {
  s = await Session.start({ name: 'console' });
});
after(async () => {
  await s?.close();
});

/** Wait until the status bar's item reads `pattern`. */
async function waitStatus(page, pattern, selector = '.jp-LiveImport-status') {
  await page.waitForFunction(
    ([source, selector]) =>
      [...document.querySelectorAll(selector)].some(
        node => !node.classList.contains('lm-mod-hidden') && new RegExp(source).test(node.textContent)
      ),
    [pattern.source, selector],
    { timeout: 20000, polling: 50 }
  );
}

test('JupyterLab console: the first %%liveimport cell works, an edit reloads in order, file events', async () => {
  const ms = await openConsole(s.page, 'lab', 'console:create', { kernelPreference: { name: 'python' } });
  measure('JupyterLab console (JupyterLite): open -> kernel idle', ms);
  const first = await runConsoleCell(
    s.page,
    'lab',
    '%%liveimport\nimport units\nfrom physics import GRAVITY\nfrom plotting import plot_trajectory'
  );
  assert.doesNotMatch(first.text, /UsageError|Error/, first.text);
  let r = await runConsoleCell(s.page, 'lab', 'print(f"g = {GRAVITY:.2f}")\nprint(plot_trajectory(20, 45).splitlines()[0])');
  assert.match(r.text, /g = 9\.81/);
  assert.match(r.text, /lands 40\.8 m away/);
  await waitStatus(s.page, /LiveImport: 3 modules/);
  // The kernel relies on the page's file events (a console's session path names no file).
  await s.waitFileEvents(true);

  await s.editInEditor('units.py', 'LENGTH_UNIT = "m"', 'LENGTH_UNIT = "metres"');
  await sleep(PAST_GRACE_MS);
  r = await runConsoleCell(s.page, 'lab', 'print(plot_trajectory(20, 45).splitlines()[0])', { ready: REPORTED });
  assert.match(r.text, /lands 40\.8 metres away/);
  const lines = reportLines(r.text);
  assert.equal(lines.length, 3, r.text);
  assert.match(lines[0], /^Reloaded units modified .*ago$/);
  assert.equal(lines[1], 'Reloaded physics because units reloaded');
  assert.match(lines[2], /^Reloaded plotting because (units and physics|physics and units|physics) reloaded$/);
  await waitStatus(s.page, /reloaded \d/);
  await s.screenshot('lab-console');
  s.assertOffline();
});

test('a console opened from a notebook shares its LiveImport state and never splits its runs', async () => {
  await s.saveFile('zc_mod.py', 'def value():\n    return "v1"\n');
  await s.createNotebook('zc.ipynb', [
    '#_%%liveimport\nfrom zc_mod import value',
    'import time\ntime.sleep(3)\nprint("slept")',
    'print("nb", value())'
  ]);
  await s.openNotebook('zc.ipynb');
  await s.runCell(0);
  await s.showNotebook();
  await openConsole(s.page, 'nb', 'notebook:create-console', { activate: false });
  const kernels = await s.page.evaluate(() => [
    window.__liveimportTest.notebook.sessionContext.session.kernel.id,
    window.__liveimportTest.consoles.nb.sessionContext.session.kernel.id
  ]);
  assert.equal(kernels[0], kernels[1], 'the console runs on the notebook kernel');

  // One state: what the notebook registered, a console cell reloads; the
  // notebook then has the new version with nothing left to reload.
  let r = await runConsoleCell(s.page, 'nb', 'import liveimport\nliveimport.auto_sync(grace=0)\nprint(value())');
  assert.match(r.text, /^v1$/m);
  await s.saveFile('zc_mod.py', 'def value():\n    return "v2"\n');
  r = await runConsoleCell(s.page, 'nb', 'print("console", value())', { ready: REPORTED });
  assert.match(r.text, /console v2/);
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded zc_mod modified .*ago$/, r.text);
  let nb = await s.runCell(2);
  assert.match(nb.text, /nb v2/);
  assert.deepEqual(reportLines(nb.text), []);
  // Sharing the notebook's kernel, the console adds no second comm: the
  // status shows the same three figures.
  await waitStatus(s.page, /LiveImport: 1 module/);

  // A run: the notebook's cell 1 (3 s), during it an edit, then a console
  // cell and the notebook's cell 2, both queued behind cell 1. The run
  // synced before cell 1 only: neither the console cell nor cell 2 reloads
  // (the grace period is 0, so a cell outside the run would).
  await s.page.evaluate(() => {
    const nb = window.__liveimportTest.notebook.content;
    nb.activeCellIndex = 1;
    for (const i of [1, 2]) {
      nb.widgets[i].model.executionCount = null;
    }
    void window.jupyterapp.commands.execute('notebook:run-cell');
  });
  await sleep(500);
  await s.saveFile('zc_mod.py', 'def value():\n    return "v3"\n');
  const index = await submitConsoleCell(s.page, 'nb', 'print("console", value())');
  await s.page.evaluate(() => {
    const nb = window.__liveimportTest.notebook.content;
    nb.activeCellIndex = 2;
    void window.jupyterapp.commands.execute('notebook:run-cell');
  });
  r = await waitConsoleCell(s.page, 'nb', index);
  await s.waitRan(2, null);
  nb = { text: await s.outputText(2) };
  assert.match(r.text, /console v2/, r.text);
  assert.deepEqual(reportLines(r.text), [], 'the console cell ran within the run');
  assert.match(nb.text, /nb v2/, nb.text);
  assert.deepEqual(reportLines(nb.text), [], 'no reload between the cells of a run');
  // The next run syncs.
  await sleep(300);
  nb = await s.runCell(2);
  assert.match(nb.text, /nb v3/);
  assert.match(reportLines(nb.text)[0] ?? '', /^Reloaded zc_mod modified/, nb.text);

  // The notebook closes, its console stays: the page's connection that
  // handled comms is gone; LiveImport reconnects through another one (the
  // status shows the kernel again), and the console keeps reloading on the
  // page's file events.
  await s.page.evaluate(() => {
    window.__liveimportTest.notebook.dispose();
    window.jupyterapp.shell.activateById(window.__liveimportTest.consoles.nb.id);
  });
  await waitStatus(s.page, /LiveImport: 1 module/);
  await s.waitFileEvents(true);
  await s.saveFile('zc_mod.py', 'def value():\n    return "v4"\n');
  await sleep(PAST_GRACE_MS); // the new comm brought the page's settings: grace 1 s again
  r = await runConsoleCell(s.page, 'nb', 'print("console", value())', { ready: REPORTED });
  assert.match(r.text, /console v4/, r.text);
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded zc_mod modified/, r.text);
  assert.deepEqual(
    s.errors.filter(e => /liveimport/i.test(e)),
    []
  );
});

test('REPL app: no setup cell, an edit in another tab reloads, status in its toolbar', async () => {
  const repl = await s.context.newPage();
  const t0 = Date.now();
  await repl.goto(`${s.server.url}repl/index.html?kernel=python&toolbar=1`);
  await repl.waitForFunction(() => !!window.jupyterapp, null, { timeout: 60000 });
  await adoptConsole(repl, 'repl');
  measure('REPL app (JupyterLite): open -> kernel idle', Date.now() - t0);
  const first = await runConsoleCell(repl, 'repl', '#_%%liveimport\nfrom plotting import plot_trajectory');
  assert.doesNotMatch(first.text, /UsageError|Error/, first.text);
  let r = await runConsoleCell(repl, 'repl', 'print(plot_trajectory(20, 45).splitlines()[0])');
  assert.match(r.text, /lands 40\.8 metres away/);
  await waitStatus(repl, /LiveImport: 3 modules/, '.jp-Toolbar .jp-LiveImport-status');

  // A save in the lab tab reaches the REPL's kernel (the other tabs' relay).
  await s.rewriteFile('physics.py', 'GRAVITY = 9.81', 'GRAVITY = 1.62');
  await sleep(PAST_GRACE_MS);
  const t1 = Date.now();
  r = await runConsoleCell(repl, 'repl', 'print(plot_trajectory(20, 45).splitlines()[0])', { ready: REPORTED });
  measure('REPL app (JupyterLite): Shift+Enter after an edit in another tab -> output', Date.now() - t1);
  assert.match(r.text, /lands 246\.9 metres away/, r.text);
  const lines = reportLines(r.text);
  assert.match(lines[0] ?? '', /^Reloaded physics modified .*ago$/, r.text);
  assert.equal(lines[1], 'Reloaded plotting because physics reloaded');
  await waitStatus(repl, /reloaded \d/, '.jp-Toolbar .jp-LiveImport-status');
  const title = await repl.locator('.jp-Toolbar .jp-LiveImport-status').first().getAttribute('title');
  assert.match(title ?? '', /examines the files this page reports changed/);
  // What README shows (demo/screenshot-repl.png): the REPL at a small size.
  await repl.setViewportSize({ width: 900, height: 420 });
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await repl.screenshot({ path: path.join(ARTIFACTS, 'console-repl.png') });
  await repl.close();
  s.assertOffline();
});
