/**
 * Summary and Markdown report of the JupyterLite site benchmark (bench/site/bench.mjs).
 *
 * `cfg` everywhere: {sizes: number[], rounds: number, refVersion: string,
 * scenarios: string[], oursModes: string[], refModes: string[], graceWaitMs: number}.
 * Times are milliseconds.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';

import { CHROMIUM, ROOT, SITE_DIR } from '../../tests/browser/lib/harness.mjs';

/** Total page-side ms of /drive requests per method, from [{method, ms}]. */
export function sumBy(requests) {
  const out = {};
  for (const { method, ms } of requests) {
    out[method] = Math.round(((out[method] ?? 0) + (ms ?? 0)) * 10) / 10;
  }
  return out;
}

/** How many times each item occurs. */
export function countBy(items) {
  const out = {};
  for (const x of items) {
    out[x] = (out[x] ?? 0) + 1;
  }
  return out;
}

/** The median of numbers (null for none). */
export const median = xs => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length === 0 ? null : s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** One summary row per size and scenario, from every timed cell (`results`). */
export function summarise(results, cfg) {
  const rows = [];
  for (const n of cfg.sizes) {
    for (const scenario of cfg.scenarios) {
      const row = { n, scenario };
      for (const mode of [...cfg.oursModes, ...cfg.refModes]) {
        const cells = results.filter(r => r.n === n && r.scenario === scenario && r.mode === mode);
        row[mode] = {
          median: median(cells.map(c => c.ms)),
          min: cells.length ? Math.min(...cells.map(c => c.ms)) : null,
          max: cells.length ? Math.max(...cells.map(c => c.ms)) : null,
          cells: cells.length,
          kernelPre: median(cells.filter(c => c.kernelPreMs !== undefined).map(c => c.kernelPreMs)),
          kernelPost: median(cells.filter(c => c.kernelPostMs !== undefined).map(c => c.kernelPostMs)),
          drive: median(cells.map(c => c.drive)),
          driveMs: Object.fromEntries(
            [...new Set(cells.flatMap(c => Object.keys(c.driveMs)))].map(m => [m, median(cells.map(c => c.driveMs[m] ?? 0))])
          )
        };
      }
      // The commonest request list of this mode's cells ("method path" each), and how many had it.
      const lists = countBy(
        results.filter(r => r.n === n && r.scenario === scenario && r.mode === 'events').map(r => JSON.stringify(r.driveRequests ?? []))
      );
      const [typical, times] = Object.entries(lists).sort((a, b) => b[1] - a[1])[0] ?? ['[]', 0];
      row.events.typicalRequests = { requests: JSON.parse(typical), cells: times };
      const m = mode => row[mode].median;
      row.refOverEvents = m('ref') / m('events');
      row.pollingOverEvents = m('polling') / m('events');
      row.eventsMinusDisabled = m('events') - m('disabled');
      row.refMinusRefoff = m('ref') - m('refoff');
      row.kernelEventsMinusDisabled = row.events.kernelPre - row.disabled.kernelPre;
      rows.push(row);
    }
  }
  return rows;
}

