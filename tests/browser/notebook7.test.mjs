/**
 * JupyterLite's Notebook 7 interface (/notebooks/, /edit/, /tree/): no setup
 * cell, LiveImport's status in the notebook toolbar (no status bar there) and
 * its dialog from the Kernel menu; a save in the /edit/ page (another tab)
 * reaches the kernel of the /notebooks/ tab as a file event and reloads (also
 * typed and saved with Ctrl+S as a person does, every dependent in order);
 * Notebook 7.6's scratchpad console shares the notebook's LiveImport state;
 * the /tree/ page loads with the extension active and no error.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { measure, PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';
import { openScratchpad, runConsoleCell } from './lib/console.mjs';
import { waitConnected } from './lib/preload.mjs';

let s;
let range;

before(async () => {
  s = await Session.start({ name: 'notebook7', appPath: 'tree/index.html' });
});
after(async () => {
  await s?.close();
});

test('/tree/ loads with the extension active, without errors', async () => {
  assert.ok(await s.page.evaluate(() => window.jupyterapp.commands.hasCommand('liveimport:show-status')));
  assert.deepEqual(s.errors.filter(e => /liveimport/i.test(e)), []);
  await s.screenshot('tree');
});

test('/notebooks/: LiveImport loaded at kernel start, status in the toolbar, first cell imports', async () => {
  const ms = await s.openNotebookPage('notebooks/index.html?path=demo.ipynb');
  measure('Notebook 7 (JupyterLite): open notebook page -> kernel idle', ms);
  await waitConnected(s);
  assert.equal(await s.page.locator('.jp-NotebookPanel-toolbar .jp-LiveImport-status').count(), 1);
  const imports = await s.cellIndex('#_%%liveimport');
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
  s.assertOffline();
});

test('a save in the /edit/ page (another tab) reloads in the /notebooks/ tab', async () => {
  const editor = await s.context.newPage();
  await editor.goto(`${s.server.url}edit/index.html?path=physics.py`);
  await editor.waitForFunction(() => !!window.jupyterapp?.shell.currentWidget?.content?.editor, null, { timeout: 60000 });
  await editor.evaluate(async () => {
    const w = window.jupyterapp.shell.currentWidget;
    await w.context.ready;
    const model = w.content.editor.model.sharedModel;
    model.setSource(model.getSource().replace('9.81', '1.62'));
    await w.context.save();
  });
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  measure('Notebook 7 (JupyterLite): Shift+Enter after an edit in another tab -> output', r.ms);
  assert.match(r.text, /g = 1\.62 m\/s²/);
  const lines = reportLines(r.text);
  assert.match(lines[0] ?? '', /^Reloaded physics modified .*ago$/, r.text);
  assert.equal(lines[1], 'Reloaded plotting because physics reloaded');
  // The kernel relied on the page's events (it did not poll): the toolbar item says so.
  const title = await s.page.locator('.jp-NotebookPanel-toolbar .jp-LiveImport-status').getAttribute('title');
  assert.match(title ?? '', /examines the files this page reports changed/);
  await editor.close();
});

test('other tab, as a person does it: type in the /edit/ tab, Ctrl+S, run in the /notebooks/ tab', async () => {
  // Issue 19 item 4: the notebooks app opens a module in another browser
  // tab; the save there reaches this tab's kernel only through the relay
  // between tabs, and the next cell reloads every dependent, in order.
  const editor = await s.context.newPage();
  await editor.goto(`${s.server.url}edit/index.html?path=units.py`);
  await editor.waitForFunction(() => !!window.jupyterapp?.shell.currentWidget?.content?.editor, null, { timeout: 60000 });
  const found = await editor.evaluate(async () => {
    const w = window.jupyterapp.shell.currentWidget;
    await w.context.ready;
    const ed = w.content.editor;
    const text = ed.model.sharedModel.getSource();
    const start = text.indexOf('LENGTH_UNIT = "m"') + 'LENGTH_UNIT = '.length;
    ed.focus();
    ed.setSelection({ start: ed.getPositionAt(start), end: ed.getPositionAt(start + 3) });
    return start >= 'LENGTH_UNIT = '.length;
  });
  assert.ok(found, 'units.py holds LENGTH_UNIT = "m"');
  await editor.keyboard.type('"metres"', { delay: 10 });
  await editor.keyboard.press('Control+s');
  await editor.waitForFunction(
    () => {
      const w = window.jupyterapp.shell.currentWidget;
      return !w.context.model.dirty && w.content.editor.model.sharedModel.getSource().includes('"metres"');
    },
    null,
    { timeout: 20000 }
  );
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  assert.match(r.text, /45°: 246\.9 metres/, r.text);
  const lines = reportLines(r.text);
  assert.equal(lines.length, 3, r.text);
  assert.match(lines[0], /^Reloaded units modified .*ago$/);
  assert.equal(lines[1], 'Reloaded physics because units reloaded');
  assert.match(lines[2], /^Reloaded plotting because (units and physics|physics and units|physics) reloaded$/);
  await s.screenshot('other-tab', s.page.locator('.jp-Notebook .jp-Cell').nth(range));
  await editor.close();
});

test("Notebook 7.6's scratchpad console shares the notebook's kernel and its LiveImport state", async t => {
  // Notebook 7.6 (JupyterLite 0.8) has it; 7.5 and older (JupyterLite 0.7, 0.6) do not.
  if (!(await s.page.evaluate(() => window.jupyterapp.commands.hasCommand('scratchpad-console:open')))) {
    t.skip('this Notebook has no scratchpad console (before 7.6)');
    return;
  }
  await s.showNotebook();
  await openScratchpad(s.page, 'scratch');
  const same = await s.page.evaluate(
    () =>
      window.__liveimportTest.consoles.scratch.sessionContext.session.kernel.id ===
      window.__liveimportTest.notebook.sessionContext.session.kernel.id
  );
  assert.ok(same, 'the scratchpad runs on the notebook kernel');
  await s.rewriteFile('physics.py', 'GRAVITY = 1.62', 'GRAVITY = 3.71');
  await sleep(PAST_GRACE_MS);
  const r = await runConsoleCell(s.page, 'scratch', 'print(f"g = {GRAVITY:.2f}")', { ready: /Reloaded \w+/ });
  assert.match(r.text, /g = 3\.71/, r.text);
  const lines = reportLines(r.text);
  assert.match(lines[0] ?? '', /^Reloaded physics modified .*ago$/, r.text);
  assert.equal(lines[1], 'Reloaded plotting because physics reloaded');
  // One state: the notebook's next cell has nothing left to reload.
  await sleep(PAST_GRACE_MS);
  const nb = await s.runCell(range);
  assert.match(nb.text, /g = 3\.71/);
  assert.deepEqual(reportLines(nb.text), []);
  await s.screenshot('scratchpad');
  await s.page.evaluate(() => window.jupyterapp.commands.execute('scratchpad-console:open'));
});

test('the Kernel menu opens the tracked-modules dialog', async () => {
  await s.page.locator('.lm-MenuBar-itemLabel', { hasText: /^Kernel$/ }).click();
  const entry = s.page.locator('.lm-Menu-itemLabel', { hasText: 'LiveImport: Show Tracked Modules' });
  await entry.waitFor({ timeout: 10000 });
  await entry.click();
  await s.page.waitForFunction(() => /Tracked modules/.test(document.querySelector('.jp-LiveImport-details')?.textContent ?? ''));
  const text = await s.page.locator('.jp-LiveImport-details').innerText();
  assert.ok(text.includes('physics') && text.includes('from physics import GRAVITY'), text);
  await s.screenshot('status-dialog', s.page.locator('.jp-Dialog-content'));
  await s.page.keyboard.press('Escape');
  assert.deepEqual(s.errors.filter(e => /liveimport/i.test(e)), []);
  s.assertOffline();
});
