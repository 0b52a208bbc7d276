/**
 * The JupyterLite site benchmark of issue 5 (run it with scripts/bench_site.sh).
 *
 * In the built bench site (the demo site plus reference LiveImport 1.3.1 in
 * its piplite index), in Chromium, driven through tests/browser/lib/harness.mjs:
 * two notebooks open at once, each with its own Pyodide kernel:
 *
 * - "ours": a `%%liveimport --clear` cell registers `import m000` ... (N
 *   modules); the extension loads our LiveImport on that cell by itself.
 *   Modes, switched by a cell: `events` (file-change events from the page,
 *   the extension's default), `polling` (`_frontend.apply_settings({"file_events":
 *   False})`), `disabled` (`auto_sync(False)`, the baseline).
 * - "ref": `await __import__("piplite").install("liveimport==1.3.1")`, then
 *   `li = __import__("liveimport"); li.register(globals(), "import r000 ...")`
 *   (its own N modules, so that a change saved for one kernel is none of the
 *   other's business): no cell text
 *   that the extension's auto-load rules match (checked against the regexes of
 *   jupyterlite-ext/src/cells.ts), so the extension never installs our
 *   `liveimport` over it. Modes `ref` and `refoff` (`li.auto_sync(False)`).
 *
 * For N in --sizes, every round times, for each mode, the cell `x = 1` run with
 * the notebook's run command (`notebook:run-cell`, as the Run button and
 * Ctrl+Enter do), page-side with performance.now() from the command to its
 * promise (which resolves on the execute reply), more than the grace period
 * after that kernel's previous cell ended:
 * - `nochange`: nothing changed since the last sync;
 * - `changed`: one module (nothing imports it) saved through the contents API
 *   just before; the cell's output must report its reload (so it happened in
 *   that cell), and a cell run at once after it must see the new value (the
 *   old one when auto-sync is off).
 * Cells of the two kernels alternate (ours, ref, ours, ...), the order of the
 * modes is reversed every other round, and a mode's config cell ends with an
 * explicit `sync()` when a change is pending (saved while auto-sync was off)
 * or events are turned on, so that each mode starts from a clean state. The /drive
 * requests the kernel makes during each timed cell are counted on the page
 * (the service worker's broadcast channel), and the kernel times its
 * `pre_run_cell` / `post_run_cell` hooks of each timed cell (a wrapper around
 * `shell.events.trigger`), which is where the sync happens.
 *
 * Output: a Markdown table on stdout and OUT/results.md; every timed cell,
 * the checks and the environment in OUT/results.json. Exit status 1 when a
 * correctness check failed; speed is reported, never asserted.
 *
 * Usage: node bench/site/bench.mjs [--sizes 10,50,200] [--rounds 5] [--out DIR] [--ref-version 1.3.1]
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { PAST_GRACE_MS, ROOT, SITE_DIR, Session, sleep } from '../../tests/browser/lib/harness.mjs';
import { installDriveRecorder } from './page.mjs';
import { countBy, environment, loadavg, markdown, sumBy, summarise } from './report.mjs';

const { values: opts } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,50,200' },
    rounds: { type: 'string', default: '5' },
    out: { type: 'string', default: path.join(ROOT, 'build', 'bench-site') },
    'ref-version': { type: 'string', default: '1.3.1' }
  }
});
const SIZES = opts.sizes.split(',').map(Number);
const ROUNDS = Number(opts.rounds);
const REF_VERSION = opts['ref-version'];
if (!SIZES.every(n => Number.isInteger(n) && n > 0) || !(ROUNDS >= 1)) {
  throw new Error(`bad --sizes ${opts.sizes} or --rounds ${opts.rounds}`);
}
SIZES.sort((a, b) => a - b);

/** Grace period (1 s) plus a margin, from the end of a kernel's previous cell. */
const GRACE_WAIT_MS = PAST_GRACE_MS;
const OURS_MODES = ['events', 'polling', 'disabled'];
const REF_MODES = ['ref', 'refoff'];
const SCENARIOS = ['nochange', 'changed'];
const AUX = 0; // index of the cell whose source changes (registration, config, checks)
const TIMED = 1; // index of the `x = 1` cell
const TIMED_SOURCE = 'x = 1';

