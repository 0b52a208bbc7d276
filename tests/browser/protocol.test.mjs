/**
 * The bootstrap code the extension sends (jupyterlite-ext/src/bootstraprequest.ts,
 * with protocol.ts, cells.ts and tokens.ts, built into lib/ by scripts/site.sh), run for real: in a fresh IPython of
 * the dev venv (which has liveimport-lite) it loads LiveImport for each kernel
 * kind the extension knows; with LiveImport hidden it says "missing" on stdout
 * (never raising: JupyterLite drops the cells queued behind a failed request)
 * and registers a %%liveimport stand-in that runs cells as plain code. No
 * browser.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';

import { ROOT } from './lib/harness.mjs';

const lib = name => import(path.join(ROOT, 'jupyterlite-ext', 'lib', `${name}.js`));
const protocol = {
  ...(await lib('tokens')),
  ...(await lib('protocol')),
  ...(await lib('bootstraprequest')),
  ...(await lib('cells'))
};
const CACHE = process.env.LIVEIMPORT_CACHE ?? path.join(os.homedir(), '.cache', 'liveimport-dev');
const PYTHON = path.join(process.env.LIVEIMPORT_VENV ?? path.join(CACHE, 'venv'), 'bin', 'python');

/** Run `cells` (after `prelude`) in a fresh IPython; returns per cell {ok, ename, name, out}. */
function ipython(cells, prelude = '') {
  const driver = `
import contextlib, io, json, sys
${prelude}
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config
c = Config(); c.HistoryManager.enabled = False
shell = InteractiveShell.instance(config=c)
out = []
for cell, silent in json.loads(sys.stdin.read()):
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf), contextlib.redirect_stderr(buf):
        r = shell.run_cell(cell, silent=silent, store_history=not silent)
    e = r.error_before_exec or r.error_in_exec
    out.append({"ok": r.success, "ename": type(e).__name__ if e else None,
                "name": getattr(e, "name", None), "out": buf.getvalue(),
                "count": shell.execution_count})
sys.__stdout__.write(json.dumps(out))
`;
  const proc = spawnSync(PYTHON, ['-c', driver], {
    input: JSON.stringify(cells),
    encoding: 'utf8',
    env: { ...process.env, LIVEIMPORT_NO_AUTOLOAD: '1' },
    timeout: 60000
  });
  assert.equal(proc.status, 0, proc.stderr);
  return JSON.parse(proc.stdout);
}

const settings = protocol.DEFAULT_SETTINGS;

test('kernelKind: the Pyodide kernel by its implementation; other kernels; unknown before the reply', () => {
  assert.equal(protocol.kernelKind({ implementation: 'pyodide' }), 'pyodide');
  assert.equal(protocol.kernelKind({ implementation: 'ipython' }), 'other');
  assert.equal(protocol.kernelKind({ implementation: 'xeus-python' }), 'other');
  assert.equal(protocol.kernelKind(null), 'unknown');
});

