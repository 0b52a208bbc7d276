/**
 * Deleting a tracked module never freezes the kernel. In JupyterLite 0.8.6 a
 * stat of a file the kernel had seen before it was deleted in the page is a
 * request the page never answers; LiveImport learns of deletions from the
 * page's events, drops the kernel's stale file-system node and never stats a
 * gone path, so the next cell finishes and says once what happened:
 * `shapes.py was deleted; the loaded version of shapes stays in use`. Covered:
 * delete through the contents API and in the file browser, rename away, a
 * deleted folder, delete then create again, a deletion in another tab, and a
 * kernel without LiveImport (the page-side net answers instead).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';

/** A cell that takes longer than this is taken for a frozen kernel. */
const CELL_TIMEOUT = 30000;
/** The page-side net's warning (driveguard.ts): must not be needed where LiveImport runs. */
const NET_WARNING = /asked JupyterLite's drive/;

let s;
let probe; // index of the cell that prints the modules' values

const source = (name, v) => `"""${name}, edited by the tests."""\n\nVALUE = ${v}\n`;
const gone = (file, module) => `${file} was deleted; the loaded version of ${module} stays in use`;

/** Lines of a cell's report about deleted files. */
const goneLines = text =>
  text
    .split('\n')
    .map(l => l.trim())
    .filter(l => l.includes(' was deleted; '));

before(async () => {
  s = await Session.start({ name: 'deletion' });
  await s.saveFile('shapes.py', source('shapes', 1));
  await s.saveFile('colors.py', source('colors', 1));
  await s.saveFile('sizes.py', source('sizes', 1));
  await s.page.evaluate(() => window.jupyterapp.serviceManager.contents.save('geo', { type: 'directory' }));
  await s.saveFile('geo/__init__.py', '');
  await s.saveFile('geo/poly.py', source('poly', 1));
  await s.openNotebook('demo.ipynb');
  const load = await s.runNewCell(
    '%%liveimport\nimport shapes, colors, sizes\nimport geo.poly as poly\nfrom shapes import VALUE as S',
    { timeout: CELL_TIMEOUT * 4 }
  );
  assert.doesNotMatch(load.text, /Error/, load.text);
  const r = await s.runNewCell(
    'import os\nprint("values", shapes.VALUE, colors.VALUE, sizes.VALUE, poly.VALUE, S)\n' +
      'print("exists", [os.path.exists(f) for f in ("shapes.py", "colors.py", "sizes.py", "geo/poly.py")])'
  );
  probe = await s.cellIndex('print("values"');
  assert.match(r.text, /values 1 1 1 1 1/);
  assert.match(r.text, /exists \[True, True, True, True\]/, 'the kernel has seen every file');
});
after(async () => {
  await s?.close();
});

/** Run the probe past the grace period; it must finish. */
async function runProbe() {
  await sleep(PAST_GRACE_MS);
  return s.runCell(probe, { timeout: CELL_TIMEOUT });
}

/** The `%liveimport` table's row of a module. */
async function statusRow(module) {
  const r = await s.runNewCell('%liveimport', { timeout: CELL_TIMEOUT });
  return r.text.split('\n').find(line => line.trim().startsWith(`${module} `)) ?? '';
}

test('delete a tracked module (contents API): the next cell finishes and says so once', async () => {
  await s.page.evaluate(() => window.jupyterapp.serviceManager.contents.delete('shapes.py'));
  const r = await runProbe();
  assert.deepEqual(goneLines(r.text), [gone('shapes.py', 'shapes')], r.text);
  assert.match(r.text, /values 1 1 1 1 1/, 'the loaded version stays in use');
  assert.match(r.text, /exists \[False, True, True, True\]/, "the user's own os.path.exists finishes too");
  const again = await runProbe();
  assert.deepEqual(goneLines(again.text), [], 'said once');
  assert.match(await statusRow('shapes'), /\bmissing\b/);
});

test('create it again: it reloads', async () => {
  await s.saveFile('shapes.py', source('shapes', 2));
  const r = await runProbe();
  assert.match(r.text, /values 2 1 1 1 2/, r.text);
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded shapes modified/);
  assert.doesNotMatch(await statusRow('shapes'), /\bmissing\b/);
});

