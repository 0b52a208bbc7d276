/**
 * A first #_%%liveimport cell as notebooks write them: a built-in module
 * (`math`), a namespace package (a folder without `__init__.py`) and a
 * package whose modules import each other relatively. The modules without a
 * file are tracked as such; editing a module inside the namespace package,
 * or one reached through relative imports, reloads it and its dependents in
 * dependency order (the report lines LiveImport 1.3.1 prints for the same
 * files), and the notebook sees the new values.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';

const NOTEBOOK = 'module-kinds.ipynb';
const FILES = {
  'nspkg/mod.py': 'VALUE = 1\n',
  'relpkg/__init__.py':
    '"""A package whose modules import each other relatively."""\nfrom .core import describe\n\n__all__ = ["describe"]\n',
  'relpkg/core.py': 'from nspkg import mod\nfrom .helpers import label\n\n\ndef describe():\n    return label(mod.VALUE)\n',
  'relpkg/helpers.py': 'def label(v):\n    return f"value={v}"\n'
};

let s;
let printer; // index of the cell printing the values

before(async () => {
  s = await Session.start({ name: 'module-kinds' });
  s.driveRequests = [];
  s.context.on('request', request => {
    if (request.url().includes('/api/drive')) {
      s.driveRequests.push(request.url());
    }
  });
  await s.page.evaluate(
    async ([path, content]) => {
      const contents = window.jupyterapp.serviceManager.contents;
      for (const dir of ['nspkg', 'relpkg']) {
        await contents.save(dir, { type: 'directory' });
      }
      await contents.save(path, { type: 'notebook', format: 'json', content });
    },
    [NOTEBOOK, { cells: [], metadata: {}, nbformat: 4, nbformat_minor: 5 }]
  );
  for (const [file, content] of Object.entries(FILES)) {
    await s.saveFile(file, content);
  }
  await s.openNotebook(NOTEBOOK);
});
after(async () => {
  await s?.close();
});

/** After the grace period, run the printing cell; wait for its report when one is expected. */
async function runPrinter({ reloads }) {
  await sleep(PAST_GRACE_MS);
  const since = s.driveRequests.length;
  const r = await s.runCell(printer);
  if (reloads > 0) {
    // The page's first Markdown output may render a moment later.
    await s.page.waitForFunction(
      ([i, n]) =>
        window.__liveimportTest.notebook.content.widgets[i].outputArea.node.innerText
          .split('\n')
          .filter(l => l.trim().startsWith('Reloaded ')).length >= n,
      [printer, reloads],
      { timeout: 10000 }
    );
    r.text = await s.outputText(printer);
  }
  return { ...r, drive: s.driveRequests.slice(since) };
}

test('the first #_%%liveimport cell imports math, a namespace package and a package with relative imports', async () => {
  const first = await s.runNewCell(
    '#_%%liveimport\nimport math\nfrom nspkg import mod\nimport relpkg\nfrom relpkg import describe'
  );
  assert.equal(first.text.trim(), '', 'the cell runs without error');
  const table = await s.runNewCell('%liveimport');
  for (const row of [
    /^\s*math\s+direct\s+no file\s+-\s+-\s*$/m,
    /^\s*nspkg\s+direct\s+no file\s+relpkg\.core\s+-\s*$/m,
    /^\s*nspkg\.mod\s+direct\s+.*\/drive\/nspkg\/mod\.py\s*$/m,
    /^\s*relpkg\s+direct\s+.*\/drive\/relpkg\/__init__\.py\s*$/m,
    /^\s*relpkg\.core\s+indirect\s+.*\/drive\/relpkg\/core\.py\s*$/m,
    /^\s*relpkg\.helpers\s+indirect\s+.*\/drive\/relpkg\/helpers\.py\s*$/m
  ]) {
    assert.match(table.text, row, table.text);
  }
  const shown = await s.runNewCell('print("mod", mod.VALUE, describe(), round(math.pi, 2))');
  printer = await s.cellIndex('print("mod"');
  assert.match(shown.text, /mod 1 value=1 3\.14/);
  const unchanged = await runPrinter({ reloads: 0 });
  assert.deepEqual(reportLines(unchanged.text), []);
  assert.deepEqual(unchanged.drive, [], 'an unchanged cell makes no /drive request');
  s.assertOffline();
});

test('edit a module inside the namespace package: it reloads, then its dependents', async () => {
  await s.editInEditor('nspkg/mod.py', 'VALUE = 1', 'VALUE = 2');
  const r = await runPrinter({ reloads: 3 });
  assert.match(r.text, /mod 2 value=2 3\.14/, r.text);
  const lines = reportLines(r.text);
  assert.equal(lines.length, 3, r.text);
  assert.match(lines[0], /^Reloaded nspkg\.mod modified .*ago$/);
  assert.equal(lines[1], 'Reloaded relpkg.core because nspkg.mod reloaded');
  assert.equal(lines[2], 'Reloaded relpkg because relpkg.core reloaded');
  await s.screenshot('namespace-reload', s.page.locator('.jp-Notebook .jp-Cell').nth(printer));
  const unchanged = await runPrinter({ reloads: 0 });
  assert.deepEqual(reportLines(unchanged.text), []);
  assert.deepEqual(unchanged.drive, [], 'an unchanged cell makes no /drive request');
});

test('edit a module reached by relative imports: the package reloads after it', async () => {
  await s.saveFile('relpkg/helpers.py', 'def label(v):\n    return f"VALUE is {v}"\n');
  const r = await runPrinter({ reloads: 3 });
  assert.match(r.text, /mod 2 VALUE is 2 3\.14/, r.text);
  const lines = reportLines(r.text);
  assert.equal(lines.length, 3, r.text);
  assert.match(lines[0], /^Reloaded relpkg\.helpers modified .*ago$/);
  assert.equal(lines[1], 'Reloaded relpkg.core because relpkg.helpers reloaded');
  assert.equal(lines[2], 'Reloaded relpkg because relpkg.core reloaded');
  s.assertOffline();
});