/** The Markdown report: the tables, the /drive detail, the floor, the target, warnings. */
export function markdown(rows, env, setup, failures, cfg) {
  const f = x => (x === null || Number.isNaN(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(1));
  const ratio = x => (Number.isFinite(x) ? `${x.toFixed(2)}×` : '–');
  const signed = x => (Number.isFinite(x) ? `${x >= 0 ? '+' : '−'}${f(Math.abs(x))}` : '–');
  const lines = [];
  lines.push(
    `Cell \`x = 1\` run with \`notebook:run-cell\` after the grace period, ms from the command to the execute reply ` +
      `(page-side), median of ${cfg.rounds} per cell; Chromium ${env.chromium}, ${env.cpus} CPUs, ` +
      `reference LiveImport ${cfg.refVersion} in a second kernel of the same page.`
  );
  lines.push('');
  lines.push(
    '| N | scenario | events | polling | reference | disabled | ref. disabled | ref./events | polling/events | events − disabled | /drive requests (events / polling / ref.) |'
  );
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    const scen = r.scenario === 'nochange' ? 'nothing changed' : 'one module changed';
    lines.push(
      `| ${r.n} | ${scen} | ${f(r.events.median)} | ${f(r.polling.median)} | ${f(r.ref.median)} | ` +
        `${f(r.disabled.median)} | ${f(r.refoff.median)} | ${ratio(r.refOverEvents)} | ${ratio(r.pollingOverEvents)} | ` +
        `${signed(r.eventsMinusDisabled)} | ${r.events.drive} / ${r.polling.drive} / ${r.ref.drive} |`
    );
  }
  lines.push('');
  lines.push(
    'Inside the kernel: time in IPython\'s `pre_run_cell` hooks (where the sync runs) of the same cells, ms, medians:'
  );
  lines.push('');
  lines.push('| N | scenario | events | polling | reference | disabled | ref. disabled | events − disabled |');
  lines.push('|---:|---|---:|---:|---:|---:|---:|---:|');
  const g = x => (x === null || x === undefined || Number.isNaN(x) ? '–' : x >= 100 ? x.toFixed(0) : x.toFixed(2));
  for (const r of rows) {
    const scen = r.scenario === 'nochange' ? 'nothing changed' : 'one module changed';
    lines.push(
      `| ${r.n} | ${scen} | ${g(r.events.kernelPre)} | ${g(r.polling.kernelPre)} | ${g(r.ref.kernelPre)} | ` +
        `${g(r.disabled.kernelPre)} | ${g(r.refoff.kernelPre)} | ${Number.isFinite(r.kernelEventsMinusDisabled) ? (r.kernelEventsMinusDisabled >= 0 ? '+' : '−') + g(Math.abs(r.kernelEventsMinusDisabled)) : '–'} |`
    );
  }
  const where = rows
    .filter(r => r.scenario === 'changed' && Object.keys(r.events.driveMs).length)
    .map(r => `N = ${r.n}: ${Object.entries(r.events.driveMs).map(([m, ms]) => `${m} ${f(ms)}`).join(', ')}`);
  if (where.length) {
    lines.push(
      '',
      `/drive requests of an "events" cell with one module changed, page-side time per method (ms, medians): ${where.join('; ')}.`
    );
  }
  // Issue 17 (item 7): a module the page reported changed costs at most 2 /drive requests (its
  // stat and its read). Per changed module: the "changed" cell's requests minus the "nothing
  // changed" cell's (one module changes per cell), events mode, medians.
  const perChanged = cfg.sizes
    .map(n => {
      const changed = rows.find(r => r.n === n && r.scenario === 'changed');
      const nochange = rows.find(r => r.n === n && r.scenario === 'nochange');
      if (!changed || !nochange || changed.events.drive === null || nochange.events.drive === null) {
        return null;
      }
      return { n, requests: changed.events.drive - nochange.events.drive, typical: changed.events.typicalRequests };
    })
    .filter(x => x !== null);
  if (perChanged.length) {
    const worst = Math.max(...perChanged.map(x => x.requests));
    lines.push(
      '',
      `/drive requests per changed module ("events", one module changed, minus nothing changed; medians): ` +
        perChanged
          .map(
            x =>
              `N = ${x.n}: ${x.requests} (${x.typical.cells} cell(s): ${x.typical.requests.join(', ') || 'none'})`
          )
          .join('; ') +
        `. Target (issue 17): at most 2 → ${worst <= 2 ? 'met' : 'missed'}.`
    );
  }
  const floors = cfg.sizes.filter(n => setup.sizes?.[n]?.statFloor).map(
    n => `N = ${n}: ${f(setup.sizes[n].statFloor.ms_median)} ms`
  );
  if (floors.length) {
    lines.push('', `\`os.stat\` of the N module files, timed inside the kernel (the floor of polling): ${floors.join(', ')}.`);
  }
  const nmax = Math.max(...cfg.sizes);
  const target = rows.find(r => r.n === nmax && r.scenario === 'nochange');
  lines.push('');
  if (target) {
    const over = target.eventsMinusDisabled;
    lines.push(
      `Target (issue 5): nothing changed at N = ${nmax} costs under 10 ms more than with LiveImport disabled: ` +
        `${signed(over)} ms page-side → ${over < 10 ? 'met' : 'missed'}` +
        (Number.isFinite(target.kernelEventsMinusDisabled)
          ? `; in the kernel's hooks ${signed(target.kernelEventsMinusDisabled)} ms → ` +
            `${target.kernelEventsMinusDisabled < 10 ? 'met' : 'missed'}`
          : '') +
        (nmax !== 200 ? ` (the issue asks for N = 200)` : '') +
        '.'
    );
  }
  if (env.eventsCellsRelyingOnEvents === 0) {
    lines.push(
      '',
      '**In "events" mode the kernel never relied on file events (its `status` message: ' +
        (env.kernelReportsFileEvents ? '`file_events` false' : 'no `file_events` field') +
        '): the "events" column measured polling too.**'
    );
  } else if (env.eventsCellsRelyingOnEvents < env.eventsCells) {
    lines.push(
      '',
      `**In "events" mode the kernel relied on file events for only ${env.eventsCellsRelyingOnEvents} of ` +
        `${env.eventsCells} timed cells.**`
    );
  }
  if (failures.length) {
    lines.push('', `**${failures.length} correctness check(s) failed** (see results.json).`);
  }
  return lines.join('\n');
}

/** The load averages (1, 5, 15 min), '?' when unknown. */
export function loadavg() {
  try {
    return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return '?';
  }
}

/** Where and how the benchmark ran. */
export function environment(cfg) {
  let chromium = '?';
  try {
    chromium = execFileSync(CHROMIUM, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    // reported as '?'
  }
  let commit = '?';
  try {
    commit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
    if (execFileSync('git', ['-C', ROOT, 'status', '--porcelain', '--untracked-files=no'], { encoding: 'utf8' }).trim()) {
      commit += '+dirty';
    }
  } catch {
    // reported as '?'
  }
  return {
    date: new Date().toISOString(),
    chromium: chromium.replace(/^Chromium\s*/, ''),
    cpus: os.cpus().length,
    loadavg: loadavg(),
    commit,
    site: SITE_DIR,
    sizes: cfg.sizes,
    rounds: cfg.rounds,
    graceWaitMs: cfg.graceWaitMs,
    refVersion: cfg.refVersion
  };
}
