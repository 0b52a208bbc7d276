/**
 * Cells that fail do not cost LiveImport its file events. JupyterLite's
 * kernel client drops every message queued for the kernel when a cell fails
 * (it stops the run, as ipykernel aborts queued cells), comm messages
 * included. Whatever the extension told the kernel meanwhile must still
 * arrive: after a kernel's first LiveImport cell fails (for any reason),
 * later unchanged cells make no /drive request and an edit still reloads; a
 * module saved while a cell fails is reloaded by the next cell; after Run All
 * stops at an error, the next cell syncs again.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';

const NOTEBOOK = 'failing-cells.ipynb';

let s;
let value = 0;

/** probe.py whose VALUE is `v`. */
const probeSource = v => `"""A module the tests edit."""\n\nVALUE = ${v}\n`;

before(async () => {
  s = await Session.start({ name: 'failing-cells' });
  s.driveRequests = [];
  s.context.on('request', request => {
    if (request.url().includes('/api/drive')) {
      s.driveRequests.push(request.url());
    }
  });
  await s.saveFile('probe.py', probeSource(value));
  await s.page.evaluate(
    async ([path, content]) =>
      window.jupyterapp.serviceManager.contents.save(path, { type: 'notebook', format: 'json', content }),
    [NOTEBOOK, { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }]
  );
  await s.openNotebook(NOTEBOOK);
});
after(async () => {
  await s?.close();
});

/**
 * Empty the notebook, restart the kernel and wait until it is idle. With no
 * LiveImport cell in the notebook the extension does not preload LiveImport:
 * the next LiveImport cell loads it (the bootstrap request runs just before
 * it, and the comm opens while the cell waits).
 */
async function restartKernel() {
  await s.page.evaluate(() => {
    const model = window.__liveimportTest.notebook.content.model.sharedModel;
    model.deleteCellRange(0, model.cells.length);
  });
  await s.page.evaluate(() => window.__liveimportTest.notebook.sessionContext.session.kernel.restart());
  await s.page.waitForFunction(
    () => window.__liveimportTest.notebook.sessionContext.session?.kernel?.status === 'idle',
    null,
    { timeout: 120000 }
  );
}

/** Insert a code cell at the end of the notebook (not run); returns its index. */
async function addCell(source) {
  return s.page.evaluate(source => {
    const nb = window.__liveimportTest.notebook.content;
    const n = nb.model.sharedModel.cells.length;
    nb.model.sharedModel.insertCell(n, { cell_type: 'code', source });
    return n;
  }, source);
}

/**
 * After the grace period, run the cell printing VALUE: it shows `v`; with
 * `reloaded`, one report line says probe reloaded, else none does and the
 * cell made no /drive request.
 */
async function expectValue(printer, v, { reloaded, label }) {
  await sleep(PAST_GRACE_MS);
  const since = s.driveRequests.length;
  const r = await s.runCell(printer);
  assert.match(r.text, new RegExp(`VALUE ${v} ${v}`), `${label}: ${r.text}`);
  if (reloaded) {
    // The first Markdown output of the page may render a moment later.
    await s.page
      .waitForFunction(
        i => /Reloaded /.test(window.__liveimportTest.notebook.content.widgets[i].outputArea.node.innerText),
        printer,
        { timeout: 10000 }
      )
      .catch(() => undefined);
    r.text = await s.outputText(printer);
  }
  const lines = reportLines(r.text);
  if (reloaded) {
    assert.equal(lines.length, 1, `${label}: ${r.text}`);
    assert.match(lines[0], /^Reloaded probe modified/, label);
  } else {
    assert.deepEqual(lines, [], `${label}: ${r.text}`);
    assert.deepEqual(s.driveRequests.slice(since), [], `${label}: an unchanged cell makes no /drive request`);
  }
}