/** What the report needs to know of the run (report.mjs). */
const CFG = {
  sizes: SIZES,
  rounds: ROUNDS,
  refVersion: REF_VERSION,
  scenarios: SCENARIOS,
  oursModes: OURS_MODES,
  refModes: REF_MODES,
  graceWaitMs: GRACE_WAIT_MS
};

const t0run = Date.now();
const log = msg => console.error(`[${((Date.now() - t0run) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

// ---------------------------------------------------------------------------
// What the kernels run

/**
 * Module names: each kernel has its own N modules (`m000`... for ours, `r000`... for the
 * reference), so that a change saved for one kernel is not a change of the other's modules.
 */
const PREFIX = { ours: 'm', ref: 'r' };
const modName = (which, i) => `${PREFIX[which]}${String(i).padStart(3, '0')}`;

/** A small module: nothing in the workspace imports it, it imports nothing of the workspace. */
function moduleSource(which, i, value) {
  return (
    `"""Benchmark module ${modName(which, i)} (bench/site/bench.mjs)."""\n` +
    'import math\n\n' +
    `VALUE = ${value}\n\n\n` +
    `def f${i}(x):\n` +
    '    """A function, so that the module is not empty."""\n' +
    '    return math.sqrt(x) + VALUE\n'
  );
}

const importLines = (which, n) => Array.from({ length: n }, (_, i) => `import ${modName(which, i)}`).join('\n');

const OURS_REGISTER = n =>
  '%%liveimport --clear\n' + '__import__("importlib").invalidate_caches()\n' + importLines('ours', n) + '\n';

const OURS_INFO =
  'import json, sys, importlib.metadata as _md, liveimport\n' +
  'print(json.dumps({"distribution": _md.version("liveimport-lite"),\n' +
  '                  "engine": "liveimport._engine" in sys.modules,\n' +
  '                  "tracked": len(liveimport.status().modules)}))\n';

/** Settings of ours per mode (sent as a `settings` comm message would be). */
const OURS_SETTINGS = {
  events: '{"auto_sync": True, "file_events": True}',
  polling: '{"auto_sync": True, "file_events": False}',
  disabled: '{"auto_sync": False, "file_events": True}'
};
const OURS_CONFIG = (mode, sync) =>
  'import liveimport, liveimport._frontend\n' +
  `liveimport._frontend.apply_settings(${OURS_SETTINGS[mode]})\n` +
  (sync ? 'liveimport.sync()\n' : '');

const REF_INSTALL = `await __import__("piplite").install("liveimport==${REF_VERSION}")\n`;

const REF_REGISTER = n =>
  '__import__("importlib").invalidate_caches()\n' +
  'li = __import__("liveimport")\n' +
  `_bench_src = ${JSON.stringify(importLines('ref', n))}\n` +
  'exec(_bench_src, globals())\n' +
  'li.register(globals(), _bench_src, clear=True)\n';

const REF_INFO =
  'import json, sys, importlib.metadata as _md\n' +
  'def _dist(name):\n' +
  '    try:\n' +
  '        return _md.version(name)\n' +
  '    except _md.PackageNotFoundError:\n' +
  '        return None\n' +
  'li = __import__("liveimport")\n' +
  'print(json.dumps({"distribution": _dist("liveimport"), "module_version": li.__version__,\n' +
  '                  "lite": _dist("liveimport-lite"), "file": li.__file__,\n' +
  '                  "engine": "liveimport._engine" in sys.modules,\n' +
  '                  "tracked": len(li._MODULE_TABLE)}))\n';

const REF_CONFIG = (mode, sync) => `li.auto_sync(${mode === 'ref' ? 'True' : 'False'})\n` + (sync ? 'li.sync()\n' : '');

const STAT_FLOOR = n =>
  'import json, os, time\n' +
  `_files = [f"m{i:03d}.py" for i in range(${n})]\n` +
  '_runs = []\n' +
  'for _ in range(5):\n' +
  '    _t = time.perf_counter()\n' +
  '    for _f in _files:\n' +
  '        os.stat(_f)\n' +
  '    _runs.append((time.perf_counter() - _t) * 1000)\n' +
  'print(json.dumps({"ms_median": sorted(_runs)[2], "ms_runs": _runs}))\n';

/**
 * Time IPython's pre_run_cell / post_run_cell hooks inside the kernel (where LiveImport's
 * sync runs): wraps `shell.events.trigger`, so hooks registered later (LiveImport's) count too.
 * Entries for the timed cells only (`x = 1`), read and cleared by HOOK_TIMES.
 */
const HOOK_TIMER =
  'def _bench_install_hook_timer():\n' +
  '    import time\n' +
  '    shell = get_ipython()\n' +
  '    events = shell.events\n' +
  '    trigger = events.trigger\n' +
  '    times = []\n' +
  '    def timed(event, *args, **kwargs):\n' +
  '        if event not in ("pre_run_cell", "post_run_cell"):\n' +
  '            return trigger(event, *args, **kwargs)\n' +
  '        t = time.perf_counter()\n' +
  '        try:\n' +
  '            return trigger(event, *args, **kwargs)\n' +
  '        finally:\n' +
  '            ms = (time.perf_counter() - t) * 1000\n' +
  '            info = args[0] if args else None\n' +
  '            info = getattr(info, "info", info)\n' +
  `            if (getattr(info, "raw_cell", None) or "").strip() == ${JSON.stringify(TIMED_SOURCE)}:\n` +
  '                times.append((event, ms))\n' +
  '    events.trigger = timed\n' +
  '    return times\n' +
  '_bench_hook_times = _bench_install_hook_timer()\n' +
  'del _bench_install_hook_timer\n';

const HOOK_TIMES =
  'import json\n' +
  'print(json.dumps({"times": _bench_hook_times}))\n' +
  '_bench_hook_times.clear()\n';

const checkSource = name => `print(${name}.VALUE)\n`;

/**
 * The extension's auto-load rules (`needsLiveImport` in
 * jupyterlite-ext/src/cells.ts), read from the source so that they stay in
 * step: no cell of the reference notebook may match them.
 */
function extensionRules() {
  const src = fs.readFileSync(path.join(ROOT, 'jupyterlite-ext', 'src', 'cells.ts'), 'utf8');
  const rule = name => {
    const m = new RegExp(`const ${name} =\\s*/(.*)/([a-z]*);`).exec(src);
    if (!m) {
      throw new Error(`cells.ts: cannot find ${name}`);
    }
    return new RegExp(m[1], m[2]);
  };
  const magic = rule('MAGIC_RE');
  const hidden = rule('HIDDEN_MAGIC_RE');
  const uses = rule('USES_RE');
  return source => {
    const first = source.split('\n').find(line => line.trim() !== '') ?? '';
    return magic.test(first) || hidden.test(first.trimStart()) || uses.test(source);
  };
}
const needsLiveImport = extensionRules();

// ---------------------------------------------------------------------------
// Page side

/** Install window.__bench (notebooks, comm status, run helpers) and window.__drive (page.mjs). */
async function installPageHelpers(page) {
  await page.evaluate(installDriveRecorder);
  await page.evaluate(() => {
    const app = window.jupyterapp;
    const B = (window.__bench = { nbs: {}, status: {} });
    B.open = async (which, file) => {
      const widget = await app.commands.execute('docmanager:open', {
        path: file,
        factory: 'Notebook',
        kernel: { name: 'python' }
      });
      await widget.context.ready;
      await widget.sessionContext.ready;
      B.nbs[which] = widget;
      const kernel = widget.sessionContext.session.kernel;
      kernel.anyMessage.connect((_, { msg }) => {
        const data = msg.content?.data;
        if ((msg.header.msg_type === 'comm_msg' || msg.header.msg_type === 'comm_open') && data?.type === 'status') {
          B.status[which] = data;
        }
      });
    };
    B.idle = which => B.nbs[which]?.sessionContext.session?.kernel?.status === 'idle';
    /** Bring a notebook to the front and select a cell (untimed). */
    B.prepare = async (which, index, source) => {
      const nb = B.nbs[which];
      if (app.shell.currentWidget !== nb) {
        app.shell.activateById(nb.id);
        await new Promise(resolve => setTimeout(resolve, 100));
      }
      const content = nb.content;
      const cell = content.widgets[index];
      if (source !== null && cell.model.sharedModel.getSource() !== source) {
        cell.model.sharedModel.setSource(source);
      }
      content.activeCellIndex = index;
      content.deselectAll();
      content.mode = 'command';
      nb.content.node.focus();
      return app.shell.currentWidget === nb;
    };
    const outputText = outputs =>
      outputs
        .map(o => {
          if (o.output_type === 'stream') {
            return Array.isArray(o.text) ? o.text.join('') : o.text;
          }
          if (o.output_type === 'error') {
            return `${o.ename}: ${o.evalue}\n`;
          }
          const d = o.data ?? {};
          const t = d['text/markdown'] ?? d['text/plain'] ?? '';
          return (Array.isArray(t) ? t.join('') : t) + '\n';
        })
        .join('');
    /** Run the selected cell with the notebook's run command; time it. */
    B.run = async (which, index) => {
      const nb = B.nbs[which];
      const cell = nb.content.widgets[index];
      window.__drive.take();
      const t0 = performance.now();
      const ok = await app.commands.execute('notebook:run-cell');
      const ms = performance.now() - t0;
      const end = Date.now();
      const drive = window.__drive.take();
      const outputs = cell.model.outputs.toJSON();
      return {
        ms,
        end,
        ok,
        count: cell.model.executionCount,
        drive,
        text: outputText(outputs),
        error: outputs.some(o => o.output_type === 'error'),
        status: B.status[which] ?? null
      };
    };
  });
}

// ---------------------------------------------------------------------------
// Driver

const results = []; // every timed cell
const failures = []; // correctness problems
const notes = []; // odd things worth reporting
const lastEnd = { ours: 0, ref: 0 }; // Date.now() when each kernel's last cell ended
const loadedValue = { ours: new Map(), ref: new Map() }; // module -> VALUE the kernel has loaded
const fileValue = new Map(); // module -> VALUE in the file
let session;

function fail(message) {
  failures.push(message);
  log(`CHECK FAILED: ${message}`);
}

/** Run cell `index` of notebook `which` (after setting its source); wait first if `afterGrace`. */
async function runCell(which, index, source, { afterGrace = false, before = null, timeout = 300000 } = {}) {
  if (which === 'ref' && source !== null && needsLiveImport(source)) {
    throw new Error(`a reference cell would make the extension load our LiveImport:\n${source}`);
  }
  const active = await session.page.evaluate(([w, i, s]) => window.__bench.prepare(w, i, s), [which, index, source]);
  if (!active) {
    throw new Error(`could not bring the ${which} notebook to the front`);
  }
  if (afterGrace) {
    const wait = lastEnd[which] + GRACE_WAIT_MS - Date.now();
    if (wait > 0) {
      await sleep(wait);
    }
  }
  if (before) {
    await before();
  }
  let timer;
  const r = await Promise.race([
    session.page.evaluate(([w, i]) => window.__bench.run(w, i), [which, index]),
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${which}: a cell did not finish within ${timeout / 1000} s`)), timeout);
    })
  ]).finally(() => clearTimeout(timer));
  lastEnd[which] = r.end;
  if (!r.ok || r.error) {
    throw new Error(`${which}: cell failed:\n${source ?? TIMED_SOURCE}\n--- output:\n${r.text}`);
  }
  return r;
}

