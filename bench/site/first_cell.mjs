/**
 * The first LiveImport cell of a saved lesson, in the JupyterLite sites of
 * each line (issue 17, item 5; run it with `scripts/bench_site.sh first-cell`).
 *
 * A person opens a saved notebook whose first code cell starts with
 * `#_%%liveimport` and imports workspace modules (the demo lesson: `units`,
 * `physics`, `plotting`, demo/content), reads for a while, then runs that
 * cell. The extension loads LiveImport as soon as the notebook's kernel is
 * idle (the bootstrap, with its warm-up), so by then only the cell's own work
 * should be left. Compared with the same notebook without the
 * `#_%%liveimport` line (a plain import cell; the extension loads nothing).
 *
 * Each measurement is a fresh Chromium (fresh profile: the site's files as
 * built, nothing compiled or cached) on the line's site, driven through
 * tests/browser/lib/harness.mjs:
 * 1. the lesson, `demo.ipynb` with (`live`) or without (`plain`) the
 *    `#_%%liveimport` line, is saved as `lesson.ipynb` through the contents
 *    API and opened with the Pyodide kernel;
 * 2. when the kernel is first idle, "reading": wait --reading ms (3000);
 * 3. the first code cell is run with `notebook:run-cell` (the Run button,
 *    Ctrl+Enter) and timed page-side with performance.now() from the command
 *    to its promise (which resolves on the execute reply), as
 *    bench/site/bench.mjs does; the /drive requests the kernel makes
 *    meanwhile are recorded (bench/site/page.mjs), and from the kernel's
 *    messages: how long the kernel was busy with the cell's request (iopub
 *    status busy -> idle), and whether the bootstrap had finished before;
 * 4. untimed checks: the cell printed nothing and raised nothing; a probe
 *    (an execute request outside the notebook) says whether LiveImport is
 *    loaded (live: yes, tracking the three modules; plain: no) and which
 *    Pyodide runs.
 * For each round, every line runs both variants (the order of the variants
 * alternates between rounds); figures are medians over the rounds.
 *
 * Output: a Markdown table on stdout and OUT/results.md; every measurement,
 * the checks and the environment in OUT/results.json. Exit status 1 when a
 * check failed; speed is reported, never asserted.
 *
 * Usage: node bench/site/first_cell.mjs [--lines 0.8,0.7,0.6] [--rounds 5] [--reading 3000]
 *   [--out DIR] [--site LINE=DIR ...]
 *        node bench/site/first_cell.mjs --report OUT/results.json [--lines ...] [--rounds N] [--reading MS]
 *   (the second prints the report of an earlier run again; give the run's --lines, --rounds and --reading)
 * The site of a line defaults to where `LIVEIMPORT_LITE_LINE=LINE scripts/site.sh build` puts it
 * (build/site for 0.8, build/site-0.7, build/site-0.6).
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';

import { ROOT, Session, sleep, startServer } from '../../tests/browser/lib/harness.mjs';
import { installDriveRecorder } from './page.mjs';
import { countBy, environment, loadavg, median, sumBy } from './report.mjs';

const { values: opts } = parseArgs({
  options: {
    lines: { type: 'string', default: '0.8,0.7,0.6' },
    rounds: { type: 'string', default: '5' },
    reading: { type: 'string', default: '3000' },
    out: { type: 'string', default: path.join(ROOT, 'build', 'bench-site', 'first-cell') },
    site: { type: 'string', multiple: true, default: [] },
    report: { type: 'string' }
  }
});
const LINES = opts.lines.split(',');
const ROUNDS = Number(opts.rounds);
const READING_MS = Number(opts.reading);
if (!LINES.every(l => ['0.8', '0.7', '0.6'].includes(l)) || !(ROUNDS >= 1) || !(READING_MS >= 0)) {
  throw new Error(`bad --lines ${opts.lines}, --rounds ${opts.rounds} or --reading ${opts.reading}`);
}
const SITES = Object.fromEntries(LINES.map(l => [l, path.join(ROOT, 'build', l === '0.8' ? 'site' : `site-${l}`)]));
for (const spec of opts.site) {
  const [line, dir] = spec.split('=');
  if (!(line in SITES) || !dir) {
    throw new Error(`bad --site ${spec}: expected LINE=DIR for one of --lines`);
  }
  SITES[line] = path.resolve(dir);
}
const VARIANTS = ['live', 'plain'];
/** The goal: the LiveImport cell costs less than this much more than the plain one. */
const GOAL_MS = 20;
const LESSON = 'lesson.ipynb';
const MARKER = '#_%%liveimport';

