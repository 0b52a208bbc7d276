/**
 * File-change events: the page tells the kernel which files changed, so a
 * cell with nothing changed makes no /drive round trip, and no change is
 * missed whichever way a file is edited: the file editor, the contents API,
 * delete and re-create, rename, upload through the file browser, another tab
 * of the same site, code running in the kernel (open, os.replace), JavaScript
 * writing the kernel's file system (picked up by an explicit sync()), with
 * events turned off (polling), and for a notebook in a subdirectory.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';

const PLUGIN = 'jupyterlite-liveimport:plugin';

let s;
let probe; // index of the cell printing VALUE
let value = 0;

/** probe.py whose VALUE is `v`. */
const probeSource = v => `"""A module the tests edit."""\n\nVALUE = ${v}\n`;

/** Requests the kernel made to the page's drive (service worker path), since `since`. */
function driveRequests(since) {
  return s.driveRequests.slice(since);
}

before(async () => {
  s = await Session.start({ name: 'file-events' });
  s.driveRequests = [];
  s.context.on('request', request => {
    if (request.url().includes('/api/drive')) {
      s.driveRequests.push(request.url());
    }
  });
  await s.saveFile('probe.py', probeSource(0));
  await s.openNotebook('demo.ipynb');
  await s.runCell(await s.cellIndex('#_%%liveimport'));
  const load = await s.runNewCell('%%liveimport\nfrom probe import VALUE\nimport probe');
  assert.doesNotMatch(load.text, /Error/, load.text);
  const r = await s.runNewCell('print("VALUE", VALUE, probe.VALUE)');
  probe = await s.cellIndex('print("VALUE", VALUE');
  assert.match(r.text, /VALUE 0 0/);
  await s.waitFileEvents(true);
});
after(async () => {
  await s?.close();
});

/** After an edit made some other way: the next cell (past the grace period) shows it. */
async function expectValue(v, route) {
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(probe);
  assert.match(r.text, new RegExp(`VALUE ${v} ${v}`), `${route}: ${r.text}`);
  const lines = reportLines(r.text);
  assert.equal(lines.length, 1, `${route}: ${r.text}`);
  assert.match(lines[0], /^Reloaded probe modified/, route);
}

test('a cell with nothing changed makes no /drive request', async () => {
  await sleep(PAST_GRACE_MS);
  const since = s.driveRequests.length;
  const r = await s.runCell(probe);
  assert.deepEqual(reportLines(r.text), []);
  assert.deepEqual(driveRequests(since), [], 'no round trip to the drive');
});

test('the file editor', async () => {
  await s.editInEditor('probe.py', `VALUE = ${value}`, `VALUE = ${++value}`);
  await expectValue(value, 'editor');
});

test('the contents API (another tool saving)', async () => {
  await s.saveFile('probe.py', probeSource(++value));
  await expectValue(value, 'contents API');
});

test('delete, then create again', async () => {
  await s.page.evaluate(() => window.jupyterapp.serviceManager.contents.delete('probe.py'));
  await s.saveFile('probe.py', probeSource(++value));
  await expectValue(value, 'delete + new');
});

test('rename another file over it', async () => {
  await s.saveFile('probe_next.py', probeSource(++value));
  await s.page.evaluate(async () => {
    const contents = window.jupyterapp.serviceManager.contents;
    await contents.delete('probe.py');
    await contents.rename('probe_next.py', 'probe.py');
  });
  await expectValue(value, 'rename');
});

test('upload through the file browser (overwrite)', async () => {
  value += 1;
  await s.page.evaluate(() => window.jupyterapp.commands.execute('filebrowser:activate'));
  const chooser = s.page.waitForEvent('filechooser', { timeout: 20000 });
  await s.page.locator('.jp-FileBrowser .jp-id-upload').first().click();
  await (await chooser).setFiles({ name: 'probe.py', mimeType: 'text/x-python', buffer: Buffer.from(probeSource(value)) });
  const overwrite = s.page.locator('.jp-Dialog button', { hasText: 'Overwrite' });
  await overwrite.click({ timeout: 20000 });
  await s.page.waitForFunction(
    async v => (await window.jupyterapp.serviceManager.contents.get('probe.py', { content: true })).content.includes(`VALUE = ${v}`),
    value,
    { timeout: 20000 }
  );
  await expectValue(value, 'upload');
});

