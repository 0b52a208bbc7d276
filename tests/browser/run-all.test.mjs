/**
 * Run All right after an edit reloads once, before the first cell, and never
 * between cells, even when a module file changes during the run.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';

let s;
let imports;
let range;
let plot;

before(async () => {
  s = await Session.start({ name: 'run-all' });
  await s.openNotebook('demo.ipynb');
  imports = await s.cellIndex('#_%%liveimport');
  range = await s.cellIndex('projectile_range(speed, angle)');
  plot = await s.cellIndex('plot_trajectory(speed, 45)');
});
after(async () => {
  await s?.close();
});

/** The report lines of every code cell, by cell index. */
async function reportsByCell() {
  const cells = await s.cells();
  const out = {};
  for (let i = 0; i < cells.length; i++) {
    if (cells[i].type === 'code') {
      out[i] = reportLines(await s.outputText(i));
    }
  }
  return out;
}

test('Run All in a fresh kernel: LiveImport loads before the first cell, counts 1..n', async () => {
  await s.runAll();
  assert.equal(await s.executionCount(imports), 1);
  assert.equal(await s.executionCount(range), 2);
  assert.equal(await s.executionCount(plot), 3);
  assert.match(await s.outputText(range), /g = 9\.81/);
  assert.match(await s.outputText(plot), /lands 40\.8 m away/);
  s.assertOffline();
});

test('Run All right after an edit: one reload before the first cell, none between cells', async () => {
  // A cell between `range` and `plot` that changes physics.py from inside the
  // kernel and outlasts the grace period: the cells after it in the same run
  // must still not reload.
  await s.page.evaluate(index => {
    const nb = window.__liveimportTest.notebook.content;
    nb.model.sharedModel.insertCell(index, {
      cell_type: 'code',
      source:
        'import pathlib, time\n' +
        'p = pathlib.Path("physics.py")\n' +
        'p.write_text(p.read_text().replace("GRAVITY = 1.62", "GRAVITY = 3.71"))\n' +
        'time.sleep(1.5)\n' +
        'print("physics.py rewritten")'
    });
  }, plot);
  const writer = plot;
  plot += 1;

  await s.editInEditor('physics.py', '9.81', '1.62');
  await sleep(PAST_GRACE_MS);
  await s.runAll();

  const reports = await reportsByCell();
  assert.equal(reports[imports].length, 2, `report before the first cell: ${JSON.stringify(reports)}`);
  assert.match(reports[imports][0], /^Reloaded physics modified/);
  assert.equal(reports[imports][1], 'Reloaded plotting because physics reloaded');
  for (const [index, lines] of Object.entries(reports)) {
    if (Number(index) !== imports) {
      assert.deepEqual(lines, [], `no reload reported at cell ${index}`);
    }
  }
  assert.match(await s.outputText(range), /g = 1\.62/);
  assert.match(await s.outputText(writer), /physics\.py rewritten/);
  assert.match(await s.outputText(plot), /lands 246\.9 m away/, 'the cell after the in-run change used the version of the run');
  await s.screenshot('run-all', s.page.locator('.jp-Notebook'));

  // After the run, the next cell (past the grace period) picks the change up.
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  assert.match(r.text, /g = 3\.71/);
  assert.match(reportLines(r.text)[0], /^Reloaded physics modified/);
});

test('with the extension, notebook runs replace the grace period: Run All with grace 0 never syncs between cells', async () => {
  // Grace 0 would sync before every cell; the run boundaries the extension
  // sends keep the kernel from syncing inside the run.
  const setGrace = await s.runNewCell('import liveimport\nliveimport.auto_sync(grace=0)');
  assert.doesNotMatch(setGrace.text, /Error/);
  await s.saveFile('physics.py', (await s.readFile('physics.py')).replace(/GRAVITY = [0-9.]+/, 'GRAVITY = 9.81'));
  await s.setCellSource(
    plot - 1,
    'import pathlib\n' +
      'p = pathlib.Path("physics.py")\n' +
      'p.write_text(p.read_text().replace("GRAVITY = 9.81", "GRAVITY = 1.62"))\n' +
      'print("physics.py rewritten")'
  );
  await s.runAll();
  const reports = await reportsByCell();
  assert.match(reports[imports][0] ?? '', /^Reloaded physics modified/, JSON.stringify(reports));
  for (const [index, lines] of Object.entries(reports)) {
    if (Number(index) !== imports) {
      assert.deepEqual(lines, [], `no reload reported at cell ${index}: ${JSON.stringify(reports)}`);
    }
  }
  assert.match(await s.outputText(plot - 1), /physics\.py rewritten/);
  assert.match(await s.outputText(plot), /lands 40\.8 m away/, 'the cells after the in-run change use the version of the run');
});

test('a new run syncs before its first cell even within the grace period', async () => {
  // A long grace period would skip the sync of a cell started right after
  // the previous one; a new run still syncs.
  const r0 = await s.runNewCell('liveimport.auto_sync(grace=30)');
  assert.match(reportLines(r0.text)[0] ?? '', /^Reloaded physics modified/, 'the change made during Run All');
  await s.saveFile('physics.py', (await s.readFile('physics.py')).replace('GRAVITY = 1.62', 'GRAVITY = 3.71'));
  const r = await s.runCell(range);
  assert.match(r.text, /g = 3\.71/, r.text);
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded physics modified/);
  s.assertOffline();
});