test('only the Pyodide kernel installs through piplite', () => {
  assert.match(protocol.bootstrapCode(settings, { kind: 'pyodide', token: 't' }), /^\s+await __import__\("piplite"\)/m);
  assert.doesNotMatch(protocol.bootstrapCode(settings, { kind: 'other' }), /piplite/);
  assert.match(protocol.bootstrapCode(settings, { kind: 'unknown' }), /sys"\)\.platform == "emscripten"/);
});

test('other and unknown kernels: the code loads LiveImport, binds no name, leaves the count alone', () => {
  const probe = 'import sys; print(sorted(k for k in globals() if "liveimport" in k), "liveimport" in sys.modules)';
  for (const kind of ['other', 'unknown']) {
    const code = protocol.bootstrapCode(settings, { kind, token: kind === 'unknown' ? 'tok-123' : undefined });
    const [boot, after] = ipython([
      [code, true],
      [probe, false]
    ]);
    assert.ok(boot.ok, `${kind}: ${boot.out}`);
    assert.equal(boot.count, 1, 'a silent request takes no execution count');
    assert.match(after.out, /^\[\] True$/m, `${kind}: ${after.out}`);
    assert.equal(after.count, 2);
  }
});

test('a kernel without LiveImport: "missing" on stdout, no error; %%liveimport runs as plain code', () => {
  const code = protocol.bootstrapCode(settings, { kind: 'other' });
  // Hide the installed package, as in a venv without liveimport-lite.
  const prelude =
    'import importlib.abc\n' +
    'class _Hide(importlib.abc.MetaPathFinder):\n' +
    '    def find_spec(self, name, path, target=None):\n' +
    '        if name == "liveimport" or name.startswith("liveimport."):\n' +
    '            raise ModuleNotFoundError(f"No module named {name!r}", name=name)\n' +
    'sys.meta_path.insert(0, _Hide())';
  const [boot, cell, line, names] = ipython(
    [
      [code, true],
      ['%%liveimport\nx = 6 * 7\nprint("plain", x)', false],
      ['%liveimport', false],
      ['print(sorted(k for k in globals() if "liveimport" in k))', false]
    ],
    prelude
  );
  assert.ok(boot.ok, 'the request itself succeeds');
  assert.deepEqual(protocol.bootstrapOutcome({ status: 'ok' }, boot.out), { kind: 'missing' });
  assert.ok(cell.ok, cell.out);
  assert.match(cell.out, /^plain 42$/m);
  assert.doesNotMatch(cell.out, /ExecutionResult/, 'the stand-in returns nothing to display');
  assert.match(line.out, /%pip install liveimport-lite/);
  assert.match(names.out, /^\[\]$/m, 'no name left behind');
});

test('any other failure is reported on stdout with its reason, without raising', () => {
  const code = protocol.bootstrapCode(settings, { kind: 'other' });
  const prelude = 'import liveimport._frontend as f\nf.bootstrap = lambda *a, **k: (_ for _ in ()).throw(ValueError("bad\\nthing"))';
  const [boot] = ipython([[code, true]], prelude);
  assert.ok(boot.ok, boot.out);
  assert.deepEqual(protocol.bootstrapOutcome({ status: 'ok' }, boot.out), { kind: 'failed', reason: 'ValueError: bad thing' });
});

test('bootstrapOutcome: any other error is a failure with its reason', () => {
  assert.deepEqual(protocol.bootstrapOutcome({ status: 'ok' }), { kind: 'loaded' });
  assert.deepEqual(protocol.bootstrapOutcome({ status: 'error', ename: 'ValueError', evalue: 'bad' }), {
    kind: 'failed',
    reason: 'ValueError: bad'
  });
  assert.deepEqual(protocol.bootstrapOutcome({ status: 'abort' }), { kind: 'failed', reason: 'abort' });
  assert.equal(
    protocol.bootstrapOutcome({ status: 'error', ename: 'ModuleNotFoundError', evalue: "No module named 'comm'" }).kind,
    'failed'
  );
});

test('notebookUsesLiveImport: code cells with the magics or an import of liveimport', () => {
  const cell = (cell_type, source) => ({ cell_type, getSource: () => source });
  assert.equal(protocol.notebookUsesLiveImport([cell('code', 'x = 1'), cell('markdown', '%%liveimport')], true), false);
  assert.equal(protocol.notebookUsesLiveImport([cell('code', '#_%%liveimport\nimport a')], true), true);
  assert.equal(protocol.notebookUsesLiveImport([cell('code', '#_%%liveimport\nimport a')], false), false);
  assert.equal(protocol.notebookUsesLiveImport([cell('code', '%%liveimport -c\nimport a')], false), true);
  assert.equal(protocol.notebookUsesLiveImport([cell('code', 'import liveimport')], true), true);
});

test('parseKernelMessage: the status message, checked, with defaults for what an older kernel side leaves out', () => {
  assert.deepEqual(protocol.parseKernelMessage({ type: 'status', version: 1, modules: 3, last_reload: null, reloads: 2 }), {
    type: 'status',
    version: 1,
    modules: 3,
    last_reload: null,
    reloads: 2,
    file_events: false,
    failures: [],
    stale: []
  });
  const status = protocol.parseKernelMessage({
    type: 'status',
    version: 2,
    modules: 'x',
    last_reload: 12.5,
    reloads: 1,
    file_events: true,
    failures: [{ module: 'units', phase: 'analysis', error: 'SyntaxError: x', file: '/drive/units.py', path: 'units.py', line: 3 }, { phase: 'reload' }, 7]
  });
  assert.equal(status.modules, 0, 'a count that is no number reads 0');
  assert.equal(status.last_reload, 12.5);
  assert.deepEqual(status.failures, [
    { module: 'units', phase: 'analysis', error: 'SyntaxError: x', file: '/drive/units.py', path: 'units.py', line: 3 }
  ]);
});

test('parseKernelMessage: a status_text answer needs its request id; other messages are ignored', () => {
  assert.deepEqual(protocol.parseKernelMessage({ type: 'status_text', request_id: 'r1', text: 'table' }), {
    type: 'status_text',
    request_id: 'r1',
    text: 'table',
    graph: null
  });
  assert.equal(protocol.parseKernelMessage({ type: 'status_text', text: 'table' }), null);
  assert.equal(protocol.parseKernelMessage({ type: 'something_newer' }), null);
  assert.equal(protocol.parseKernelMessage('status'), null);
  assert.equal(protocol.parseKernelMessage(null), null);
});

test('parseGraph: well-formed modules, edges and reload entries kept, the rest left out', () => {
  const graph = protocol.parseGraph({
    version: 1,
    modules: [
      { name: 'a', direct: true, tracked: true, file: 'a.py', path: 'a.py', missing: false, reload: 'modified', failure: null },
      { direct: true }
    ],
    edges: [['a', 'b'], ['a'], [1, 2]],
    last_reload: 5,
    reloaded: [{ module: 'a', reason: 'modified', after: [] }, { reason: 'x' }]
  });
  assert.deepEqual(graph.modules.map(m => m.name), ['a']);
  assert.deepEqual(graph.edges, [['a', 'b']]);
  assert.deepEqual(graph.reloaded, [{ module: 'a', reason: 'modified', after: [] }]);
  assert.equal(protocol.parseGraph({ modules: [] }), null, 'no edges: not graph data');
});

test('the settings message and the bootstrap carry stale_note (the "Stale-name note" setting, default on)', () => {
  assert.equal(settings.staleNote, true);
  assert.equal(protocol.settingsMessage(settings).stale_note, true);
  assert.equal(protocol.settingsMessage({ ...settings, staleNote: false }).stale_note, false);
  const [boot, probe] = ipython([
    [protocol.bootstrapCode({ ...settings, staleNote: false }, { kind: 'other' }), true],
    ['import liveimport._nbi as n; print("stale_note", n._SETTINGS.stale_note)', false]
  ]);
  assert.ok(boot.ok, boot.out);
  assert.match(probe.out, /^stale_note False$/m, 'the bootstrap applied the setting in the kernel');
});

test('parseStale: the status message and graph data name stale names; malformed entries are left out', () => {
  const sq = { name: 'sq', kind: 'instance', module: 'shapes', qualname: 'Square', cell: 4 };
  const status = protocol.parseKernelMessage({
    type: 'status',
    version: 2,
    modules: 1,
    last_reload: 1,
    reloads: 1,
    stale: [
      sq,
      { name: 'c', kind: 'enum member', module: 'shapes', qualname: 'Colour', cell: null },
      { name: 'f', kind: 'function', module: 'shapes', cell: 2.5 },
      { name: 'x', kind: 'coroutine', module: 'shapes', qualname: 'x', cell: 1 },
      { kind: 'instance', module: 'shapes' },
      { name: 'y', kind: 'class' },
      'sq'
    ]
  });
  assert.deepEqual(status.stale, [
    sq,
    { name: 'c', kind: 'enum member', module: 'shapes', qualname: 'Colour', cell: null },
    { name: 'f', kind: 'function', module: 'shapes', qualname: '', cell: null }
  ]);
  assert.deepEqual(protocol.parseStale({ sq }), [], 'not a list: none');
  const graph = protocol.parseGraph({ modules: [], edges: [], stale: [sq] });
  assert.deepEqual(graph.stale, [sq]);
  assert.deepEqual(protocol.parseGraph({ modules: [], edges: [] }).stale, [], 'an older kernel sends none');
});