test('another tab of the same site', async () => {
  const other = await s.context.newPage();
  try {
    await other.goto(`${s.server.url}lab/index.html`);
    await other.waitForFunction(() => !!window.jupyterapp, null, { timeout: 60000 });
    await other.evaluate(() => window.jupyterapp.restored);
    value += 1;
    await other.evaluate(
      content => window.jupyterapp.serviceManager.contents.save('probe.py', { type: 'file', format: 'text', content }),
      probeSource(value)
    );
  } finally {
    await other.close();
  }
  await expectValue(value, 'other tab');
});

test('code in the kernel: open() and os.replace()', async () => {
  value += 1;
  await s.runNewCell(`open("probe.py", "w").write(${JSON.stringify(probeSource(value))})`);
  await expectValue(value, 'open()');
  value += 1;
  await s.runNewCell(
    'import os\n' +
      `open("probe.tmp", "w").write(${JSON.stringify(probeSource(value))})\n` +
      'os.replace("probe.tmp", "probe.py")'
  );
  await expectValue(value, 'os.replace()');
});

test('JavaScript writing the kernel file system: an explicit sync() picks it up', async () => {
  value += 1;
  const r = await s.runNewCell(
    'import pyodide_js, liveimport\n' +
      `pyodide_js.FS.writeFile("/drive/probe.py", ${JSON.stringify(probeSource(value))})\n` +
      'liveimport.sync()\n' +
      'print("VALUE", VALUE, probe.VALUE)'
  );
  assert.match(r.text, new RegExp(`VALUE ${value} ${value}`), r.text);
});

/** Click the fileEvents checkbox in the Settings Editor so that it ends up `checked`. */
async function setFileEvents(checked) {
  await s.page.evaluate(() => window.jupyterapp.commands.execute('settingeditor:open', { query: 'LiveImport' }));
  const box = s.page.locator(`input[id="jp-SettingsEditor-${PLUGIN}_fileEvents"]`);
  await box.waitFor({ timeout: 20000 });
  if ((await box.isChecked()) !== checked) {
    await box.click();
  }
  await s.waitFileEvents(checked);
}

test('events off in the settings: the kernel polls (and sees every change)', async () => {
  await setFileEvents(false);
  await sleep(PAST_GRACE_MS);
  const since = s.driveRequests.length;
  const r = await s.runCell(probe);
  assert.deepEqual(reportLines(r.text), []);
  assert.ok(driveRequests(since).length > 0, 'polling stats the tracked file through the drive');
  await s.saveFile('probe.py', probeSource(++value));
  await expectValue(value, 'contents API, polling');
  await setFileEvents(true);
  await s.saveFile('probe.py', probeSource(++value));
  await expectValue(value, 'contents API, events on again');
  s.assertOffline();
});

test('a notebook in a subdirectory: its kernel relies on events too', async () => {
  const notebook = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
  await s.page.evaluate(async nb => {
    const contents = window.jupyterapp.serviceManager.contents;
    await contents.save('sub', { type: 'directory' });
    await contents.save('sub/nb.ipynb', { type: 'notebook', format: 'json', content: nb });
  }, notebook);
  await s.saveFile('sub/helper2.py', 'VALUE = 1\n');
  await s.openNotebook('sub/nb.ipynb');
  const load = await s.runNewCell('%%liveimport\nimport helper2\nfrom helper2 import VALUE');
  assert.doesNotMatch(load.text, /Error/, load.text);
  const show = await s.runNewCell('import os; print(os.getcwd(), VALUE)');
  assert.match(show.text, /\/drive\/sub 1/, show.text);
  await s.waitFileEvents(true);
  await s.saveFile('sub/helper2.py', 'VALUE = 2\n');
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(await s.cellIndex('os.getcwd()'));
  assert.match(r.text, /\/drive\/sub 2/, r.text);
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded helper2 modified/);
});