test('delete in the file browser', async () => {
  await s.page.evaluate(() => window.jupyterapp.commands.execute('filebrowser:activate'));
  const item = s.page.locator('.jp-DirListing-item', {
    has: s.page.locator('.jp-DirListing-itemText', { hasText: /^colors\.py$/ })
  });
  await item.click({ timeout: 20000 });
  await s.page.keyboard.press('Delete');
  await s.page.locator('.jp-Dialog button', { hasText: 'Delete' }).click({ timeout: 20000 });
  await s.page.waitForFunction(
    async () => {
      try {
        await window.jupyterapp.serviceManager.contents.get('colors.py');
        return false;
      } catch {
        return true;
      }
    },
    null,
    { timeout: 20000 }
  );
  const r = await runProbe();
  assert.deepEqual(goneLines(r.text), [gone('colors.py', 'colors')], r.text);
  assert.match(r.text, /exists \[True, False, True, True\]/);
});

test('rename away', async () => {
  await s.page.evaluate(() => window.jupyterapp.serviceManager.contents.rename('sizes.py', 'sizes_old.py'));
  const r = await runProbe();
  assert.deepEqual(goneLines(r.text), [gone('sizes.py', 'sizes')], r.text);
  assert.match(r.text, /exists \[True, False, False, True\]/);
});

test('delete a folder', async () => {
  await s.page.evaluate(() => window.jupyterapp.serviceManager.contents.delete('geo'));
  const r = await runProbe();
  assert.deepEqual(goneLines(r.text), [gone('geo/poly.py', 'geo.poly')], r.text);
  assert.match(r.text, /exists \[True, False, False, False\]/);
});

test('delete, then create again before the next cell', async () => {
  await s.page.evaluate(() => window.jupyterapp.serviceManager.contents.delete('shapes.py'));
  await s.saveFile('shapes.py', source('shapes', 3));
  const r = await runProbe();
  assert.deepEqual(goneLines(r.text), [], 'back before the kernel looked: just a change');
  assert.match(r.text, /values 3 1 1 1 3/, r.text);
});

test('delete in another tab of the same site', async () => {
  const other = await s.context.newPage();
  try {
    await other.goto(`${s.server.url}lab/index.html`);
    await other.waitForFunction(() => !!window.jupyterapp, null, { timeout: 60000 });
    await other.evaluate(() => window.jupyterapp.restored);
    await other.evaluate(() => window.jupyterapp.serviceManager.contents.delete('shapes.py'));
  } finally {
    await other.close();
  }
  const r = await runProbe();
  assert.deepEqual(goneLines(r.text), [gone('shapes.py', 'shapes')], r.text);
  assert.match(r.text, /exists \[False, False, False, False\]/);
  assert.deepEqual(s.warnings.filter(w => NET_WARNING.test(w)), [], 'the kernel side alone was enough');
  s.assertOffline();
});

test('a kernel without LiveImport: a stat of a deleted file still gets an answer', async () => {
  const notebook = { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 };
  await s.page.evaluate(
    nb => window.jupyterapp.serviceManager.contents.save('plain.ipynb', { type: 'notebook', format: 'json', content: nb }),
    notebook
  );
  await s.saveFile('data.txt', 'numbers\n');
  await s.openNotebook('plain.ipynb');
  const seen = await s.runNewCell('import os\nprint(os.path.exists("data.txt"))', { timeout: CELL_TIMEOUT * 4 });
  assert.match(seen.text, /True/);
  await s.page.evaluate(() => window.jupyterapp.serviceManager.contents.delete('data.txt'));
  // os.path.exists: a stat, the request JupyterLite's page never answers for
  // a path it no longer has. Without LiveImport's kernel side the answer can
  // only be that of an empty file; opening it fails.
  const r = await s.runNewCell(
    'print("exists", os.path.exists("data.txt"))\n' +
      'try:\n    open("data.txt").read()\nexcept FileNotFoundError:\n    print("cannot open")',
    { timeout: CELL_TIMEOUT }
  );
  assert.match(r.text, /exists (True|False)\ncannot open/, r.text);
  assert.ok(
    s.warnings.some(w => NET_WARNING.test(w)),
    'the page answered the request JupyterLite left unanswered'
  );
});