const t0run = Date.now();
const log = msg => console.error(`[${((Date.now() - t0run) / 1000).toFixed(0).padStart(4)} s] ${msg}`);

/** Whether an execute request's code is LiveImport's bootstrap (as tests/browser/lib/preload.mjs). */
const isBootstrap = code => code.includes('liveimport._frontend');

/** Untimed probe, sent after the timed cell: matches none of the extension's auto-load rules. */
const PROBE =
  'import json as _j, sys as _s\n' +
  '_li = _s.modules.get("liveimport")\n' +
  'print(_j.dumps({"loaded": _li is not None,\n' +
  '    "tracked": sorted(m.name for m in _li.status().modules) if _li is not None else None,\n' +
  '    "pyodide": __import__("pyodide").__version__, "python": _s.version.split()[0]}))\n' +
  'del _j, _s, _li\n';

// ---------------------------------------------------------------------------
// Page side

/** Install window.__first: open the lesson, record its kernel's messages, run a cell. */
async function installPageHelpers(page) {
  await page.evaluate(installDriveRecorder);
  await page.evaluate(() => {
    const app = window.jupyterapp;
    const F = (window.__first = { nb: null, sent: [], status: [], replies: {}, commOpenAt: null });
    /** Save the lesson (demo.ipynb, with or without its first line) and open it. */
    F.open = async (file, marker, live) => {
      const demo = await app.serviceManager.contents.get('demo.ipynb', { content: true });
      const content = JSON.parse(JSON.stringify(demo.content));
      const first = content.cells.find(c => c.cell_type === 'code');
      const source = Array.isArray(first.source) ? first.source.join('') : first.source;
      if (!source.startsWith(marker + '\n')) {
        throw new Error(`demo.ipynb: the first code cell does not start with ${marker}`);
      }
      first.source = live ? source : source.slice(marker.length + 1);
      await app.serviceManager.contents.save(file, { type: 'notebook', format: 'json', content });
      const widget = await app.commands.execute('docmanager:open', {
        path: file,
        factory: 'Notebook',
        kernel: { name: 'python' }
      });
      await widget.context.ready;
      await widget.sessionContext.ready;
      F.nb = widget;
      const kernel = widget.sessionContext.session.kernel;
      kernel.anyMessage.connect((_, { msg, direction }) => {
        const at = performance.now();
        const type = msg.header.msg_type;
        const parent = msg.parent_header?.msg_id ?? null;
        if (direction === 'send' && type === 'execute_request') {
          F.sent.push({ id: msg.header.msg_id, code: msg.content.code, at });
        } else if (direction === 'recv' && type === 'status') {
          F.status.push({ state: msg.content.execution_state, parent, at });
        } else if (direction === 'recv' && type === 'execute_reply') {
          F.replies[parent] = at;
        } else if (direction === 'recv' && type === 'comm_open' && msg.content.target_name === 'liveimport') {
          F.commOpenAt = F.commOpenAt ?? at;
        }
      });
      return widget.content.widgets.findIndex(c => c.model.type === 'code');
    };
    F.idle = () => F.nb?.sessionContext.session?.kernel?.status === 'idle';
    /** Run code cell `index` with the notebook's run command; time it. */
    F.run = async index => {
      const nb = F.nb;
      app.shell.activateById(nb.id);
      const content = nb.content;
      content.activeCellIndex = index;
      content.deselectAll();
      content.mode = 'command';
      content.node.focus();
      const cell = content.widgets[index];
      const source = cell.model.sharedModel.getSource();
      window.__drive.take();
      const sentBefore = F.sent.length;
      const t0 = performance.now();
      const ok = await app.commands.execute('notebook:run-cell');
      const ms = performance.now() - t0;
      const drive = window.__drive.take();
      const request = F.sent.slice(sentBefore).find(m => m.code === source) ?? null;
      const busy = request ? F.status.find(s => s.parent === request.id && s.state === 'busy') : null;
      const idle = request ? F.status.find(s => s.parent === request.id && s.state === 'idle') : null;
      const outputs = cell.model.outputs.toJSON();
      const boot = F.sent.filter(m => m.code.includes('liveimport._frontend'));
      const bootDone = boot.length ? (F.replies[boot[0].id] ?? null) : null;
      return {
        ok,
        ms,
        t0,
        drive,
        kernelBusyMs: busy && idle ? idle.at - busy.at : null,
        sentDuringRun: F.sent.slice(sentBefore).map(m => m.code.slice(0, 80)),
        outputs,
        bootstraps: boot.length,
        bootstrapSentAt: boot.length ? boot[0].at : null,
        bootstrapDoneAt: bootDone,
        commOpenAt: F.commOpenAt
      };
    };
    /** Run `code` outside the notebook (no cell, no history); its stdout. */
    F.probe = async code => {
      const kernel = F.nb.sessionContext.session.kernel;
      const future = kernel.requestExecute({ code, silent: false, store_history: false });
      let out = '';
      future.onIOPub = msg => {
        if (msg.header.msg_type === 'stream') {
          out += msg.content.text;
        } else if (msg.header.msg_type === 'error') {
          out += `${msg.content.ename}: ${msg.content.evalue}\n`;
        }
      };
      await future.done;
      return out;
    };
  });
}

