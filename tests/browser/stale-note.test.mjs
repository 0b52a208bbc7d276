/**
 * Stale names (issue 18): after an edit reloads shapes, an instance made
 * before it still has the old class. The next cell's output shows the reload
 * report, then the note naming it and the cell that made it; the status
 * dialog lists it under "Still on an old version" and the graph marks
 * shapes; re-making it clears both; the "Stale-name note" setting off
 * silences the note (the kernel got the setting) while the dialog still
 * lists the name. Saves build/browser-artifacts/stale-note-cell.png and
 * stale-note-dialog.png.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';

const NOTEBOOK = 'stale-note.ipynb';

/** shapes.py whose Square describes itself as version `v`. */
const shapesSource = v =>
  `"""Shapes the stale-note test edits."""\n\n\nclass Square:\n    side = 2\n\n    def describe(self):\n        return "square v${v}"\n`;

let s;
let make; // the cell that makes sq
let next; // the cell run after each edit
let madeIn; // the execution count of `make`'s last run

before(async () => {
  s = await Session.start({ name: 'stale-note' });
  await s.saveFile('shapes.py', shapesSource(1));
  await s.createNotebook(NOTEBOOK, [
    '#_%%liveimport\nfrom shapes import Square',
    'sq = Square()\nprint(sq.describe())',
    'print("new:", Square().describe(), "| sq:", sq.describe())'
  ]);
  await s.openNotebook(NOTEBOOK);
  await s.runCell(0);
  make = 1;
  next = 2;
  const made = await s.runCell(make);
  assert.match(made.text, /square v1/);
  madeIn = made.count;
});
after(async () => {
  await s?.close();
});

/**
 * Rewrite shapes.py from version `from` to `to`, wait out the grace period
 * and run the next cell: a new Square is of version `to`, sq still of
 * version `held`, and the report says shapes reloaded.
 */
async function editAndRun(from, to, held = from) {
  await s.rewriteFile('shapes.py', `"square v${from}"`, `"square v${to}"`);
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(next);
  // The report is Markdown, rendered asynchronously after the cell is idle: wait for its text.
  await s.page.waitForFunction(
    i => window.__liveimportTest.notebook.content.widgets[i].outputArea.node.innerText.includes('Reloaded '),
    next,
    { timeout: 10000, polling: 50 }
  );
  r.text = await s.outputText(next);
  assert.match(r.text, new RegExp(`new: square v${to} \\| sq: square v${held}`), 'sq keeps the old class');
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded shapes modified .*ago$/, r.text);
  return r;
}

/** Open the status dialog; resolves once its graph is drawn. */
async function openDialog() {
  await s.page.click('.jp-LiveImport-status');
  await s.page.waitForSelector('.jp-Dialog-content .jp-LiveImport-graph svg g.node', {
    timeout: 30000,
    state: 'attached'
  });
}

/** What the open dialog says of stale names: heading, items, advice, and the graph's shapes node. */
function dialogStale() {
  return s.page.evaluate(() => {
    const root = document.querySelector('.jp-Dialog-content');
    const node = root.querySelector('g.node[data-module="shapes"]');
    return {
      headings: [...root.querySelectorAll('h3')].map(h => h.textContent),
      items: [...root.querySelectorAll('.jp-LiveImport-stale li')].map(li => li.textContent),
      advice: root.querySelector('.jp-LiveImport-staleAdvice')?.textContent ?? null,
      marked: node.classList.contains('jp-LiveImport-staleModule'),
      dataStale: node.getAttribute('data-stale'),
      label: [...node.querySelectorAll('text')].map(t => t.textContent).join(' / '),
      outline: node.querySelector('path, polygon')?.getAttribute('stroke-dasharray') ?? null,
      legend: root.querySelector('.jp-LiveImport-legend')?.textContent ?? ''
    };
  });
}

async function closeDialog() {
  await s.page.locator('.jp-Dialog .jp-mod-accept').click();
  await s.page.locator('.jp-Dialog').waitFor({ state: 'detached', timeout: 10000 });
}

test('after an edit the note names sq and the cell that made it, after the reload report', async () => {
  const r = await editAndRun(1, 2);
  const lines = r.text.split('\n').map(l => l.trim());
  const report = lines.findIndex(l => l.startsWith('Reloaded shapes modified'));
  const note = lines.findIndex(l => l.startsWith('Still on the old version of shapes:'));
  assert.ok(note > report, `the note follows the report:\n${r.text}`);
  assert.equal(
    lines[note],
    `Still on the old version of shapes: sq (Square, made in In [${madeIn}]) \u2014 re-run those cells to get the new code.`
  );
  const file = await s.screenshot('cell', s.page.locator('.jp-Notebook .jp-Cell').nth(next));
  console.log(`stale note screenshot: ${file}`);
  s.assertOffline();
});

test('the status dialog lists sq under "Still on an old version"; the graph marks shapes', async () => {
  await openDialog();
  const stale = await dialogStale();
  assert.ok(stale.headings.includes('Still on an old version'), JSON.stringify(stale.headings));
  assert.deepEqual(stale.items, [`sq \u2014 instance Square (shapes), In [${madeIn}]`]);
  assert.match(stale.advice ?? '', /^Re-run those cells to get the new code/);
  assert.equal(stale.marked, true);
  assert.equal(stale.dataStale, 'sq');
  assert.match(stale.label, /old version in use: sq/);
  assert.ok(stale.outline, 'a dashed outline');
  assert.match(stale.legend, /names still hold its old version/);
  await s.page.locator('.jp-Dialog-content .jp-LiveImport-table summary').click(); // fold it for the picture
  const file = await s.screenshot('dialog', s.page.locator('.jp-Dialog-content'));
  console.log(`stale dialog screenshot: ${file}`);
  await closeDialog();
});

test('re-running the cell that made sq clears the list and the mark', async () => {
  const made = await s.runCell(make);
  assert.match(made.text, /square v2/);
  madeIn = made.count;
  await openDialog();
  const stale = await dialogStale();
  assert.ok(!stale.headings.includes('Still on an old version'), JSON.stringify(stale.headings));
  assert.deepEqual(stale.items, []);
  assert.equal(stale.marked, false);
  assert.doesNotMatch(stale.label, /old version/);
  await closeDialog();
});

test('"Stale-name note" off: the report shows, the note does not; the dialog still lists sq', async () => {
  await s.setCheckbox('staleNote', false);
  await s.showNotebook();
  const r = await editAndRun(2, 3);
  assert.doesNotMatch(r.text, /Still on the old version/, r.text);
  await openDialog();
  const stale = await dialogStale();
  assert.deepEqual(stale.items, [`sq \u2014 instance Square (shapes), In [${madeIn}]`]);
  await closeDialog();

  await s.setCheckbox('staleNote', true);
  const again = await editAndRun(3, 4, 2);
  assert.match(again.text, /Still on the old version of shapes: sq \(Square, made in In \[\d+\]\)/, again.text);
  s.assertOffline();
});
