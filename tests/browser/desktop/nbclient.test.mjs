/**
 * A failed auto-sync as tools that execute notebooks see it (nbclient, which
 * nbconvert --execute, nbval and nbgrader use; LiveImport 1.3.1's own
 * `integration:notebook` test reads `ename` of the `error` outputs): with
 * ipykernel from the desktop venv and no frontend, the cell after a broken
 * save has an `error` output whose `ename`/`evalue` are the cause's
 * (ZeroDivisionError from the module, CPython's SyntaxError), then its own
 * output; nbclient raises nothing (the execute reply's status is `ok`), and
 * the outputs have no "Error in callback" line. No browser. (A notebook run
 * by a tool runs cells back to back: grace 0 makes every cell sync.)
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { DESKTOP_VENV } from '../lib/desktop.mjs';

const SCRIPT = String.raw`
import json, os, sys, nbformat
from nbclient import NotebookClient
cells = [
    "import liveimport\nliveimport.auto_sync(grace=0)",
    "#_%%liveimport\nfrom helpers import f",
    "open('helpers.py', 'w').write('def f():\\n    return 2\\nx = 1 / 0\\n')",
    "print('value', f())",
    "open('helpers.py', 'w').write('def f():\\n    return (3\\n')",
    "print('value', f())",
]
nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
client = NotebookClient(nb, kernel_name="python3", timeout=120, allow_errors=False,
                        resources={"metadata": {"path": os.getcwd()}})
client.execute()
print(json.dumps([cell.outputs for cell in nb.cells]))
`;

test('nbclient: error outputs with the cause as ename, the cell runs, no CellExecutionError', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'liveimport-nbclient-'));
  try {
    fs.writeFileSync(path.join(dir, 'helpers.py'), 'def f():\n    return 1\n');
    const env = {
      ...process.env,
      IPYTHONDIR: path.join(dir, '.ipython'),
      JUPYTER_CONFIG_DIR: path.join(dir, '.jupyter')
    };
    const r = spawnSync(
      path.join(DESKTOP_VENV, 'bin', 'python'),
      ['-c', SCRIPT],
      { cwd: dir, env, encoding: 'utf8', timeout: 300000 }
    );
    assert.equal(r.status, 0, `nbclient failed:\n${r.stdout}\n${r.stderr}`);
    const outputs = JSON.parse(r.stdout.trim().split('\n').pop());
    const brief = outs =>
      outs.map(o =>
        o.output_type === 'error'
          ? `error:${o.ename}`
          : o.output_type === 'stream'
            ? `${o.name}:${o.text.trim()}`
            : o.output_type
      );
    // The reload error: the module's ZeroDivisionError, then the cell's output.
    assert.deepEqual(brief(outputs[3]), [
      'error:ZeroDivisionError',
      'stdout:value 1'
    ]);
    const zero = outputs[3][0];
    assert.equal(zero.evalue, 'division by zero');
    assert.match(
      zero.traceback[0],
      /^LiveImport could not reload helpers \(.*helpers\.py, line 3\): ZeroDivisionError: division by zero$/
    );
    assert.equal(
      zero.traceback.at(-1),
      'The previous version of helpers stays in use; fix the file and run a cell to reload it.'
    );
    // The analysis error: CPython's SyntaxError.
    assert.deepEqual(brief(outputs[5]), [
      'error:SyntaxError',
      'stdout:value 1'
    ]);
    assert.equal(
      outputs[5][0].evalue,
      "'(' was never closed (helpers.py, line 2)"
    );
    assert.ok(!r.stdout.includes('Error in callback'));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
