/**
 * "Why did plotting reload?": the status dialog and `%liveimport` draw the
 * tracked modules as a dependency graph (Graphviz, bundled, offline): direct
 * and indirect modules, import edges, the last reload (why each module
 * reloaded, the import it came through) and a failing module; the text table
 * is still there. Saves build/browser-artifacts/graph-status-dialog.png.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAST_GRACE_MS, reportLines, sleep, startDemo } from './lib/harness.mjs';

let s;
let range;

before(async () => {
  ({ s, range } = await startDemo('graph'));
});
after(async () => {
  await s?.close();
});

/** The drawn graph in `root`: node labels by module, and the edges' colours. */
async function drawnGraph(root) {
  await s.page.waitForSelector(`${root} .jp-LiveImport-graph svg g.node`, { timeout: 30000, state: 'attached' });
  return s.page.evaluate(root => {
    const svg = document.querySelector(`${root} .jp-LiveImport-graph svg`);
    const nodes = {};
    for (const g of svg.querySelectorAll('g.node')) {
      nodes[g.getAttribute('data-module')] = [...g.querySelectorAll('text')].map(t => t.textContent).join(' / ');
    }
    const edges = [...svg.querySelectorAll('g.edge')].map(g => ({
      title: g.querySelector('title')?.textContent ?? '',
      colour: g.querySelector('path')?.getAttribute('stroke') ?? ''
    }));
    return { nodes, edges };
  }, root);
}

test('the dialog draws the graph: why plotting reloaded, and what fails', async () => {
  await s.rewriteFile('physics.py', 'GRAVITY = 9.81 * m / s**2', 'GRAVITY = 1.62 * m / s**2');
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(range);
  assert.deepEqual(
    reportLines(r.text).map(l => l.replace(/ modified .*/, ' modified')),
    ['Reloaded physics modified', 'Reloaded plotting because physics reloaded']
  );
  await s.rewriteFile('units.py', 'LENGTH_UNIT = "m"', 'LENGTH_UNIT = "m" + 1');
  await sleep(PAST_GRACE_MS);
  await s.runCell(range);

  await s.page.click('.jp-LiveImport-status');
  const { nodes, edges } = await drawnGraph('.jp-Dialog-content');
  assert.deepEqual(Object.keys(nodes).sort(), ['physics', 'plotting', 'units']);
  assert.match(nodes.physics, /reloaded: modified/);
  assert.match(nodes.plotting, /reloaded: physics reloaded/);
  assert.match(nodes.units, /fails: TypeError/);
  // Import edges: plotting -> physics, plotting -> units, physics -> units; the
  // one the reload came through is marked.
  assert.deepEqual(edges.map(e => e.title).sort(), ['physics->units', 'plotting->physics', 'plotting->units']);
  const marked = edges.filter(e => e.colour.toLowerCase() === '#e65100').map(e => e.title);
  assert.deepEqual(marked, ['plotting->physics']);
  const table = await s.page.locator('.jp-Dialog-content .jp-LiveImport-table').innerText();
  assert.match(table, /Table \(%liveimport\)\s+Workspace:[^]*Tracked modules:/, 'the text table is still there');
  await s.page.locator('.jp-Dialog-content .jp-LiveImport-table summary').click(); // fold it for the picture
  const file = await s.screenshot('status-dialog', s.page.locator('.jp-Dialog-content'));
  console.log(`graph screenshot: ${file}`);
  // A module of the picture opens its file.
  await s.page.locator('.jp-Dialog-content g.node[data-module="units"]').click();
  await s.page.locator('.jp-Dialog').waitFor({ state: 'detached', timeout: 10000 });
  await s.page.waitForFunction(() => window.jupyterapp.shell.currentWidget?.context?.path === 'units.py', null, {
    timeout: 20000
  });
  await s.page.evaluate(() => window.jupyterapp.shell.currentWidget.close());
});

test('%liveimport draws the same graph, with the table below it', async () => {
  await s.rewriteFile('units.py', 'LENGTH_UNIT = "m" + 1', 'LENGTH_UNIT = "m"');
  await sleep(PAST_GRACE_MS);
  const index = (await s.cells()).length; // runNewCell appends the cell here
  const r = await s.runNewCell('%liveimport');
  assert.match(reportLines(r.text)[0] ?? '', /^Reloaded units modified/);
  await s.page.evaluate(async index => {
    const nb = window.__liveimportTest.notebook.content;
    nb.widgets[index].node.id = 'liveimport-graph-cell';
    await nb.scrollToItem(index, 'start');
  }, index);
  const root = '#liveimport-graph-cell';
  const { nodes } = await drawnGraph(root);
  assert.deepEqual(Object.keys(nodes).sort(), ['physics', 'plotting', 'units']);
  assert.match(nodes.units, /reloaded: modified/);
  assert.doesNotMatch(Object.values(nodes).join(' '), /fails/, 'fixed: no failure left');
  const table = s.page.locator(`${root} .jp-LiveImport-table`);
  assert.match(await table.innerText(), /Registered statements:/, 'the table shows under the picture');
  await s.screenshot('liveimport-output', s.page.locator(root));
  s.assertOffline();
});
