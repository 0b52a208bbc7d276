/**
 * Desktop JupyterLab 4.6 with ipykernel (a `jupyter lab` server on
 * 127.0.0.1, started and stopped here), the extension and liveimport-lite
 * installed in the kernel's venv: no setup cell; LiveImport is loaded at
 * kernel start; edits through the file editor and the contents API reload
 * with the report; a broken save gives the concise error and the fix
 * reloads; status bar and dialog; settings applied; Run All syncs once;
 * execution counts consecutive; no error toast. Consoles: one opened from
 * the notebook shares its LiveImport state, one on its own kernel needs no
 * setup cell. A second kernel whose venv
 * lacks liveimport-lite: exactly one notice, cells run as plain code.
 * Prints Shift+Enter -> output after an edit, and the first LiveImport
 * cell's overhead.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { openConsole, runConsoleCell } from '../lib/console.mjs';
import { startDesktopServer, toasts, BARE_KERNEL_LABEL } from '../lib/desktop.mjs';
import { measure, PAST_GRACE_MS, reportLines, Session, sleep } from '../lib/harness.mjs';
import { assertLoaded, isBootstrap, LIVE_CELL, prepare, waitConnected } from '../lib/preload.mjs';

const PLUGIN = 'jupyterlite-liveimport:plugin';

let server;
let s;
let imports;
let range;
let plot;
/** Every toast seen during the tests (collected after each test). */
const seen = [];

before(async () => {
  server = await startDesktopServer('lab');
  s = await Session.start({ name: 'desktop-lab', server, appPath: 'lab', kernelName: 'python3' });
});
after(async () => {
  try {
    await s?.close();
  } finally {
    await server?.stop();
  }
});

async function collectToasts() {
  for (const t of await toasts(s.page)) {
    if (!seen.some(x => x.text === t.text)) {
      seen.push(t);
    }
  }
}

test('no setup cell: LiveImport is loaded at kernel start; the first #_%%liveimport cell imports and prints', async () => {
  const startMs = await s.openNotebook('demo.ipynb');
  measure('desktop: kernel start (open notebook -> kernel idle)', startMs);
  await waitConnected(s); // before any cell ran
  imports = await s.cellIndex('#_%%liveimport');
  range = await s.cellIndex('projectile_range(speed, angle)');
  plot = await s.cellIndex('plot_trajectory(speed, 45)');
  const first = await s.runCell(imports);
  assert.equal(first.text.trim(), '');
  assert.equal(first.count, 1, 'the bootstrap moved no execution count');
  const r = await s.runCell(range);
  assert.match(r.text, /g = 9\.81 m\/s²/);
  assert.match(r.text, /45°: 40\.8 m/);
  assert.equal(r.count, 2);
  await s.page.waitForFunction(
    () => /LiveImport: 3 modules/.test(document.querySelector('.jp-LiveImport-status')?.textContent ?? ''),
    null,
    { timeout: 10000 }
  );
  await collectToasts();
  s.assertOffline();
});

test('edit in the file editor: the next cell reloads with the report (Shift+Enter -> output measured)', async () => {
  await s.editInEditor('physics.py', '9.81', '1.62');
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  measure('desktop: Shift+Enter after an edit -> output (reloads physics, plotting)', r.ms);
  assert.match(r.text, /g = 1\.62 m\/s²/);
  const lines = reportLines(r.text);
  assert.equal(lines.length, 2, r.text);
  assert.match(lines[0], /^Reloaded physics modified .*ago$/);
  assert.equal(lines[1], 'Reloaded plotting because physics reloaded');
  await sleep(PAST_GRACE_MS);
  const unchanged = await s.runCell(range);
  assert.deepEqual(reportLines(unchanged.text), []);
  measure('desktop: Shift+Enter with nothing changed -> output (3 tracked modules, polled)', unchanged.ms);
  await s.screenshot('reload-report', s.page.locator('.jp-Notebook .jp-Cell').nth(range));
});

test('save through the contents API: dependents reload in dependency order', async () => {
  await s.rewriteFile('units.py', 'LENGTH_UNIT = "m"', 'LENGTH_UNIT = "metres"');
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  assert.match(r.text, /45°: 246\.9 metres/);
  const lines = reportLines(r.text);
  assert.equal(lines.length, 3, r.text);
  assert.match(lines[0], /^Reloaded units modified .*ago$/);
  assert.equal(lines[1], 'Reloaded physics because units reloaded');
});