/** Run a cell that prints one JSON line; return it parsed. */
async function runInfo(which, source) {
  const r = await runCell(which, AUX, source);
  const line = r.text.trim().split('\n').pop();
  try {
    return { ...JSON.parse(line), ms: r.ms };
  } catch {
    throw new Error(`${which}: no JSON in\n${r.text}`);
  }
}

async function saveFile(file, content) {
  await session.page.evaluate(
    ([file, content]) => window.jupyterapp.serviceManager.contents.save(file, { type: 'file', format: 'text', content }),
    [file, content]
  );
}

function notebookJson() {
  const cell = source => ({ cell_type: 'code', source, metadata: {}, outputs: [], execution_count: null, id: undefined });
  return {
    cells: [cell('# set-up, configuration and checks (the benchmark rewrites this cell)'), cell(TIMED_SOURCE)].map(
      (c, i) => ({ ...c, id: `bench-${i}` })
    ),
    metadata: {
      kernelspec: { name: 'python', display_name: 'Python (Pyodide)', language: 'python' },
      language_info: { name: 'python' }
    },
    nbformat: 4,
    nbformat_minor: 5
  };
}

/** Register the first `n` modules in both kernels (writing the ones not in /drive yet). */
async function registerModules(n, written) {
  for (let i = written; i < n; i++) {
    for (const which of ['ours', 'ref']) {
      fileValue.set(modName(which, i), 0);
      await saveFile(`${modName(which, i)}.py`, moduleSource(which, i, 0));
    }
  }
  const registration = {};
  for (const which of ['ours', 'ref']) {
    // Changes saved while auto-sync was off (the last mode of the previous size) are still
    // pending: registering again must not hide them. Turn auto-sync on (ours: with events, no
    // explicit sync), and check that the next cell after the grace period has the files' values.
    const pending = [...loadedValue[which]].filter(([name, value]) => fileValue.get(name) !== value).map(([name]) => name);
    const r = await runCell(which, AUX, which === 'ours' ? OURS_REGISTER(n) : REF_REGISTER(n));
    registration[which] = r.ms;
    await runCell(which, AUX, which === 'ours' ? OURS_CONFIG('events', false) : REF_CONFIG('ref', false));
    for (let i = 0; i < n; i++) {
      loadedValue[which].set(modName(which, i), fileValue.get(modName(which, i)));
    }
    if (pending.length) {
      const wait = lastEnd[which] + GRACE_WAIT_MS - Date.now();
      if (wait > 0) {
        await sleep(wait);
      }
      const { ms: _, ...seen } = await runInfo(which, `import json\nprint(json.dumps({${pending.map(m => `"${m}": ${m}.VALUE`).join(', ')}}))\n`);
      log(`N=${n} ${which}: change(s) saved with auto-sync off, seen after registering again: ${JSON.stringify(seen)}`);
      for (const name of pending) {
        if (seen[name] !== fileValue.get(name)) {
          fail(
            `N=${n} ${which}: ${name} was saved (VALUE = ${fileValue.get(name)}) while auto-sync was off; after ` +
              `registering again and auto-sync on, a cell after the grace period has VALUE = ${seen[name]}`
          );
        }
      }
    }
  }
  const ours = await runInfo('ours', OURS_INFO);
  const ref = await runInfo('ref', REF_INFO);
  if (ours.tracked !== n) {
    fail(`N=${n}: ours tracks ${ours.tracked} modules`);
  }
  if (ref.tracked !== n) {
    fail(`N=${n}: the reference tracks ${ref.tracked} modules`);
  }
  if (ref.distribution !== REF_VERSION || ref.module_version !== REF_VERSION || ref.lite !== null || ref.engine) {
    fail(`N=${n}: the reference kernel does not run LiveImport ${REF_VERSION} alone: ${JSON.stringify(ref)}`);
  }
  // The floor of polling: os.stat of the N files, timed inside the kernel (each a /drive round trip).
  const floor = await runInfo('ours', STAT_FLOOR(n));
  log(
    `N=${n}: registered (cell ${Math.round(registration.ours)} ms ours, ${Math.round(registration.ref)} ms ref); ` +
      `os.stat of the ${n} files in the kernel: ${floor.ms_median.toFixed(1)} ms`
  );
  return { registration, ours, ref, statFloor: floor };
}