/** Ways a kernel's first LiveImport cell fails, and what its output shows. */
const FIRST_CELLS = [
  {
    name: 'an import fails (ModuleNotFoundError)',
    source: '#_%%liveimport\nimport probe\nimport no_such_module_here',
    error: /ModuleNotFoundError: No module named 'no_such_module_here'/
  },
  {
    name: 'the code raises after the imports',
    source: '#_%%liveimport\nimport probe\nraise RuntimeError("after the imports")',
    error: /RuntimeError: after the imports/
  },
  {
    name: 'register() raises ValueError (a name the statement binds is gone)',
    source: '#_%%liveimport\nimport probe\nfrom probe import VALUE\ndel VALUE',
    error: /ValueError/
  },
  {
    name: 'analysis fails (the module file was made invalid after its import)',
    source:
      '#_%%liveimport\nimport spoilt\n' +
      'with open("spoilt.py", "w") as f:\n    f.write("X = = 1\\n")',
    error: /Analysis of spoilt failed/
  }
];

for (const first of FIRST_CELLS) {
  test(`the first LiveImport cell fails (${first.name}): events resume, an edit reloads`, async () => {
    await s.saveFile('spoilt.py', 'X = 1\n');
    await restartKernel();
    const failing = await addCell(first.source);
    const r = await s.runCell(failing);
    assert.match(r.text, first.error, r.text);

    const load = await s.runCell(await addCell('%%liveimport\nimport probe\nfrom probe import VALUE'));
    assert.doesNotMatch(load.text, /Error/, load.text);
    const printer = await addCell('print("VALUE", VALUE, probe.VALUE)');
    await expectValue(printer, value, { reloaded: false, label: 'first print' });
    await s.waitFileEvents(true);
    await expectValue(printer, value, { reloaded: false, label: 'unchanged' });
    await s.saveFile('probe.py', probeSource(++value));
    await expectValue(printer, value, { reloaded: true, label: 'after an edit' });
    await expectValue(printer, value, { reloaded: false, label: 'unchanged after the reload' });
    s.assertOffline();
  });
}

test('a module saved while a cell fails is reloaded by the next cell', async () => {
  await restartKernel();
  const load = await s.runCell(await addCell('#_%%liveimport\nimport probe\nfrom probe import VALUE'));
  assert.doesNotMatch(load.text, /Error/, load.text);
  const printer = await addCell('print("VALUE", VALUE, probe.VALUE)');
  await expectValue(printer, value, { reloaded: false, label: 'first print' });
  await s.waitFileEvents(true);
  const failing = await addCell('import time\ntime.sleep(2)\nraise RuntimeError("failed after a save")');
  await sleep(PAST_GRACE_MS);
  const running = s.runCell(failing);
  await sleep(700);
  await s.saveFile('probe.py', probeSource(++value));
  const r = await running;
  assert.match(r.text, /RuntimeError: failed after a save/, r.text);
  await expectValue(printer, value, { reloaded: true, label: 'saved while a cell failed' });
  await expectValue(printer, value, { reloaded: false, label: 'unchanged after the reload' });
});

test('after Run All stops at an error, the next cell syncs', async () => {
  // A notebook of three cells (the kernel keeps its names and registrations).
  await s.page.evaluate(() => {
    const model = window.__liveimportTest.notebook.content.model.sharedModel;
    model.transact(() => {
      model.deleteCellRange(0, model.cells.length);
      model.insertCells(0, [
        { cell_type: 'code', source: 'print("VALUE", VALUE, probe.VALUE)' },
        { cell_type: 'code', source: 'raise RuntimeError("Run All stops here")' },
        { cell_type: 'code', source: 'print("never", VALUE)' }
      ]);
    });
  });
  const [printer, stop, never] = [0, 1, 2];
  await s.showNotebook();
  await sleep(PAST_GRACE_MS);
  await s.page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
  await s.waitRan(stop, null);
  assert.match(await s.outputText(stop), /RuntimeError: Run All stops here/);
  // Shorter than a lost run's time-out (liveimport._page.STALE_RUN_GAP, 5 s).
  await sleep(500);
  assert.equal(await s.executionCount(never), null, 'Run All stopped at the error');
  await s.saveFile('probe.py', probeSource(++value));
  await expectValue(printer, value, { reloaded: true, label: 'after Run All stopped' });
  await expectValue(printer, value, { reloaded: false, label: 'unchanged after the reload' });
});