test('a broken save: concise error, the cell runs with the previous version; the fix reloads', async () => {
  await s.rewriteFile('physics.py', 'GRAVITY = 1.62 * m / s**2', 'GRAVITY = 3.71 * m / s**2 +');
  await sleep(PAST_GRACE_MS);
  let r = await s.runCell(range);
  assert.match(r.text, /LiveImport could not reload physics \(.*physics\.py, line \d+\): SyntaxError/);
  assert.match(r.text, /g = 1\.62 m\/s²/, 'the cell ran with the last good version');
  assert.doesNotMatch(r.text, /_core\.py|_nbi\.py|importlib/, 'no LiveImport internals in the error');
  const errorLines = r.text.split('\n').filter(l => !/^\s*\d+°:|^g = /.test(l) && l.trim());
  assert.ok(errorLines.length <= 10, `concise:\n${r.text}`);
  await s.rewriteFile('physics.py', 'GRAVITY = 3.71 * m / s**2 +', 'GRAVITY = 3.71 * m / s**2');
  await sleep(PAST_GRACE_MS);
  r = await s.runCell(range);
  assert.match(r.text, /g = 3\.71 m\/s²/);
  assert.match(reportLines(r.text)[0], /^Reloaded physics modified .*ago$/);
});

test('status bar and dialog', async () => {
  await s.page.waitForFunction(
    () => /LiveImport: 3 modules · reloaded/.test(document.querySelector('.jp-LiveImport-status')?.textContent ?? ''),
    null,
    { timeout: 10000 }
  );
  await s.page.click('.jp-LiveImport-status');
  await s.page.waitForFunction(() => /Tracked modules/.test(document.querySelector('.jp-LiveImport-details')?.textContent ?? ''));
  const text = await s.page.locator('.jp-LiveImport-details').innerText();
  for (const expected of ['physics', 'plotting', 'units', 'from physics import GRAVITY']) {
    assert.ok(text.includes(expected), `the table shows ${expected}:\n${text}`);
  }
  await s.screenshot('status-dialog', s.page.locator('.jp-Dialog-content'));
  await s.page.keyboard.press('Escape');
});

test('settings applied: reports off hides the report, the reload still happens; back on', async () => {
  await s.page.evaluate(() => window.jupyterapp.commands.execute('settingeditor:open', { query: 'LiveImport' }));
  const box = s.page.locator(`input[id="jp-SettingsEditor-${PLUGIN}_report"]`);
  await box.waitFor({ timeout: 20000 });
  assert.equal(await box.isChecked(), true);
  // The form may be laid out off-screen; a click on the input itself is what the user's click does.
  await box.evaluate(el => el.click());
  await s.page.waitForFunction(
    async plugin => (await window.jupyterapp.serviceManager.settings.fetch(plugin)).settings?.report === false,
    PLUGIN,
    { timeout: 20000, polling: 100 }
  );
  await sleep(300);
  await s.rewriteFile('physics.py', 'GRAVITY = 3.71', 'GRAVITY = 1.62');
  await sleep(PAST_GRACE_MS);
  let r = await s.runCell(range);
  assert.match(r.text, /g = 1\.62/);
  assert.deepEqual(reportLines(r.text), [], 'no report with reports off');
  await box.evaluate(el => el.click());
  await s.page.waitForFunction(
    async plugin => (await window.jupyterapp.serviceManager.settings.fetch(plugin)).settings?.report === true,
    PLUGIN,
    { timeout: 20000, polling: 100 }
  );
  await sleep(300);
  await s.rewriteFile('physics.py', 'GRAVITY = 1.62', 'GRAVITY = 9.81');
  await sleep(PAST_GRACE_MS);
  r = await s.runCell(range);
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded physics modified/);
});