/**
 * Read the kernels' hook times of the timed cells since the last call and attach them, in
 * order, to the page-side records of this size and round.
 */
async function collectHookTimes(n, round) {
  for (const which of ['ours', 'ref']) {
    const { times } = await runInfo(which, HOOK_TIMES);
    const pre = times.filter(([event]) => event === 'pre_run_cell').map(([, ms]) => ms);
    const post = times.filter(([event]) => event === 'post_run_cell').map(([, ms]) => ms);
    const records = results.filter(r => r.n === n && r.round === round && r.which === which);
    if (pre.length !== records.length || post.length !== records.length) {
      fail(`N=${n} ${which}: ${pre.length}/${post.length} hook timings for ${records.length} timed cells`);
      continue;
    }
    records.forEach((r, i) => {
      r.kernelPreMs = pre[i];
      r.kernelPostMs = post[i];
    });
  }
}

/** One mode's block: config cell, then a timed cell per scenario. Returns the steps. */
function modeSteps(which, mode, n, round) {
  const steps = [{ kind: 'config', which, mode }];
  for (const scenario of SCENARIOS) {
    steps.push({ kind: 'timed', which, mode, scenario, n, round });
  }
  return steps;
}

async function runStep(step) {
  const { which, mode } = step;
  if (step.kind === 'config') {
    // An explicit sync() when a change is pending (saved while auto-sync was off), and when
    // switching to events (the kernel polls once then: not part of the steady state we time).
    const enabledNext = mode !== 'disabled' && mode !== 'refoff';
    const pending = [...loadedValue[which]].some(([name, value]) => fileValue.get(name) !== value);
    const sync = enabledNext && (pending || mode === 'events');
    await runCell(which, AUX, which === 'ours' ? OURS_CONFIG(mode, sync) : REF_CONFIG(mode, sync));
    if (sync) {
      for (const [name] of loadedValue[which]) {
        loadedValue[which].set(name, fileValue.get(name));
      }
    }
    return;
  }
  const { scenario, n, round } = step;
  const enabled = mode !== 'disabled' && mode !== 'refoff';
  const target = modName(which, n - 1);
  let newValue = null;
  let before = null;
  if (scenario === 'changed') {
    // Just before the cell, after the grace period (and with the notebook in front).
    newValue = fileValue.get(target) + 1;
    fileValue.set(target, newValue);
    before = () => saveFile(`${target}.py`, moduleSource(which, n - 1, newValue));
  }
  const r = await runCell(which, TIMED, TIMED_SOURCE, { afterGrace: true, before });
  const reloaded = [...r.text.matchAll(/Reloaded ([mr]\d{3})\b/g)].map(m => m[1]);
  const record = {
    n,
    round,
    which,
    mode,
    scenario,
    ms: r.ms,
    drive: r.drive.length,
    driveMethods: countBy(r.drive.map(d => d.method)),
    // Each request as "method path", in order (what a changed module costs: report.mjs).
    driveRequests: r.drive.map(d => `${d.method} ${d.path}`),
    // Page-side service time of the requests, summed per method (ms).
    driveMs: sumBy(r.drive),
    reloaded,
    fileEvents: r.status?.file_events ?? null
  };
  if (scenario === 'nochange' && reloaded.length) {
    fail(`N=${n} ${mode}: a cell with nothing changed reported reloads: ${reloaded.join(', ')}`);
  }
  if (scenario === 'changed') {
    const expectReload = enabled;
    if (expectReload && (reloaded.length !== 1 || reloaded[0] !== target)) {
      fail(`N=${n} ${mode} round ${round}: expected the report "Reloaded ${target}", got: ${JSON.stringify(r.text)}`);
    }
    if (!expectReload && reloaded.length) {
      fail(`N=${n} ${mode}: auto-sync off, yet the cell reported reloads: ${reloaded.join(', ')}`);
    }
    const check = await runCell(which, AUX, checkSource(target));
    const gap = check.end - check.ms - r.end;
    const seen = Number(check.text.trim());
    const expected = expectReload ? newValue : loadedValue[which].get(target);
    record.check = { seen, expected, gapMs: Math.round(gap), drive: check.drive.length };
    if (gap > 900) {
      notes.push(`N=${n} ${mode}: the check cell started ${Math.round(gap)} ms after the timed cell (near the grace period)`);
    }
    if (seen !== expected) {
      fail(`N=${n} ${mode} round ${round}: after the change ${target}.VALUE is ${seen} in the kernel, expected ${expected}`);
    }
    if (expectReload) {
      loadedValue[which].set(target, newValue);
    }
  }
  results.push(record);
}

