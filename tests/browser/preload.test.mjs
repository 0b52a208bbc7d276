/**
 * An instant first cell (JupyterLite): in a notebook holding a LiveImport
 * cell, LiveImport is loaded as soon as the kernel is idle after starting and
 * after each restart, with no execution count, history or output; a notebook
 * without LiveImport cells does not load it until such a cell runs. Prints
 * the first LiveImport cell's overhead over a plain cell, before (loaded when
 * the cell runs) and after (loaded at start), and how long the kernel showed
 * busy while loading at start.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { measure, Session } from './lib/harness.mjs';
import { assertLoaded, busySpan, isBootstrap, LIVE_CELL, prepare, settle, waitConnected } from './lib/preload.mjs';

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
  measure('first LiveImport cell, loaded when it runs: overhead over a plain cell (before)', live.ms - plain.ms);
  measure('  plain cell (import twin_a)', plain.ms);
  measure('  LiveImport cell (#_%%liveimport import twin_b), loads LiveImport', live.ms);
  s.assertOffline();
});

test('a notebook with a LiveImport cell: loaded at kernel start, invisibly (the "after" figure)', async () => {
  await s.openNotebook('pre-uses.ipynb');
  await s.recordKernel();
  // Structural: LiveImport is loaded (comm open) before any cell ran.
  await waitConnected(s);
  assert.equal(await s.executionCount(0), null, 'no cell ran yet');
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
  const probe = await s.runNewCell(
    'import json\nprint(json.dumps({"inputs": len(In), "boot": any("_frontend" in x for x in In[:-1]),' +
      ' "stmts": list(__import__("liveimport").status(globals()).statements)}))'
  );
  assert.deepEqual(JSON.parse(probe.text.trim()), { inputs: 4, boot: false, stmts: ['import twin_b'] });
  measure('first LiveImport cell, loaded at kernel start: overhead over a plain cell (after)', live.ms - plain.ms);
  measure('  plain cell (import twin_a)', plain.ms);
  measure('  LiveImport cell (#_%%liveimport import twin_b)', live.ms);
  if (boots.length === 1) {
    measure('kernel busy while LiveImport loads at start (no cell waiting)', busySpan(atStart.status, boots[0].at));
  }
  s.assertOffline();
});

test('after a restart it is loaded again at idle; a cell run while loading waits and works', async () => {
  await s.recordKernel();
  await s.page.evaluate(() => window.__liveimportTest.notebook.sessionContext.session.kernel.restart());
  // Shift+Enter as soon as the restarted kernel is idle: the preload is under way.
  await s.page.waitForFunction(
    () => window.__liveimportTest.notebook.sessionContext.session?.kernel?.status === 'idle',
    null,
    { timeout: 120000, polling: 5 }
  );
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
  const busy = busySpan(log.status, boots[0].at);
  measure('kernel busy while LiveImport loads after a restart (the cell waited)', busy);
  measure('  LiveImport cell run while loading, Shift+Enter -> done', live.ms);
});
