/**
 * Consoles as a person uses them: JupyterLab's console (File > New >
 * Console, or a notebook's "New Console for Notebook"), JupyterLite's REPL
 * app and Notebook 7's scratchpad console. A console is kept in the page as
 * `window.__liveimportTest.consoles[key]` (its ConsolePanel); a cell is run
 * by putting its source in the prompt and pressing Shift+Enter there.
 */
import assert from 'node:assert/strict';

import { sleep } from './harness.mjs';

/**
 * Run a command of the page that opens a console (e.g. `console:create`,
 * `notebook:create-console`), keep the panel it returns under `key` and wait
 * until its kernel is idle.
 * @returns {Promise<number>} milliseconds until then.
 */
export async function openConsole(page, key, command, args = {}) {
  const t0 = Date.now();
  await page.evaluate(
    async ([key, command, args]) => {
      const panel = await window.jupyterapp.commands.execute(command, args);
      await panel.sessionContext.ready;
      const t = (window.__liveimportTest ??= {});
      (t.consoles ??= {})[key] = panel;
    },
    [key, command, args]
  );
  await waitConsoleIdle(page, key);
  return Date.now() - t0;
}

/**
 * Keep the console the page shows (JupyterLite's REPL app: the shell's
 * current widget) under `key`, once its kernel is idle.
 */
export async function adoptConsole(page, key) {
  await page.waitForFunction(() => !!window.jupyterapp.shell.currentWidget?.console, null, { timeout: 60000 });
  await page.evaluate(async key => {
    const panel = window.jupyterapp.shell.currentWidget;
    await panel.sessionContext.ready;
    const t = (window.__liveimportTest ??= {});
    (t.consoles ??= {})[key] = panel;
  }, key);
  await waitConsoleIdle(page, key);
}

/**
 * Notebook 7.6's scratchpad console (View > Scratchpad console, command
 * `scratchpad-console:open`): a console in the right panel on the current
 * notebook's kernel. Open it, keep it under `key`, wait until idle.
 */
export async function openScratchpad(page, key) {
  await page.evaluate(() => window.jupyterapp.commands.execute('scratchpad-console:open'));
  await page.waitForFunction(
    () => [...window.jupyterapp.shell.widgets('right')].some(w => !!w.console && !!w.sessionContext.session),
    null,
    { timeout: 60000 }
  );
  await page.evaluate(async key => {
    const panel = [...window.jupyterapp.shell.widgets('right')].find(w => !!w.console);
    await panel.sessionContext.ready;
    const t = (window.__liveimportTest ??= {});
    (t.consoles ??= {})[key] = panel;
  }, key);
  await waitConsoleIdle(page, key);
}

/** Wait until the kernel of console `key` is idle. */
export async function waitConsoleIdle(page, key, timeout = 120000) {
  await page.waitForFunction(
    key => window.__liveimportTest.consoles[key].sessionContext.session?.kernel?.status === 'idle',
    key,
    { timeout, polling: 20 }
  );
}

/**
 * Put `source` in the prompt of console `key` and press Shift+Enter there.
 * @returns {Promise<number>} the index of the cell it runs as (in the
 *   console's `cells`), for {@link waitConsoleCell}.
 */
export async function submitConsoleCell(page, key, source) {
  const index = await page.evaluate(
    ([key, source]) => {
      const panel = window.__liveimportTest.consoles[key];
      window.jupyterapp.shell.activateById?.(panel.id);
      const prompt = panel.console.promptCell;
      prompt.model.sharedModel.setSource(source);
      prompt.editor.focus();
      return panel.console.cells.length;
    },
    [key, source]
  );
  await page.keyboard.press('Shift+Enter');
  return index;
}

/**
 * Wait until console `key`'s cell `index` ran (it has an execution count and
 * the kernel is idle again, so its outputs arrived) and its output satisfies
 * `ready` (a RegExp its text must match; the reload report is Markdown,
 * rendered after the outputs arrive).
 * @returns {Promise<{text: string, count: number}>} the output a person sees
 *   and the cell's execution count.
 */
export async function waitConsoleCell(page, key, index, { ready = null, timeout = 120000 } = {}) {
  await page.waitForFunction(
    ([key, index]) => {
      const panel = window.__liveimportTest.consoles[key];
      const cell = panel.console.cells.get(index);
      return (
        !!cell && cell.model.executionCount !== null && panel.sessionContext.session?.kernel?.status === 'idle'
      );
    },
    [key, index],
    { timeout, polling: 20 }
  );
  const read = () =>
    page.evaluate(
      ([key, index]) => {
        const cell = window.__liveimportTest.consoles[key].console.cells.get(index);
        return { text: cell.outputArea.node.innerText, count: cell.model.executionCount };
      },
      [key, index]
    );
  let result = await read();
  for (let i = 0; ready && !ready.test(result.text) && i < 50; i++) {
    await sleep(100);
    result = await read();
  }
  return result;
}

/** Run `source` in console `key` (Shift+Enter) and wait until it ran; see {@link waitConsoleCell}. */
export async function runConsoleCell(page, key, source, options = {}) {
  const index = await submitConsoleCell(page, key, source);
  return waitConsoleCell(page, key, index, options);
}

/** The kernel id of console `key`. */
export async function consoleKernelId(page, key) {
  const id = await page.evaluate(key => window.__liveimportTest.consoles[key].sessionContext.session?.kernel?.id, key);
  assert.ok(id, `console ${key} has a kernel`);
  return id;
}
