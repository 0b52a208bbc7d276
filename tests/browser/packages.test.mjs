/**
 * Pyodide packages loaded along the module graph (issue 20), in the JupyterLite site:
 * the kernel loads the lock packages that workspace modules import before the modules
 * run. The site's Pyodide folder holds three small lock packages the kernel does not
 * load at start (tblib, iniconfig, pycparser; scripts/site_prepare.py LOCK_EXTRAS).
 * Cases: a LiveImport cell whose module imports one; an edit that adds a second (loaded
 * before the sync reloads the module); a plain cell importing a workspace module that
 * needs a third through another module; an import no package provides (one line naming
 * module, import line and `%pip install NAME`, then the module's ModuleNotFoundError); a
 * package only the site's own piplite index has (scripts/site_prepare.py piplite-demo); a
 * module saved after the kernel listed the folder, imported by the next LiveImport cell
 * (looked up with fresh import caches, as the cell's magic will).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { PAST_GRACE_MS, reportLines, Session, sleep } from './lib/harness.mjs';

const NOTEBOOK = 'packages.ipynb';

let s;

before(async () => {
  s = await Session.start({ name: 'packages' });
  await s.saveFile(
    'pk_helpers.py',
    'import tblib\n\n\ndef kind():\n    return tblib.__name__\n'
  );
  await s.saveFile('pk_plots.py', 'import pk_deep\n\nVALUE = pk_deep.VALUE\n');
  await s.saveFile(
    'pk_deep.py',
    'from pycparser import c_ast\n\nVALUE = c_ast.__name__\n'
  );
  await s.saveFile('pk_broken.py', 'import json\nimport no_such_package_xyz\n');
  await s.saveFile(
    'pk_site.py',
    'import pk_piplite_demo\n\nNAME = pk_piplite_demo.NAME\n'
  );
  await s.createNotebook(NOTEBOOK, [
    '#_%%liveimport\nfrom pk_helpers import kind\nprint("kind:", kind())',
    'print("kind:", kind())',
    'import pk_plots\nprint("value:", pk_plots.VALUE)',
    'import pk_broken',
    'import pk_site\nprint("name:", pk_site.NAME)',
    '#_%%liveimport\nimport pk_late'
  ]);
  await s.openNotebook(NOTEBOOK);
});
after(async () => {
  await s?.close();
});

test('a LiveImport cell whose module imports a Pyodide package: loaded first, one line says so', async () => {
  const r = await s.runCell(0);
  assert.match(r.text, /^Loaded tblib for pk_helpers\.py$/m, r.text);
  assert.match(r.text, /kind: tblib/, r.text);
  assert.doesNotMatch(r.text, /Error/, r.text);
  s.assertOffline();
});

test('an edit that adds a second package: loaded before the sync reloads the module', async () => {
  await s.saveFile(
    'pk_helpers.py',
    'import tblib\nimport iniconfig\n\n\ndef kind():\n    return iniconfig.__name__\n'
  );
  await sleep(PAST_GRACE_MS);
  const r = await s.runCell(1);
  assert.match(r.text, /^Loaded iniconfig for pk_helpers\.py$/m, r.text);
  assert.match(r.text, /kind: iniconfig/, r.text);
  assert.match(
    reportLines(r.text)[0] ?? '',
    /^Reloaded pk_helpers modified .*ago$/,
    r.text
  );
});

test('a plain cell importing a workspace module that needs a third, through another module', async () => {
  const r = await s.runCell(2);
  assert.match(r.text, /^Loaded pycparser for pk_deep\.py$/m, r.text);
  assert.match(r.text, /value: pycparser\.c_ast/, r.text);
  await s.screenshot(
    'packages-cell',
    s.page.locator('.jp-Notebook .jp-Cell').nth(2)
  );
});

test('an import no package provides: one line naming module, line and what to do, then the error', async () => {
  const r = await s.runCell(3);
  assert.match(
    r.text,
    /pk_broken\.py, line 2: import no_such_package_xyz: no package of this Pyodide provides 'no_such_package_xyz'; install it with %pip install no_such_package_xyz/,
    r.text
  );
  assert.match(r.text, /ModuleNotFoundError/, r.text);
  s.assertOffline();
});

test("a package only the site's piplite index has: installed with piplite from the site, PyPI untouched", async () => {
  const r = await s.runCell(4);
  assert.match(r.text, /^Loaded pk_piplite_demo for pk_site\.py$/m, r.text);
  assert.match(r.text, /name: pk_piplite_demo/, r.text);
  s.assertOffline();
});

test('a module saved after the kernel listed the folder: looked up before the next LiveImport cell', async () => {
  await s.saveFile('pk_late.py', 'import no_such_late_xyz\n');
  const r = await s.runCell(5);
  assert.match(
    r.text,
    /pk_late\.py, line 1: import no_such_late_xyz: no package of this Pyodide provides 'no_such_late_xyz'; install it with %pip install no_such_late_xyz/,
    r.text
  );
  assert.match(
    r.text,
    /ModuleNotFoundError: No module named 'no_such_late_xyz'/,
    r.text
  );
  s.assertOffline();
});