// ---------------------------------------------------------------------------
// Driver

const results = [];
const failures = [];

function fail(message) {
  failures.push(message);
  log(`CHECK FAILED: ${message}`);
}

/** One measurement: a fresh browser on `line`'s site, the lesson in `variant`. */
async function measureOnce(line, variant, round) {
  const server = await startServer(SITES[line]);
  let session;
  try {
    session = await Session.start({ name: `first-cell-${line}-${variant}-${round}`, server });
  } catch (error) {
    await server.stop();
    throw error;
  }
  const record = { line, variant, round, loadavg: loadavg() };
  try {
    await installPageHelpers(session.page);
    const t0 = Date.now();
    const index = await session.page.evaluate(([f, m, live]) => window.__first.open(f, m, live), [
      LESSON,
      MARKER,
      variant === 'live'
    ]);
    await session.page.waitForFunction(() => window.__first.idle(), null, { timeout: 180000, polling: 20 });
    record.kernelIdleMs = Date.now() - t0;
    const idleAt = await session.page.evaluate(() => performance.now());
    await sleep(READING_MS);
    const r = await session.page.evaluate(i => window.__first.run(i), index);
    const text = r.outputs
      .map(o => (o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : o.output_type === 'stream' ? o.text : ''))
      .join('');
    Object.assign(record, {
      ms: r.ms,
      kernelBusyMs: r.kernelBusyMs,
      drive: r.drive.length,
      driveMethods: countBy(r.drive.map(d => d.method)),
      driveMs: sumBy(r.drive),
      driveRequests: r.drive.map(d => `${d.method} ${d.path}`),
      bootstraps: r.bootstraps,
      // ms after the kernel was first idle (negative: before the run started; null: never).
      bootstrapSentMs: r.bootstrapSentAt === null ? null : r.bootstrapSentAt - idleAt,
      bootstrapDoneMs: r.bootstrapDoneAt === null ? null : r.bootstrapDoneAt - idleAt,
      runStartMs: r.t0 - idleAt,
      bootstrapDoneBeforeRun: r.bootstrapDoneAt !== null && r.bootstrapDoneAt < r.t0
    });
    if (!r.ok || r.outputs.some(o => o.output_type === 'error') || text.trim() !== '') {
      fail(`${line} ${variant} round ${round}: the first cell failed or printed: ${JSON.stringify(text)}`);
    }
    const probe = await session.page.evaluate(code => window.__first.probe(code), PROBE);
    let seen;
    try {
      seen = JSON.parse(probe.trim().split('\n').pop());
    } catch {
      throw new Error(`${line} ${variant}: the probe printed no JSON:\n${probe}`);
    }
    record.pyodide = seen.pyodide;
    record.python = seen.python;
    if (variant === 'live') {
      if (!seen.loaded || JSON.stringify(seen.tracked) !== JSON.stringify(['physics', 'plotting', 'units'])) {
        fail(`${line} live round ${round}: LiveImport should track physics, plotting, units: ${probe.trim()}`);
      }
      if (r.bootstraps !== 1) {
        fail(`${line} live round ${round}: ${r.bootstraps} bootstrap requests (expected 1, at kernel start)`);
      }
    } else if (seen.loaded || r.bootstraps !== 0) {
      fail(`${line} plain round ${round}: LiveImport was loaded (${r.bootstraps} bootstrap requests): ${probe.trim()}`);
    }
    session.assertOffline();
  } finally {
    await session.close();
  }
  results.push(record);
  log(
    `${line} ${variant} round ${round + 1}/${ROUNDS}: ${record.ms.toFixed(1)} ms ` +
      `(kernel busy ${record.kernelBusyMs?.toFixed(1) ?? '?'} ms, ${record.drive} /drive requests` +
      (variant === 'live'
        ? `, bootstrap done ${record.bootstrapDoneMs?.toFixed(0) ?? '–'} ms after idle, run at ${record.runStartMs.toFixed(0)}`
        : '') +
      `; load ${record.loadavg})`
  );
}

