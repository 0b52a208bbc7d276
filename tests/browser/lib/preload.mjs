/**
 * The first-cell scenario shared by the JupyterLite and desktop preload
 * tests: two modules of the same size, a notebook without LiveImport cells
 * (its kernel must not load LiveImport; loading happens when a LiveImport
 * cell is added and run: the "before" figure) and one with a LiveImport cell
 * (loaded as soon as its kernel is idle: the "after" figure). The overhead of
 * a LiveImport cell is its Shift+Enter-to-done time minus that of a plain
 * cell importing the twin module just before it in the same kernel.
 */
import assert from 'node:assert/strict';

import { sleep } from './harness.mjs';

const MODULE = 'def area(r):\n    return 3.14159 * r * r\n\nUNIT = "m"\n';

/** The LiveImport cell of the scenario. */
export const LIVE_CELL = '#_%%liveimport\nimport twin_b';
/** The plain cell it is compared with. */
export const PLAIN_CELL = "import sys, twin_a\nprint('liveimport' in sys.modules)";

/** Write the twin modules and both notebooks (prefix: file name prefix). */
export async function prepare(s, prefix) {
  await s.saveFile('twin_a.py', MODULE);
  await s.saveFile('twin_b.py', MODULE);
  await s.createNotebook(`${prefix}-plain.ipynb`, [PLAIN_CELL]);
  await s.createNotebook(`${prefix}-uses.ipynb`, [PLAIN_CELL, LIVE_CELL]);
}

/** Whether an execute request's code is LiveImport's bootstrap. */
export const isBootstrap = code => code.includes('liveimport._frontend');

/**
 * Wait until the LiveImport status item of the current notebook shows its
 * kernel connected (LiveImport loaded, comm open): "LiveImport: N modules".
 */
export async function waitConnected(s, timeout = 60000) {
  await s.page.waitForFunction(
    () =>
      [...document.querySelectorAll('.jp-LiveImport-status')].some(
        node => !node.classList.contains('lm-mod-hidden') && /LiveImport: \d+ module/.test(node.textContent)
      ),
    null,
    { timeout, polling: 20 }
  );
}

/**
 * Milliseconds the kernel reported busy in the status log, from the first
 * busy after `from` (ms, performance.now()) to the idle that follows.
 */
export function busySpan(statusLog, from = 0) {
  const i = statusLog.findIndex(e => e.at >= from && e.status === 'busy');
  if (i < 0) {
    return 0;
  }
  const j = statusLog.findIndex((e, k) => k > i && e.status === 'idle');
  return j < 0 ? NaN : statusLog[j].at - statusLog[i].at;
}

/** Wait until the kernel of the test notebook has been idle for `ms`. */
export async function settle(s, ms = 500) {
  await s.page.waitForFunction(
    () => window.__liveimportTest.notebook.sessionContext.session?.kernel?.status === 'idle',
    null,
    { timeout: 120000, polling: 20 }
  );
  await sleep(ms);
}

/** Assert that a plain cell's output says whether LiveImport was loaded. */
export function assertLoaded(run, expected, what) {
  assert.equal(run.text.trim().split('\n').pop(), expected ? 'True' : 'False', what);
}

/** The median of some numbers. */
export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

/** Restart the test notebook's kernel and wait until it is idle again. */
export async function restartKernel(s, { polling = 20 } = {}) {
  await s.page.evaluate(() => window.__liveimportTest.notebook.sessionContext.session.kernel.restart());
  await s.page.waitForFunction(
    () => window.__liveimportTest.notebook.sessionContext.session?.kernel?.status === 'idle',
    null,
    { timeout: 120000, polling }
  );
}
