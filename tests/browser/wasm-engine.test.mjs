/**
 * Which engine the site's kernel uses: the pyo3 one in JupyterLite 0.8 and 0.7 (Pyodide 314
 * and 0.29, the platform wheel piplite picks from the extension's index for each), the
 * wasm-bindgen one in 0.6 (the universal wheel); $LIVEIMPORT_LITE_LINE names the site's line
 * (default 0.8).
 *
 * The wasm-bindgen engine inside a JupyterLite kernel (a browser Web Worker):
 * liveimport._engine_wasm loads its glue and .wasm from the installed wheel
 * (every wheel carries it) through Pyodide's FFI (no network: the session checks), and its
 * engine reads /drive (JupyterLite's DriveFS) itself with FS.stat/FS.readFile:
 * it tracks a module saved by the page, sees the page's next save with the
 * mtime Python's os.stat reports, and reports a syntax error with file and line.
 * (The 0.8 and 0.7 sites' kernels use the pyo3 engine; this checks the other one there.)
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { Session, sleep } from './lib/harness.mjs';

let s;
before(async () => {
  s = await Session.start({ name: 'wasm-engine' });
});
after(async () => {
  await s?.close();
});

const LINE = process.env.LIVEIMPORT_LITE_LINE ?? '0.8';

/**
 * The engine's mtime is the one os.stat reports, except that Pyodide 0.26/0.27's Emscripten
 * (3.1.58) fills st_mtim's nanoseconds with the milliseconds times 1000 (a .123 s mtime reads
 * .000123 s in Python): the engine reads the FS's own milliseconds, so there only the seconds
 * agree.
 */
function sameMtime(engine, stat) {
  if (LINE === '0.6') assert.equal(Math.floor(engine), Math.floor(stat));
  else assert.equal(engine, stat, 'the engine reads the mtime os.stat reads');
}

test(`JupyterLite ${LINE}: the kernel installed the wheel for its Pyodide`, async () => {
  await s.openNotebook('demo.ipynb');
  const probe = await s.runNewCell(
    'import json, sys, importlib.metadata as md, liveimport._engine as e\n' +
      'tag = [l for l in md.distribution("liveimport-lite").read_text("WHEEL").splitlines() if l.startswith("Tag:")]\n' +
      'print(json.dumps([e.BACKEND, tag[0], sys.version_info[:2]]))'
  );
  const [backend, tag, python] = JSON.parse(probe.text.trim().split('\n').pop());
  const expected = { '0.8': ['pyo3', 'pyemscripten_2026_0_wasm32', [3, 14]],
                     '0.7': ['pyo3', 'pyodide_2025_0_wasm32', [3, 13]],
                     '0.6': ['wasm-bindgen', 'py3-none-any', [3, 12]] }[LINE];
  assert.equal(backend, expected[0]);
  assert.ok(tag.endsWith(expected[1]), tag);
  assert.deepEqual(python, expected[2]);
});

test('the wasm-bindgen engine loads in the kernel worker and polls /drive itself', async () => {
  await s.saveFile('wasmprobe.py', 'X = 1\n');
  const first = await s.runNewCell(
    'import json, os\n' +
      'from liveimport import _engine_wasm as w\n' +
      'def check(file, source):\n' +
      '    try:\n' +
      '        compile(source, file, "exec")\n' +
      '    except SyntaxError as error:\n' +
      '        return error\n' +
      'probe = w.Engine([os.getcwd()], tuple(__import__("sys").version_info[:2]), check)\n' +
      'path = os.path.abspath("wasmprobe.py")\n' +
      'probe.register(1, [("import", "wasmprobe", None, None)], [("wasmprobe", path, "")], False)\n' +
      'print(json.dumps({"file": w._MODULE is not None and w.WASM_DIR, "tracked": probe.status(1)[1][0][:3],\n' +
      '    "stat": os.stat(path).st_mtime, "plan": probe.plan_sync(True)[0]}))'
  );
  const state = JSON.parse(first.text.trim().split('\n').pop());
  assert.match(state.file, /site-packages\/liveimport\/_wasm$/);
  assert.equal(state.tracked[0], 'wasmprobe');
  assert.match(state.tracked[1], /\/drive\/wasmprobe\.py$/);
  sameMtime(state.tracked[2], state.stat);
  assert.deepEqual(state.plan, []);

  await sleep(1100); // a later mtime (DriveFS: milliseconds)
  await s.saveFile('wasmprobe.py', 'X = 2\n');
  const second = await s.runNewCell(
    'print(json.dumps({"plan": probe.plan_sync(True)[0], "stat": os.stat(path).st_mtime}))'
  );
  const changed = JSON.parse(second.text.trim().split('\n').pop());
  assert.equal(changed.plan.length, 1);
  assert.deepEqual([changed.plan[0][0], changed.plan[0][1]], ['wasmprobe', 'modified']);
  sameMtime(changed.plan[0][2], changed.stat);

  await s.saveFile('wasmprobe.py', 'X = (\n');
  await sleep(50);
  const broken = await s.runNewCell(
    'try:\n' +
      '    probe.plan_sync(True)\n' +
      'except w.AnalysisError as error:\n' +
      '    print(json.dumps([error.module, type(error.cause).__name__, error.cause.filename, error.cause.lineno]))'
  );
  const [module, kind, file, line] = JSON.parse(broken.text.trim().split('\n').pop());
  assert.equal(module, 'wasmprobe');
  assert.equal(kind, 'SyntaxError');
  assert.match(file, /wasmprobe\.py$/);
  assert.equal(line, 1);
  s.assertOffline();
});
