/**
 * An instant first cell (JupyterLite): in a notebook holding a LiveImport
 * cell, LiveImport is loaded as soon as the kernel is idle after starting and
 * after each restart, with no execution count, history or output; a notebook
 * without LiveImport cells does not load it until such a cell runs; a cell
 * run while the loading is under way waits for it and works.
 *
 * Prints the first LiveImport cell's overhead over a plain cell (see
 * lib/preload.mjs), before (loaded when the cell runs) and after (loaded at
 * kernel start), as the median of ROUNDS kernel starts each (the machine is
 * shared: single figures are noisy), and how long the kernel showed busy
 * while loading.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { measure, Session } from './lib/harness.mjs';
import {
  assertLoaded,
  busySpan,
  isBootstrap,
  LIVE_CELL,
  median,
  prepare,
  restartKernel,
  settle,
  waitConnected
} from './lib/preload.mjs';

const ROUNDS = Number(process.env.LIVEIMPORT_PRELOAD_ROUNDS ?? 3);

let s;
before(async () => {
  s = await Session.start({ name: 'preload' });
  await prepare(s, 'pre');
});
after(async () => {
  await s?.close();
});

test('a notebook without LiveImport cells: nothing is loaded until one runs (the "before" figure)', async () => {
  await s.openNotebook('pre-plain.ipynb');
  const overheads = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      // Take the LiveImport cell out again: a notebook without one.
      await s.page.evaluate(() => {
        const model = window.__liveimportTest.notebook.content.model.sharedModel;
        for (let i = model.cells.length - 1; i >= 0; i--) {
          if (model.cells[i].getSource().includes('%%liveimport')) {
            model.deleteCell(i);
          }
        }
      });
      await restartKernel(s);
    }
    await s.recordKernel();
    await settle(s, 1000);
    const plain = await s.runCell(0);
    assertLoaded(plain, false, 'its kernel did not load LiveImport');
    assert.equal(plain.count, 1);
    const live = await s.runNewCell(LIVE_CELL);
    assert.equal(live.count, 2);
    assert.equal(live.text.trim(), '');
    const log = await s.kernelLog();
    assert.equal(log.sent.filter(m => isBootstrap(m.code)).length, 1, 'one bootstrap, sent with the LiveImport cell');
    overheads.push(live.ms - plain.ms);
  }
  measure(
    `first LiveImport cell, loaded when it runs: overhead over a plain cell (before), median of ${ROUNDS} [${overheads}]`,
    median(overheads)
  );
  s.assertOffline();
});

test('a notebook with a LiveImport cell: loaded at kernel start, invisibly (the "after" figure)', async () => {
  await s.openNotebook('pre-uses.ipynb');
  const overheads = [];
  const busy = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round > 0) {
      await s.recordKernel();
      await restartKernel(s);
    } else {
      await s.recordKernel();
    }
    // Structural: LiveImport is loaded (comm open) before any cell ran.
    await waitConnected(s);
    await settle(s, 300);
    if (round === 0) {
      assert.equal(await s.executionCount(0), null, 'no cell ran yet');
    }
    const atStart = await s.kernelLog();
    const plain = await s.runCell(0);
    assertLoaded(plain, true, 'LiveImport was loaded before the first cell ran');
    assert.equal(plain.count, 1, 'the preload moved no execution count');
    const live = await s.runCell(1);
    assert.equal(live.count, 2);
    assert.equal(live.text.trim(), '');
    const log = await s.kernelLog();
    const boots = log.sent.filter(m => isBootstrap(m.code));
    assert.deepEqual(
      boots.map(m => m.at),
      atStart.sent.filter(m => isBootstrap(m.code)).map(m => m.at),
      'the cells sent no bootstrap'
    );
    overheads.push(live.ms - plain.ms);
    if (boots.length === 1) {
      busy.push(Math.round(busySpan(atStart.status, boots[0].at)));
    }
  }
  const probe = await s.runNewCell(
    'import json\nprint(json.dumps({"inputs": len(In), "boot": any("_frontend" in x for x in In[:-1]),' +
      ' "stmts": list(__import__("liveimport").status(globals()).statements)}))'
  );
  assert.deepEqual(JSON.parse(probe.text.trim()), { inputs: 4, boot: false, stmts: ['import twin_b'] });
  measure(
    `first LiveImport cell, loaded at kernel start: overhead over a plain cell (after), median of ${ROUNDS} [${overheads}]`,
    median(overheads)
  );
  if (busy.length) {
    measure(`kernel busy while LiveImport loads at start, median of ${busy.length} [${busy}]`, median(busy));
  }
  s.assertOffline();
});

test('after a restart, a cell run while loading is under way waits for it and works', async () => {
  await s.recordKernel();
  // Shift+Enter as soon as the restarted kernel is idle: the preload is under way.
  await restartKernel(s, { polling: 5 });
  const live = await s.runCell(1);
  assert.equal(live.count, 1);
  assert.equal(live.text.trim(), '');
  const log = await s.kernelLog();
  const boots = log.sent.filter(m => isBootstrap(m.code));
  assert.equal(boots.length, 1, 'one bootstrap after the restart');
  assert.equal(log.sent.indexOf(boots[0]), 0, 'the bootstrap went before the cell');
  await waitConnected(s);
  const probe = await s.runNewCell('print(list(__import__("liveimport").status(globals()).statements))');
  assert.match(probe.text, /\['import twin_b'\]/);
  assert.equal(probe.count, 2);
  measure('LiveImport cell run while loading after a restart, Shift+Enter -> done', live.ms);
});