test('Run All after an edit: one reload before the first cell, none between; counts consecutive', async () => {
  await s.rewriteFile('physics.py', 'GRAVITY = 9.81', 'GRAVITY = 1.62');
  await sleep(PAST_GRACE_MS);
  await s.runAll();
  const cells = await s.cells();
  const counts = [];
  const reports = {};
  for (let i = 0; i < cells.length; i++) {
    if (cells[i].type === 'code' && cells[i].source.trim()) {
      counts.push(await s.executionCount(i));
      reports[i] = reportLines(await s.outputText(i));
    }
  }
  assert.equal(reports[imports].length, 2, JSON.stringify(reports));
  for (const [index, lines] of Object.entries(reports)) {
    if (Number(index) !== imports) {
      assert.deepEqual(lines, [], `no reload reported at cell ${index}`);
    }
  }
  for (let i = 1; i < counts.length; i++) {
    assert.equal(counts[i], counts[i - 1] + 1, `consecutive execution counts: ${counts}`);
  }
  assert.match(await s.outputText(plot), /lands 246\.9 metres away/);
  for (let i = 0; i < cells.length; i++) {
    if (cells[i].type !== 'code') {
      continue;
    }
    assert.doesNotMatch(await s.outputText(i), /not unique in database|History logging moved/, `cell ${i}: no history database error`);
  }
  // IPython's own count agrees: no request of ours took a number.
  const probe = await s.runNewCell('print(get_ipython().execution_count, len(In))');
  assert.equal(probe.count, counts[counts.length - 1] + 1);
  assert.equal(probe.text.trim(), `${probe.count + 1} ${probe.count + 1}`);
  await collectToasts();
  assert.deepEqual(seen.filter(t => t.type === 'error'), [], 'no error toast');
  assert.deepEqual(seen.filter(t => /LiveImport/.test(t.text)), [], 'no LiveImport notice in a kernel that has it');
});

test('first LiveImport cell overhead on desktop (loaded at kernel start vs loaded by the cell)', async () => {
  await prepare(s, 'desk');
  await s.openNotebook('desk-plain.ipynb');
  await sleep(500);
  let plain = await s.runCell(0);
  assertLoaded(plain, false, 'a notebook without LiveImport cells: not loaded');
  let live = await s.runNewCell(LIVE_CELL);
  assert.equal(live.count, 2);
  measure('desktop: first LiveImport cell, loaded when it runs: overhead over a plain cell (before)', live.ms - plain.ms);
  await s.openNotebook('desk-uses.ipynb');
  await s.recordKernel();
  await waitConnected(s);
  plain = await s.runCell(0);
  assertLoaded(plain, true, 'loaded at kernel start, before the first cell ran');
  live = await s.runCell(1);
  assert.equal(live.count, 2);
  const log = await s.kernelLog();
  assert.equal(log.sent.filter(m => isBootstrap(m.code)).length, 0, 'the cells sent no bootstrap');
  measure('desktop: first LiveImport cell, loaded at kernel start: overhead over a plain cell (after)', live.ms - plain.ms);
});

test('reloading the page reconnects to the running kernel: a new comm, status shown again, no count moved', async () => {
  await s.page.reload();
  await s.page.waitForFunction(() => !!window.jupyterapp, null, { timeout: 60000 });
  await s.page.evaluate(() => window.jupyterapp.restored);
  await s.openNotebook('demo.ipynb');
  await waitConnected(s);
  // The status bar shows the current notebook's kernel. JupyterLab's layout restore can bring
  // back the tab that was current before the reload (desk-uses.ipynb, 1 module) after
  // openNotebook made demo.ipynb current: bring demo.ipynb back to the front until it stays.
  await s.page.waitForFunction(
    () => {
      const notebook = window.__liveimportTest.notebook;
      if (window.jupyterapp.shell.currentWidget !== notebook) {
        window.jupyterapp.shell.activateById(notebook.id);
        return false;
      }
      return /LiveImport: 3 modules/.test(document.querySelector('.jp-LiveImport-status')?.textContent ?? '');
    },
    null,
    { timeout: 10000 }
  );
  const probe = await s.runNewCell('print(get_ipython().execution_count, len(In))');
  assert.equal(probe.text.trim(), `${probe.count + 1} ${probe.count + 1}`, 'the reconnection took no number');
  await s.rewriteFile('physics.py', 'GRAVITY = 1.62', 'GRAVITY = 9.81');
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  assert.match(r.text, /g = 9\.81/);
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded physics modified/);
});

