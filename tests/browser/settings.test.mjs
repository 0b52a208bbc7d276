/**
 * LiveImport's settings in the Settings Editor apply to the running kernel:
 * reports off hides the reload report (the reload still happens), automatic
 * sync off stops reloading, hidden cell magic off makes #_%%liveimport a
 * plain comment.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAST_GRACE_MS, reportLines, sleep, startDemo } from './lib/harness.mjs';

let s;
let range;

before(async () => {
  ({ s, range } = await startDemo('settings'));
});
after(async () => {
  await s?.close();
});

/** Set a LiveImport checkbox in the Settings Editor (Session.setCheckbox). */
const setCheckbox = (key, checked) => s.setCheckbox(key, checked);

test('reports off: the module reloads, no report is shown', async () => {
  await setCheckbox('report', false);
  await s.screenshot('settings-reports-off');
  await s.rewriteFile('physics.py', 'GRAVITY = 9.81', 'GRAVITY = 1.62');
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  assert.match(r.text, /g = 1\.62/, 'reloaded');
  assert.deepEqual(reportLines(r.text), [], r.text);
  s.assertOffline();
});

test('reports on again: the next reload is reported', async () => {
  await setCheckbox('report', true);
  await s.rewriteFile('physics.py', 'GRAVITY = 1.62', 'GRAVITY = 3.71');
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  assert.match(r.text, /g = 3\.71/);
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded physics modified/);
});

test('automatic sync off: edits are not picked up until it is back on', async () => {
  await setCheckbox('autoSync', false);
  await s.rewriteFile('physics.py', 'GRAVITY = 3.71', 'GRAVITY = 24.79');
  await sleep(PAST_GRACE_MS);
  let r = await s.runCell(range);
  assert.match(r.text, /g = 3\.71/, 'not reloaded');
  assert.deepEqual(reportLines(r.text), []);

  await setCheckbox('autoSync', true);
  await sleep(PAST_GRACE_MS);
  r = await s.runCell(range);
  assert.match(r.text, /g = 24\.79/);
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded physics modified/);
});

test('hidden cell magic off: #_%%liveimport is a plain comment', async () => {
  await setCheckbox('hiddenCellMagic', false);
  await sleep(PAST_GRACE_MS);
  const r = await s.runNewCell(
    '#_%%liveimport\nimport plotting as plots\n' +
      'print(sorted(__import__("liveimport").status(globals()).statements))'
  );
  assert.doesNotMatch(r.text, /import plotting as plots/, 'not registered');
  await setCheckbox('hiddenCellMagic', true);
  await sleep(PAST_GRACE_MS);
  const again = await s.runNewCell(
    '#_%%liveimport\nimport plotting as plots\n' +
      'print(sorted(__import__("liveimport").status(globals()).statements))'
  );
  // The cell's own print runs before %%liveimport registers the cell's imports.
  const check = await s.runNewCell('print(sorted(__import__("liveimport").status(globals()).statements))');
  assert.match(check.text, /import plotting as plots/, `registered: ${again.text} / ${check.text}`);
});