// ---------------------------------------------------------------------------
// Report

/** One row per line: medians of each variant, the difference, the /drive requests. */
function summarise() {
  return LINES.map(line => {
    const row = { line };
    for (const variant of VARIANTS) {
      const cells = results.filter(r => r.line === line && r.variant === variant && typeof r.ms === 'number');
      const perRequest = cells.flatMap(c => Object.values(c.driveMs)).length
        ? median(cells.map(c => Object.values(c.driveMs).reduce((a, b) => a + b, 0) / Math.max(c.drive, 1)))
        : null;
      row[variant] = {
        cells: cells.length,
        median: median(cells.map(c => c.ms)),
        min: cells.length ? Math.min(...cells.map(c => c.ms)) : null,
        max: cells.length ? Math.max(...cells.map(c => c.ms)) : null,
        kernelBusy: median(cells.filter(c => c.kernelBusyMs !== null).map(c => c.kernelBusyMs)),
        drive: median(cells.map(c => c.drive)),
        driveMsPerRequest: perRequest,
        methods: Object.fromEntries(
          [...new Set(cells.flatMap(c => Object.keys(c.driveMethods)))].map(m => [m, median(cells.map(c => c.driveMethods[m] ?? 0))])
        ),
        bootstrapDone: cells.filter(c => c.bootstrapDoneBeforeRun).length,
        bootstrapDoneMs: median(cells.filter(c => c.bootstrapDoneMs !== null).map(c => c.bootstrapDoneMs)),
        pyodide: cells[0]?.pyodide ?? '?'
      };
    }
    row.difference = minus(row.live.median, row.plain.median);
    row.kernelDifference = minus(row.live.kernelBusy, row.plain.kernelBusy);
    row.extraRequests = minus(row.live.drive, row.plain.drive);
    // The two variants of one round ran back to back: their differences, paired per round.
    const paired = key =>
      results
        .filter(r => r.line === line && r.variant === 'live' && typeof r[key] === 'number')
        .map(live => [live, results.find(p => p.line === line && p.variant === 'plain' && p.round === live.round)])
        .filter(([, plain]) => plain && typeof plain[key] === 'number')
        .map(([live, plain]) => live[key] - plain[key]);
    row.pairedDifferences = paired('ms');
    row.pairedDifference = median(row.pairedDifferences);
    row.pairedKernelDifference = median(paired('kernelBusyMs'));
    return row;
  });
}

/** a − b, NaN when either is missing. */
const minus = (a, b) => (a === null || b === null || a === undefined || b === undefined ? NaN : a - b);