test('consoles: one opened from the notebook shares its LiveImport state; one on its own kernel needs no setup cell', async () => {
  // A console opened from the notebook runs on its kernel: a cell there reloads
  // what the notebook registered, and the notebook then has nothing to reload.
  await s.showNotebook();
  await openConsole(s.page, 'nb', 'notebook:create-console', { activate: false });
  const kernels = await s.page.evaluate(() => [
    window.__liveimportTest.notebook.sessionContext.session.kernel.id,
    window.__liveimportTest.consoles.nb.sessionContext.session.kernel.id
  ]);
  assert.equal(kernels[0], kernels[1], 'the console runs on the notebook kernel');
  await s.rewriteFile('physics.py', 'GRAVITY = 9.81', 'GRAVITY = 1.62');
  await sleep(PAST_GRACE_MS);
  let r = await runConsoleCell(s.page, 'nb', 'print(f"g = {GRAVITY:.2f}")', { ready: /Reloaded \w+/ });
  assert.match(r.text, /g = 1\.62/, r.text);
  let lines = reportLines(r.text);
  assert.match(lines[0] ?? '', /^Reloaded physics modified .*ago$/, r.text);
  assert.equal(lines[1], 'Reloaded plotting because physics reloaded');
  await sleep(PAST_GRACE_MS);
  const nb = await s.runCell(range);
  assert.match(nb.text, /g = 1\.62/);
  assert.deepEqual(reportLines(nb.text), [], 'one state: nothing left to reload');

  // A console with a kernel of its own: its first %%liveimport cell works.
  const ms = await openConsole(s.page, 'own', 'console:create', { kernelPreference: { name: 'python3' } });
  measure('desktop: JupyterLab console open -> kernel idle', ms);
  r = await runConsoleCell(s.page, 'own', '%%liveimport\nimport units\nfrom physics import GRAVITY\nprint(f"g = {GRAVITY:.2f}")');
  assert.doesNotMatch(r.text, /UsageError|Error/, r.text);
  assert.match(r.text, /g = 1\.62/);
  await s.page.waitForFunction(
    () => /LiveImport: 2 modules/.test(document.querySelector('.jp-LiveImport-status')?.textContent ?? ''),
    null,
    { timeout: 10000 }
  );
  await s.rewriteFile('physics.py', 'GRAVITY = 1.62', 'GRAVITY = 3.71');
  await sleep(PAST_GRACE_MS);
  r = await runConsoleCell(s.page, 'own', 'print(f"g = {GRAVITY:.2f}")', { ready: /Reloaded \w+/ });
  assert.match(r.text, /g = 3\.71/, r.text);
  lines = reportLines(r.text);
  assert.deepEqual(lines.length, 1, r.text);
  assert.match(lines[0], /^Reloaded physics modified .*ago$/);
  await s.screenshot('console');
  await collectToasts();
  assert.deepEqual(seen.filter(t => t.type === 'error'), [], 'no error toast');
  s.assertOffline();
});

test('a kernel whose environment lacks liveimport-lite: exactly one notice, cells run as plain code', async () => {
  s.kernelName = 'bare';
  await s.createNotebook('bare.ipynb', [
    '#_%%liveimport\nimport units\nprint("imported", units.LENGTH_UNIT)',
    '%%liveimport\nimport physics\nprint("g", physics.GRAVITY)',
    'print("plain", 6 * 7)'
  ]);
  await s.openNotebook('bare.ipynb');
  const notice = async () =>
    (await toasts(s.page)).filter(t => t.text.includes('LiveImport is not installed'));
  // Preloaded at start (the notebook has LiveImport cells): the notice comes before any cell.
  await s.page.waitForFunction(
    () => [...document.querySelectorAll('.Toastify__toast')].some(n => n.textContent.includes('LiveImport is not installed')),
    null,
    { timeout: 30000 }
  );
  const r0 = await s.runCell(0);
  assert.match(r0.text, /imported metres/);
  const r1 = await s.runCell(1);
  assert.match(r1.text, /^g /m, r1.text);
  const r2 = await s.runCell(2);
  assert.match(r2.text, /plain 42/);
  assert.deepEqual([r0.count, r1.count, r2.count], [1, 2, 3]);
  await sleep(1000);
  const notices = await notice();
  assert.equal(notices.length, 1, JSON.stringify(notices));
  assert.match(notices[0].text, new RegExp(`${BARE_KERNEL_LABEL.replace(/[()]/g, '\\$&')}`));
  assert.match(notices[0].text, /%pip install liveimport-lite/);
  assert.equal(notices[0].type, 'warning');
  assert.equal((await toasts(s.page)).filter(t => t.type === 'error').length, 0, 'no error toast');
  assert.equal(await s.statusBarText(), '', 'no LiveImport status for this kernel');
  await s.screenshot('bare-kernel-notice');
  s.assertOffline();
});
