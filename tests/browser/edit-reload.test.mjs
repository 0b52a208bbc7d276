/**
 * Edit modules while the kernel runs, by every route a person uses, and check
 * that the next cell (after the grace period) uses the new code and reports
 * the reloads: JupyterLite's file editor, the contents API (another tool
 * saving), a syntax error and its fix, a module file created after the
 * kernel started. Measures Shift+Enter -> output after an edit.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { measure, PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';
import { assertSyncError, recordRuns } from './lib/outputs.mjs';

let s;
let range; // index of the cell that prints g and the ranges

before(async () => {
  s = await Session.start({ name: 'edit-reload' });
  await s.openNotebook('demo.ipynb');
  const imports = await s.cellIndex('#_%%liveimport');
  await s.runCell(imports);
  range = await s.cellIndex('projectile_range(speed, angle)');
  const first = await s.runCell(range);
  assert.match(first.text, /g = 9\.81/);
  await sleep(PAST_GRACE_MS);
  const unchanged = await s.runCell(range);
  assert.deepEqual(reportLines(unchanged.text), []);
  measure('Shift+Enter with nothing changed -> output (same cell, 3 tracked modules)', unchanged.ms);
});
after(async () => {
  await s?.close();
});

test('edit in the file editor: the next cell uses the new value and reports the reloads', async () => {
  await s.editInEditor('physics.py', '9.81', '1.62');
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  measure('Shift+Enter after an edit -> output (reloads physics, plotting)', r.ms);
  assert.match(r.text, /g = 1\.62 m\/s²/);
  const lines = reportLines(r.text);
  assert.equal(lines.length, 2, r.text);
  assert.match(lines[0], /^Reloaded physics modified .*ago$/);
  assert.equal(lines[1], 'Reloaded plotting because physics reloaded');
  await s.screenshot('reload-report', s.page.locator('.jp-Notebook .jp-Cell').nth(range));
  await s.page.waitForFunction(
    () => /reloaded \d/.test(document.querySelector('.jp-LiveImport-status')?.textContent ?? ''),
    null,
    { timeout: 10000 }
  );
  await s.screenshot('reload-report-page');
  s.assertOffline();
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
  assert.match(lines[2], /^Reloaded plotting because (units and physics|physics and units|physics) reloaded$/);
});

test('a syntax error: a concise error output, the cell still runs with the previous version', async () => {
  await s.rewriteFile('physics.py', 'GRAVITY = 1.62 * m / s**2', 'GRAVITY = 3.71 * m / s**2 +');
  await sleep(PAST_GRACE_MS);
  await recordRuns(s);
  const r = await s.runCell(range);
  await assertSyncError(s, range, {
    module: 'physics',
    ename: 'SyntaxError',
    evalue: /^invalid syntax \(physics\.py, line \d+\)$/
  });
  assert.match(r.text, /LiveImport could not reload physics \(.*physics\.py, line \d+\): SyntaxError/);
  assert.match(r.text, /previous version of physics stays in use/);
  assert.match(r.text, /g = 1\.62 m\/s²/, 'the cell ran with the last good version');
  assert.doesNotMatch(r.text, /_core\.py|_nbi\.py|importlib/, 'no LiveImport internals in the error');
  const errorLines = r.text.split('\n').filter(l => !/^\s*\d+°:|^g = /.test(l) && l.trim());
  assert.ok(errorLines.length <= 10, `concise:\n${r.text}`);
  await s.screenshot('syntax-error', s.page.locator('.jp-Notebook .jp-Cell').nth(range));
});

test('fixing the file reloads it on the next cell', async () => {
  await s.rewriteFile('physics.py', 'GRAVITY = 3.71 * m / s**2 +', 'GRAVITY = 3.71 * m / s**2');
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  assert.match(r.text, /g = 3\.71 m\/s²/);
  const lines = reportLines(r.text);
  assert.match(lines[0], /^Reloaded physics modified .*ago$/);
  assert.equal(lines[1], 'Reloaded plotting because physics reloaded');
  assert.doesNotMatch(r.text, /could not reload/);
});

test('a tracked module starts importing a module file created after the kernel started', async () => {
  await s.saveFile('gravity_scale.py', '"""Scale factor for gravity."""\nSCALE = 2.0\n');
  await s.rewriteFile(
    'physics.py',
    'GRAVITY = 3.71 * m / s**2',
    'from gravity_scale import SCALE\n\nGRAVITY = 3.71 * SCALE * m / s**2'
  );
  await sleep(PAST_GRACE_MS);
  let r = await s.runCell(range);
  assert.doesNotMatch(r.text, /ModuleNotFoundError|could not reload/, r.text);
  assert.match(r.text, /g = 7\.42 m\/s²/);
  assert.match(reportLines(r.text)[0], /^Reloaded physics modified/);

  // The new module is tracked too (it is in the workspace): editing it reloads physics.
  await s.rewriteFile('gravity_scale.py', 'SCALE = 2.0', 'SCALE = 3.0');
  await sleep(PAST_GRACE_MS);
  r = await s.runCell(range);
  assert.match(r.text, /g = 11\.13 m\/s²/);
  const lines = reportLines(r.text);
  assert.match(lines[0], /^Reloaded gravity_scale modified/);
  assert.equal(lines[1], 'Reloaded physics because gravity_scale reloaded');
  s.assertOffline();
});
