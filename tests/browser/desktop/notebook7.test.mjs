/**
 * Desktop Notebook 7 (`jupyter notebook` on 127.0.0.1, started and stopped
 * here) with ipykernel: the notebook page has no status bar, so LiveImport's
 * status is an item of the notebook's toolbar and the dialog is reachable
 * from the Kernel menu and the command palette; no setup cell; a save in the
 * Notebook 7 file editor (another browser tab) reloads; Notebook 7.6's
 * scratchpad console shares the notebook's LiveImport state; settings applied.
 * Screenshots show what Notebook 7 shows.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openScratchpad, runConsoleCell } from '../lib/console.mjs';
import { startDesktopServer, toasts } from '../lib/desktop.mjs';
import { measure, PAST_GRACE_MS, reportLines, Session, sleep } from '../lib/harness.mjs';
import { waitConnected } from '../lib/preload.mjs';

let server;
let s;
let imports;
let range;

before(async () => {
  server = await startDesktopServer('notebook');
  s = await Session.start({ name: 'desktop-nb7', server, appPath: 'tree', kernelName: 'python3' });
});
after(async () => {
  try {
    await s?.close();
  } finally {
    await server?.stop();
  }
});

test('the notebook page: LiveImport loaded at start, status in the toolbar, first cell imports', async () => {
  const ms = await s.openNotebookPage('notebooks/demo.ipynb');
  measure('desktop Notebook 7: open notebook page -> kernel idle', ms);
  await waitConnected(s);
  const item = s.page.locator('.jp-NotebookPanel-toolbar .jp-LiveImport-status');
  assert.equal(await item.count(), 1, 'one LiveImport item in the notebook toolbar');
  imports = await s.cellIndex('#_%%liveimport');
  range = await s.cellIndex('projectile_range(speed, angle)');
  const first = await s.runCell(imports);
  assert.equal(first.count, 1);
  const r = await s.runCell(range);
  assert.match(r.text, /g = 9\.81 m\/s²/);
  await s.page.waitForFunction(
    () => /LiveImport: 3 modules/.test(document.querySelector('.jp-NotebookPanel-toolbar .jp-LiveImport-status')?.textContent ?? ''),
    null,
    { timeout: 10000 }
  );
  await s.screenshot('notebook-page');
});

test('a save in the Notebook 7 file editor (another tab) reloads with the report', async () => {
  const editor = await s.context.newPage();
  await editor.goto(`${server.url}edit/physics.py`);
  await editor.waitForFunction(() => !!window.jupyterapp?.shell.currentWidget?.content?.editor, null, { timeout: 60000 });
  await editor.evaluate(async () => {
    const w = window.jupyterapp.shell.currentWidget;
    await w.context.ready;
    const model = w.content.editor.model.sharedModel;
    model.setSource(model.getSource().replace('9.81', '1.62'));
    await w.context.save();
  });
  await editor.close();
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  measure('desktop Notebook 7: Shift+Enter after an edit -> output', r.ms);
  assert.match(r.text, /g = 1\.62 m\/s²/);
  const lines = reportLines(r.text);
  assert.match(lines[0] ?? '', /^Reloaded physics modified .*ago$/, r.text);
  assert.equal(lines[1], 'Reloaded plotting because physics reloaded');
  await s.screenshot('notebook-reload', s.page.locator('.jp-Notebook .jp-Cell').nth(range));
});

test("Notebook 7.6's scratchpad console shares the notebook's LiveImport state", async () => {
  await s.showNotebook();
  await openScratchpad(s.page, 'scratch');
  await s.rewriteFile('physics.py', 'GRAVITY = 1.62', 'GRAVITY = 3.71');
  await sleep(PAST_GRACE_MS);
  const r = await runConsoleCell(s.page, 'scratch', 'print(f"g = {GRAVITY:.2f}")', { ready: /Reloaded \w+/ });
  assert.match(r.text, /g = 3\.71/, r.text);
  const lines = reportLines(r.text);
  assert.match(lines[0] ?? '', /^Reloaded physics modified .*ago$/, r.text);
  assert.equal(lines[1], 'Reloaded plotting because physics reloaded');
  await sleep(PAST_GRACE_MS);
  const nb = await s.runCell(range);
  assert.match(nb.text, /g = 3\.71/);
  assert.deepEqual(reportLines(nb.text), [], 'one state: nothing left to reload');
  await s.screenshot('scratchpad');
  await s.page.evaluate(() => window.jupyterapp.commands.execute('scratchpad-console:open'));
});

test('the Kernel menu and the command palette open the tracked-modules dialog', async () => {
  await s.page.locator('.lm-MenuBar-itemLabel', { hasText: /^Kernel$/ }).click();
  const entry = s.page.locator('.lm-Menu-itemLabel', { hasText: 'LiveImport: Show Tracked Modules' });
  await entry.waitFor({ timeout: 10000 });
  await s.screenshot('kernel-menu');
  await entry.click();
  await s.page.waitForFunction(() => /Tracked modules/.test(document.querySelector('.jp-LiveImport-details')?.textContent ?? ''));
  const text = await s.page.locator('.jp-LiveImport-details').innerText();
  for (const expected of ['physics', 'plotting', 'units', 'from physics import GRAVITY']) {
    assert.ok(text.includes(expected), `the table shows ${expected}:\n${text}`);
  }
  await s.screenshot('status-dialog', s.page.locator('.jp-Dialog-content'));
  await s.page.keyboard.press('Escape');
  await s.page.locator('.jp-Dialog').waitFor({ state: 'detached', timeout: 10000 });

  // The palette lists it too.
  const inPalette = await s.page.evaluate(async () => {
    const app = window.jupyterapp;
    await app.commands.execute('apputils:activate-command-palette');
    await new Promise(r => setTimeout(r, 300));
    const labels = [...document.querySelectorAll('.lm-CommandPalette-itemLabel')].map(n => n.textContent);
    return labels.some(l => l.includes('LiveImport: Show Tracked Modules'));
  });
  await s.page.keyboard.press('Escape');
  assert.ok(inPalette, 'the command palette lists LiveImport: Show Tracked Modules');
  // The toolbar item opens it as well.
  await s.page.click('.jp-NotebookPanel-toolbar .jp-LiveImport-status');
  await s.page.waitForFunction(() => /Tracked modules/.test(document.querySelector('.jp-LiveImport-details')?.textContent ?? ''));
  await s.page.keyboard.press('Escape');
});

test('settings apply to the running kernel (hidden cell magic off, from the Settings Editor of /tree)', async () => {
  const plugin = 'jupyterlite-liveimport:plugin';
  // Notebook 7's notebook page has no Settings Editor; its file browser page has.
  const tree = await s.context.newPage();
  await tree.goto(`${server.url}tree`);
  await tree.waitForFunction(() => !!window.jupyterapp, null, { timeout: 60000 });
  await tree.evaluate(() => window.jupyterapp.restored);
  await tree.evaluate(() => window.jupyterapp.commands.execute('settingeditor:open', { query: 'LiveImport' }));
  await sleep(1000);
  const pages = s.context.pages();
  let box = null;
  for (const page of pages) {
    const candidate = page.locator(`input[id="jp-SettingsEditor-${plugin}_hiddenCellMagic"]`);
    try {
      await candidate.waitFor({ state: 'attached', timeout: page === pages.at(-1) ? 30000 : 1000 });
      box = candidate;
      break;
    } catch {
      // not on this page
    }
  }
  assert.ok(box, 'the Settings Editor shows the LiveImport settings');
  await s.screenshot('settings-editor', null);
  await box.evaluate(el => el.click());
  await tree.waitForFunction(
    async plugin => (await window.jupyterapp.serviceManager.settings.fetch(plugin)).settings?.hiddenCellMagic === false,
    plugin,
    { timeout: 20000, polling: 100 }
  );
  for (const page of s.context.pages()) {
    if (page !== s.page) {
      await page.close();
    }
  }
  await sleep(1000);
  const count = 'print(len(__import__("liveimport").status(globals()).statements))';
  const before = Number((await s.runNewCell(count)).text.trim());
  assert.ok(before >= 2, `the demo registered several statements (${before})`);
  // With the hidden magic on, `-c` would clear them and register one.
  const r = await s.runNewCell(`#_%%liveimport -c\nimport units\n${count}`);
  assert.doesNotMatch(r.text, /UsageError/);
  assert.equal(Number(r.text.trim()), before, 'a plain comment: nothing cleared, nothing registered');
  assert.deepEqual((await toasts(s.page)).filter(t => t.type === 'error'), [], 'no error toast');
  assert.deepEqual(s.errors.filter(e => /liveimport/i.test(e)), [], 'no console error of LiveImport');
  s.assertOffline();
});