// ---------------------------------------------------------------------------
// Main

async function main() {
  fs.mkdirSync(opts.out, { recursive: true });
  const env = environment(CFG);
  log(`bench site ${SITE_DIR}; sizes ${SIZES.join(', ')}; ${ROUNDS} rounds`);
  session = await Session.start({ name: 'bench-site' });
  const setup = {};
  let exitCode = 0;
  try {
    await installPageHelpers(session.page);
    for (const which of ['ours', 'ref']) {
      await session.page.evaluate(
        ([file, nb]) => window.jupyterapp.serviceManager.contents.save(file, { type: 'notebook', format: 'json', content: nb }),
        [`bench-${which}.ipynb`, notebookJson()]
      );
    }
    const t0 = Date.now();
    await session.page.evaluate(() => Promise.all([window.__bench.open('ours', 'bench-ours.ipynb'), window.__bench.open('ref', 'bench-ref.ipynb')]));
    await session.page.waitForFunction(() => window.__bench.idle('ours') && window.__bench.idle('ref'), null, {
      timeout: 180000,
      polling: 100
    });
    setup.kernelsIdleMs = Date.now() - t0;
    log(`two kernels idle after ${(setup.kernelsIdleMs / 1000).toFixed(1)} s`);

    for (const which of ['ours', 'ref']) {
      await runCell(which, AUX, HOOK_TIMER);
    }
    const install = await runCell('ref', AUX, REF_INSTALL);
    setup.refInstallMs = install.ms;
    const info = await runInfo('ref', REF_INFO);
    if (info.distribution !== REF_VERSION || info.module_version !== REF_VERSION || info.lite !== null) {
      fail(`the reference kernel does not run LiveImport ${REF_VERSION}: ${JSON.stringify(info)}`);
    }
    log(`reference: ${JSON.stringify(info)}`);

    setup.sizes = {};
    let written = 0;
    for (const n of SIZES) {
      setup.sizes[n] = await registerModules(n, written);
      written = Math.max(written, n);
      if (n === SIZES[0]) {
        setup.ours = setup.sizes[n].ours;
      }
      for (let round = 0; round < ROUNDS; round++) {
        const flip = round % 2 === 1;
        const oursModes = flip ? [...OURS_MODES].reverse() : OURS_MODES;
        const refModes = flip ? [...REF_MODES].reverse() : REF_MODES;
        const ours = oursModes.flatMap(m => modeSteps('ours', m, n, round));
        const ref = refModes.flatMap(m => modeSteps('ref', m, n, round));
        // Alternate the kernels step by step: one waits out its grace period while the other runs.
        for (let i = 0; i < Math.max(ours.length, ref.length); i++) {
          if (i < ours.length) {
            await runStep(ours[i]);
          }
          if (i < ref.length) {
            await runStep(ref[i]);
          }
        }
        await collectHookTimes(n, round);
        const last = results.filter(r => r.n === n && r.round === round);
        log(
          `N=${n} round ${round + 1}/${ROUNDS}: ` +
            last.map(r => `${r.mode}/${r.scenario === 'nochange' ? '0' : '1'} ${Math.round(r.ms)}`).join(', ')
        );
      }
    }
    const eventsOn = results.filter(r => r.mode === 'events').map(r => r.fileEvents);
    const pollingOn = results.filter(r => r.mode === 'polling').map(r => r.fileEvents);
    if (results.some(r => r.fileEvents !== null)) {
      if (!eventsOn.every(x => x === true)) {
        notes.push(`events mode: the kernel's status said file_events = ${JSON.stringify(countBy(eventsOn.map(String)))}`);
      }
      if (!pollingOn.every(x => x === false)) {
        notes.push(`polling mode: the kernel's status said file_events = ${JSON.stringify(countBy(pollingOn.map(String)))}`);
      }
    }
    session.assertOffline();
  } catch (error) {
    exitCode = 1;
    failures.push(`run aborted: ${error.stack ?? error}`);
    log(`run aborted: ${error.stack ?? error}`);
    try {
      await session.screenshot('aborted');
    } catch {
      // best effort
    }
  } finally {
    await session.close();
  }

  env.kernelReportsFileEvents = results.some(r => r.fileEvents !== null);
  env.eventsCells = results.filter(r => r.mode === 'events').length;
  env.eventsCellsRelyingOnEvents = results.filter(r => r.mode === 'events' && r.fileEvents === true).length;
  env.durationS = Math.round((Date.now() - t0run) / 1000);
  env.loadavgEnd = loadavg();
  const rows = summarise(results, CFG);
  const md = markdown(rows, env, setup, failures, CFG);
  const json = { env, setup, summary: rows, cells: results, failures, notes };
  fs.writeFileSync(path.join(opts.out, 'results.json'), JSON.stringify(json, null, 1) + '\n');
  fs.writeFileSync(path.join(opts.out, 'results.md'), md + '\n');
  console.log(md);
  for (const note of notes) {
    console.error(`note: ${note}`);
  }
  if (failures.length) {
    console.error(`${failures.length} check(s) failed:\n- ${failures.join('\n- ')}`);
    exitCode = 1;
  }
  log(`done in ${env.durationS} s; raw figures in ${path.join(opts.out, 'results.json')}`);
  process.exitCode = exitCode;
}

await main();