function markdown(rows, env) {
  const f = x => (x === null || x === undefined || Number.isNaN(x) ? '–' : Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1));
  const signed = x => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${f(Math.abs(x))}` : '–');
  const methods = m => Object.entries(m).map(([k, v]) => `${v} ${k}`).join(', ') || 'none';
  const lines = [
    `First code cell of a saved lesson (demo.ipynb) run after ${READING_MS / 1000} s of reading in a fresh browser ` +
      `and kernel: with its \`#_%%liveimport\` line (live) and without (plain); ms from \`notebook:run-cell\` to the ` +
      `execute reply (page-side), medians of ${ROUNDS} (live − plain: difference of the medians, and in brackets the median of ` +
      `the differences within a round, whose two runs were back to back); Chromium ${env.chromium}, ${env.cpus} CPUs, load ${env.loadavg} ` +
      `at the start, ${env.loadavgEnd} at the end.`,
    '',
    '| line | Pyodide | live | plain | live − plain (paired) | kernel busy live / plain | /drive requests live / plain | live cell\'s requests | bootstrap done before the run |',
    '|---|---|---:|---:|---:|---:|---:|---|---:|'
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.line} | ${r.live.pyodide} | ${f(r.live.median)} (${f(r.live.min)}–${f(r.live.max)}) | ` +
        `${f(r.plain.median)} (${f(r.plain.min)}–${f(r.plain.max)}) | ${signed(r.difference)} (${signed(r.pairedDifference)}) | ` +
        `${f(r.live.kernelBusy)} / ${f(r.plain.kernelBusy)} | ${r.live.drive} / ${r.plain.drive} | ` +
        `${methods(r.live.methods)} | ${r.live.bootstrapDone} of ${r.live.cells} (median ${f(r.live.bootstrapDoneMs)} ms after idle) |`
    );
  }
  lines.push('');
  for (const r of rows) {
    const floor = r.extraRequests * (r.live.driveMsPerRequest ?? NaN);
    lines.push(
      `- ${r.line}: goal (issue 17) live − plain < ${GOAL_MS} ms: ${signed(r.difference)} ms → ` +
        `${Number.isNaN(r.difference) ? 'no figures' : r.difference < GOAL_MS ? 'met' : 'missed'}; median of the ` +
        `per-round differences ${signed(r.pairedDifference ?? NaN)} ms [${r.pairedDifferences.map(x => Math.round(x)).join(', ')}]; ` +
        `of the minima ${signed(minus(r.live.min, r.plain.min))} ms; ` +
        `in the kernel (busy span) ${signed(r.kernelDifference)} ms, per round ${signed(r.pairedKernelDifference ?? NaN)} ms; ` +
        `floor: ${signed(r.extraRequests)} /drive requests × ${f(r.live.driveMsPerRequest)} ms ` +
        `(page-side, median per request) ≈ ${f(floor)} ms.`
    );
  }
  if (failures.length) {
    lines.push('', `**${failures.length} check(s) failed** (see results.json).`);
  }
  return lines.join('\n');
}

// ---------------------------------------------------------------------------
// Main

async function main() {
  fs.mkdirSync(opts.out, { recursive: true });
  if (opts.report) {
    // Print the report of an earlier run again (its results.json), e.g. after a change of this file.
    const saved = JSON.parse(fs.readFileSync(opts.report, 'utf8'));
    results.push(...saved.runs);
    failures.push(...saved.failures);
    console.log(markdown(summarise(), saved.env));
    return;
  }
  for (const line of LINES) {
    if (!fs.existsSync(path.join(SITES[line], 'jupyter-lite.json'))) {
      throw new Error(`no built ${line} site in ${SITES[line]}: LIVEIMPORT_LITE_LINE=${line} scripts/site.sh build`);
    }
  }
  const env = { ...environment({}), lines: LINES, sites: SITES, rounds: ROUNDS, readingMs: READING_MS };
  delete env.site;
  delete env.sizes;
  log(`lines ${LINES.join(', ')}; ${ROUNDS} rounds; ${READING_MS} ms of reading`);
  let exitCode = 0;
  try {
    for (let round = 0; round < ROUNDS; round++) {
      for (const line of LINES) {
        for (const variant of round % 2 ? [...VARIANTS].reverse() : VARIANTS) {
          await measureOnce(line, variant, round);
        }
      }
    }
  } catch (error) {
    exitCode = 1;
    failures.push(`run aborted: ${error.stack ?? error}`);
    log(`run aborted: ${error.stack ?? error}`);
  }
  env.loadavgEnd = loadavg();
  env.durationS = Math.round((Date.now() - t0run) / 1000);
  const rows = summarise();
  const md = markdown(rows, env);
  fs.writeFileSync(path.join(opts.out, 'results.json'), JSON.stringify({ env, summary: rows, runs: results, failures }, null, 1) + '\n');
  fs.writeFileSync(path.join(opts.out, 'results.md'), md + '\n');
  console.log(md);
  if (failures.length) {
    console.error(`${failures.length} check(s) failed:\n- ${failures.join('\n- ')}`);
    exitCode = 1;
  }
  log(`done in ${env.durationS} s; raw figures in ${path.join(opts.out, 'results.json')}`);
  process.exitCode = exitCode;
}

await main();
