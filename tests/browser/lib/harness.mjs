/**
 * Test harness: serve the built demo site on 127.0.0.1, drive it in Debian's
 * Chromium (playwright-core, headless, fresh profile, offline), and act on
 * JupyterLite the way a person does (open files, type, save, Shift+Enter).
 *
 * Every request the page, its workers or its service worker make is
 * recorded; `Session.assertOffline()` fails the test on any request that
 * leaves the site's origin (and Chromium cannot resolve any host name but
 * 127.0.0.1 anyway).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { chromium } from 'playwright-core';
import { ROOT, startServer } from './server.mjs';
// Cell-output helpers and the site's server, also importable from here as before.
export { reportLines } from './outputs.mjs';
export { PORT, ROOT, SITE_DIR, startServer } from './server.mjs';

/** Screenshots and logs (gitignored: build/ is). */
export const ARTIFACTS = process.env.LIVEIMPORT_ARTIFACTS ?? path.join(ROOT, 'build', 'browser-artifacts');
/** Chromium: Debian's package. */
export const CHROMIUM = process.env.LIVEIMPORT_CHROMIUM ?? '/usr/bin/chromium';
/** LiveImport's default grace period (seconds), plus a margin. */
export const PAST_GRACE_MS = 1300;

/** Chromium flags (notes/offline-jupyterlite.md), plus: resolve no host but 127.0.0.1. */
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1'
];

/** The extension's plugin id: the id of its settings (jupyterlite-ext/schema/plugin.json). */
export const PLUGIN_ID = 'jupyterlite-liveimport:plugin';

/** Sleep `ms` milliseconds. */
export const sleep = ms => new Promise(resolve => setTimeout(resolve, ms));

/**
 * A browser session on the demo site: fresh Chromium profile (so fresh
 * browser storage: the site's files as built), one page.
 */
export class Session {
  /**
   * @param {{name: string, server?: {url: string, query?: string, stop: () => Promise<void>},
   *   appPath?: string, kernelName?: string, beforeOpen?: (context) => Promise<void>}} options
   *   name: used for artifacts; server: what to open (default: the built
   *   JupyterLite site, served here; the session stops it when closed);
   *   appPath: the page to open below the server's URL (default JupyterLab's
   *   `lab/index.html`); kernelName: the kernel of opened notebooks (default
   *   `python`, the Pyodide kernel); beforeOpen: called with the browser
   *   context before the page opens (e.g. to install request routes);
   *   waitForApp: whether the page is a JupyterLite app to wait for (false:
   *   a page that embeds apps, e.g. a Sphinx page).
   */
  static async start({
    name,
    server = null,
    appPath = 'lab/index.html',
    kernelName = 'python',
    beforeOpen = null,
    waitForApp = true
  }) {
    server = server ?? (await startServer());
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'liveimport-chromium-'));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1400, height: 900 }
    });
    const session = new Session(name, server, profile, context);
    session.appPath = appPath;
    session.kernelName = kernelName;
    session.waitForApp = waitForApp;
    if (beforeOpen) {
      await beforeOpen(context);
    }
    await session.open();
    return session;
  }

  constructor(name, server, profile, context) {
    this.name = name;
    this.server = server;
    this.profile = profile;
    this.context = context;
    this.appPath = 'lab/index.html';
    this.kernelName = 'python';
    this.waitForApp = true;
    /** URLs requested outside the site's origin. */
    this.offsite = [];
    /** Console errors and page errors, for failure messages. */
    this.errors = [];
    /** Console warnings. */
    this.warnings = [];
    const local = u => u.startsWith(server.url) || /^(data|blob|about|chrome-extension):/.test(u);
    context.on('request', request => {
      if (!local(request.url())) {
        this.offsite.push(request.url());
      }
    });
  }

  /** Open `appPath` (below the server's URL) and wait until the app is restored. */
  async open(appPath = this.appPath) {
    this.page = this.context.pages()[0] ?? (await this.context.newPage());
    if (!this._listening) {
      this._listening = true;
      this.page.on('console', msg => {
        if (msg.type() === 'error') {
          this.errors.push(msg.text());
        } else if (msg.type() === 'warning') {
          this.warnings.push(msg.text());
        }
      });
      this.page.on('pageerror', error => this.errors.push(String(error)));
    }
    const query = this.server.query ?? '';
    const sep = query && appPath.includes('?') ? '&' : '?';
    await this.page.goto(`${this.server.url}${appPath}${query ? sep + query : ''}`);
    if (!this.waitForApp) {
      return;
    }
    await this.page.waitForFunction(() => !!window.jupyterapp, null, { timeout: 60000 });
    await this.page.evaluate(() => window.jupyterapp.restored);
  }

  /** Fail if anything was requested beyond 127.0.0.1 (the site's origin). */
  assertOffline() {
    assert.deepEqual(this.offsite, [], `requests left 127.0.0.1: ${this.offsite.join(', ')}`);
  }

  /** Save a screenshot as ARTIFACTS/<session name>-<label>.png; returns its path. */
  async screenshot(label, locator = null) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const file = path.join(ARTIFACTS, `${this.name}-${label}.png`);
    await (locator ?? this.page).screenshot({ path: file });
    return file;
  }

  async close() {
    try {
      await this.context.close();
    } finally {
      await this.server.stop();
      fs.rmSync(this.profile, { recursive: true, force: true });
    }
  }

  /**
   * Open a notebook with the Pyodide kernel and make it the current widget.
   * @returns {Promise<number>} milliseconds until its kernel reported idle.
   */
  async openNotebook(file) {
    const t0 = Date.now();
    await this.page.evaluate(async ([file, kernelName]) => {
      const app = window.jupyterapp;
      const widget = await app.commands.execute('docmanager:open', {
        path: file,
        factory: 'Notebook',
        kernel: { name: kernelName }
      });
      await widget.context.ready;
      await widget.sessionContext.ready;
      window.__liveimportTest = { notebook: widget };
    }, [file, this.kernelName]);
    await this.page.waitForFunction(
      () => window.__liveimportTest.notebook.sessionContext.session?.kernel?.status === 'idle',
      null,
      { timeout: 120000 }
    );
    return Date.now() - t0;
  }

  /**
   * Notebook 7: open the page of one notebook (`notebooks/...`) and make it
   * the test notebook; wait until its kernel is idle.
   * @returns {Promise<number>} milliseconds until then.
   */
  async openNotebookPage(appPath) {
    const t0 = Date.now();
    await this.open(appPath);
    await this.page.waitForFunction(
      () => {
        const w = window.jupyterapp.shell.currentWidget;
        return !!w?.sessionContext && !!w.content?.widgets;
      },
      null,
      { timeout: 60000 }
    );
    await this.page.evaluate(async () => {
      const widget = window.jupyterapp.shell.currentWidget;
      await widget.context.ready;
      await widget.sessionContext.ready;
      window.__liveimportTest = { notebook: widget };
    });
    await this.page.waitForFunction(
      () => window.__liveimportTest.notebook.sessionContext.session?.kernel?.status === 'idle',
      null,
      { timeout: 120000 }
    );
    return Date.now() - t0;
  }

  /** Bring the test notebook to the front. */
  async showNotebook() {
    await this.page.evaluate(() => {
      const nb = window.__liveimportTest.notebook;
      window.jupyterapp.shell.activateById?.(nb.id);
    });
  }

  /** Cells as {type, source}. */
  async cells() {
    return this.page.evaluate(() =>
      window.__liveimportTest.notebook.content.widgets.map(c => ({
        type: c.model.type,
        source: c.model.sharedModel.getSource()
      }))
    );
  }

  /** Replace a cell's source (as pasting would). */
  async setCellSource(index, source) {
    await this.page.evaluate(
      ([index, source]) => window.__liveimportTest.notebook.content.widgets[index].model.sharedModel.setSource(source),
      [index, source]
    );
  }

  /** Index of the first code cell whose source contains `text`. */
  async cellIndex(text) {
    const cells = await this.cells();
    const index = cells.findIndex(c => c.type === 'code' && c.source.includes(text));
    assert.ok(index >= 0, `no code cell contains ${JSON.stringify(text)}`);
    return index;
  }

  /** The execution count shown for a cell (null if none). */
  async executionCount(index) {
    return this.page.evaluate(
      index => window.__liveimportTest.notebook.content.widgets[index].model.executionCount,
      index
    );
  }

  /** The text a person sees in a cell's output area. */
  async outputText(index) {
    return this.page.evaluate(
      index => window.__liveimportTest.notebook.content.widgets[index].outputArea.node.innerText,
      index
    );
  }

  /** Outputs of a cell as nbformat JSON. */
  async outputs(index) {
    return this.page.evaluate(
      index => window.__liveimportTest.notebook.content.widgets[index].model.outputs.toJSON(),
      index
    );
  }

  /**
   * Select a cell and press Shift+Enter; wait until it ran.
   * @returns {Promise<{ms: number, text: string, count: number}>} ms: from
   *   the key press to the end of the execution (reply received), text: the
   *   output a person sees, count: its execution count.
   */
  async runCell(index, { timeout = 120000 } = {}) {
    await this.showNotebook();
    // A new run always ends with a count; clearing it first tells runs apart even when counts
    // start again at 1 (kernel restart). JupyterLab's CodeCell.execute skips a cell silently
    // while the session has no kernel object (a connection being replaced): a cell that has not
    // started 15 s after Shift+Enter gets it once more.
    const focus = clear =>
      this.page.evaluate(([index, clear]) => {
        const nb = window.__liveimportTest.notebook.content;
        nb.activeCellIndex = index;
        nb.mode = 'command';
        nb.node.focus();
        if (clear) nb.widgets[index].model.executionCount = null;
      }, [index, clear]);
    const before = null;
    await focus(true);
    const t0 = Date.now();
    await this.page.keyboard.press('Shift+Enter');
    const started = index => {
      const model = window.__liveimportTest.notebook.content.widgets[index].model;
      return model.executionState === 'running' || model.executionCount !== null;
    };
    if (!(await this.page.waitForFunction(started, index, { timeout: 15000 }).then(() => true, () => false))) {
      console.log(`# runCell: cell ${index} had not started 15 s after Shift+Enter; pressing it again`);
      await focus(false);
      await this.page.keyboard.press('Shift+Enter');
    }
    await this.waitRan(index, before, timeout);
    const ms = Date.now() - t0;
    return { ms, text: await this.outputText(index), count: await this.executionCount(index) };
  }

  /**
   * Wait until cell `index` finished a run: it is idle with an execution
   * count other than `before`, and its Markdown outputs are rendered.
   */
  async waitRan(index, before, timeout = 120000) {
    await this.page.waitForFunction(
      ([index, before]) => {
        const cell = window.__liveimportTest.notebook.content.widgets[index];
        const model = cell.model;
        if (!(model.executionState === 'idle' && model.executionCount !== null && model.executionCount !== before)) {
          return false;
        }
        // Markdown outputs (the reload report) render asynchronously, after the cell is idle
        // (the first one of a page waits for the Markdown parser to load): until then their
        // node is empty.
        const markdown = cell.outputArea?.node.querySelectorAll('.jp-RenderedMarkdown') ?? [];
        return [...markdown].every(node => node.innerHTML !== '');
      },
      [index, before],
      { timeout, polling: 20 }
    );
  }

  /** Run every cell (Run > Run All Cells) and wait until all non-empty code cells ran. */
  async runAll({ timeout = 120000 } = {}) {
    await this.showNotebook();
    await this.page.evaluate(() => {
      const nb = window.__liveimportTest.notebook.content;
      for (const cell of nb.widgets) {
        if (cell.model.type === 'code') {
          cell.model.sharedModel.transact(() => cell.model.clearExecution?.());
        }
      }
    });
    await this.page.evaluate(() => window.jupyterapp.commands.execute('notebook:run-all-cells'));
    await this.page.waitForFunction(
      () => {
        const notebook = window.__liveimportTest.notebook;
        // The kernel's idle status comes on iopub after every output of the last request, so
        // once it is idle again no output of the run is still on its way (an execute_reply can
        // arrive before the outputs of its cell).
        return (
          notebook.sessionContext.session?.kernel?.status === 'idle' &&
          notebook.content.widgets
            // Empty cells are not sent to the kernel (Shift+Enter on the last cell adds one).
            .filter(c => c.model.type === 'code' && c.model.sharedModel.getSource().trim() !== '')
            .every(c => c.model.executionState === 'idle' && c.model.executionCount !== null)
        );
      },
      null,
      { timeout, polling: 20 }
    );
  }

  /**
   * Append a code cell with `source` to the notebook and run it (Shift+Enter).
   * @param options as for runCell ({timeout}).
   * @returns the same as runCell.
   */
  async runNewCell(source, options = {}) {
    const index = await this.page.evaluate(source => {
      const nb = window.__liveimportTest.notebook.content;
      const n = nb.model.sharedModel.cells.length;
      nb.model.sharedModel.insertCell(n, { cell_type: 'code', source });
      return n;
    }, source);
    return this.runCell(index, options);
  }

  /**
   * Create a notebook through the contents API whose code cells have these
   * sources (no outputs, never run).
   */
  async createNotebook(file, sources) {
    const content = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: { kernelspec: { name: this.kernelName, display_name: this.kernelName, language: 'python' } },
      cells: sources.map((source, i) => ({
        cell_type: 'code',
        id: `cell-${i}`,
        metadata: {},
        execution_count: null,
        outputs: [],
        source
      }))
    };
    await this.page.evaluate(
      ([file, content]) =>
        window.jupyterapp.serviceManager.contents.save(file, { type: 'notebook', format: 'json', content }),
      [file, content]
    );
  }

  /**
   * Start recording, on the test notebook's kernel connection, the code of
   * every execute request sent and every kernel status change (with the time
   * in ms). Read them with {@link kernelLog}; a later call starts afresh.
   */
  async recordKernel() {
    await this.page.evaluate(() => {
      const t = window.__liveimportTest;
      const kernel = t.notebook.sessionContext.session.kernel;
      t.log = { sent: [], status: [] };
      if (t.recording === kernel) {
        return;
      }
      t.recording = kernel;
      kernel.anyMessage.connect((_, { msg, direction }) => {
        if (direction === 'send' && msg.header.msg_type === 'execute_request') {
          t.log.sent.push({ code: msg.content.code, silent: msg.content.silent, at: performance.now() });
        }
      });
      kernel.statusChanged.connect((_, status) => t.log.status.push({ status, at: performance.now() }));
    });
  }

  /** What {@link recordKernel} recorded: {sent: [{code, silent, at}], status: [{status, at}]}. */
  async kernelLog() {
    return this.page.evaluate(() => window.__liveimportTest.log);
  }

  /** Write a file through the contents API (as another tool saving it would). */
  async saveFile(file, content) {
    await this.page.evaluate(
      ([file, content]) =>
        window.jupyterapp.serviceManager.contents.save(file, { type: 'file', format: 'text', content }),
      [file, content]
    );
  }

  /** Read a file through the contents API. */
  async readFile(file) {
    return this.page.evaluate(
      async file => (await window.jupyterapp.serviceManager.contents.get(file, { content: true })).content,
      file
    );
  }

  /**
   * Replace the first `find` by `replacement` in a file, through the contents
   * API (as a save from another program would). Fails the test when the file
   * does not contain `find`.
   */
  async rewriteFile(file, find, replacement) {
    const text = await this.readFile(file);
    assert.ok(text.includes(find), `${file} contains ${find}`);
    await this.saveFile(file, text.replace(find, replacement));
  }

  /** Wait until the status bar says whether the kernel relies on file events (`on`) or polls. */
  async waitFileEvents(on) {
    await this.page.waitForFunction(
      on => {
        const title = document.querySelector('.jp-LiveImport-status')?.title ?? '';
        return on ? title.includes('reports changed') : title.includes('checks every tracked file');
      },
      on,
      { timeout: 20000 }
    );
  }

  /**
   * Edit a file in JupyterLite's file editor as a person does: open it,
   * select the first occurrence of `find`, type `replacement`, press Ctrl+S,
   * and wait for the save.
   */
  async editInEditor(file, find, replacement) {
    const found = await this.page.evaluate(
      async ([file, find]) => {
        const app = window.jupyterapp;
        const widget = await app.commands.execute('docmanager:open', { path: file, factory: 'Editor' });
        await widget.context.ready;
        app.shell.activateById(widget.id);
        const editor = widget.content.editor;
        const text = editor.model.sharedModel.getSource();
        const start = text.indexOf(find);
        if (start < 0) {
          return false;
        }
        editor.focus();
        editor.setSelection({
          start: editor.getPositionAt(start),
          end: editor.getPositionAt(start + find.length)
        });
        window.__liveimportTest.editor = widget;
        return true;
      },
      [file, find]
    );
    assert.ok(found, `${file} does not contain ${JSON.stringify(find)}`);
    await this.page.keyboard.type(replacement, { delay: 10 });
    await this.page.keyboard.press('Control+s');
    await this.page.waitForFunction(
      ([replacement]) => {
        const w = window.__liveimportTest.editor;
        return !w.context.model.dirty && w.content.editor.model.sharedModel.getSource().includes(replacement);
      },
      [replacement],
      { timeout: 20000 }
    );
  }

  /**
   * Click a LiveImport checkbox in the Settings Editor so that it ends up
   * `checked`, and wait until the setting is saved (the extension then sends
   * it to the kernel over the comm).
   */
  async setCheckbox(key, checked) {
    await this.page.evaluate(() => window.jupyterapp.commands.execute('settingeditor:open', { query: 'LiveImport' }));
    const box = this.page.locator(`input[id="jp-SettingsEditor-${PLUGIN_ID}_${key}"]`);
    await box.waitFor({ timeout: 20000 });
    if ((await box.isChecked()) !== checked) {
      await box.click();
    }
    await this.page.waitForFunction(
      async ([plugin, key, checked]) => {
        const saved = await window.jupyterapp.serviceManager.settings.fetch(plugin);
        return (saved.settings?.[key] ?? true) === checked;
      },
      [PLUGIN_ID, key, checked],
      { timeout: 20000, polling: 100 }
    );
    await sleep(300); // the comm message is queued behind nothing: the kernel is idle
  }

  /** The LiveImport status-bar item's text ('' when hidden). */
  async statusBarText() {
    return this.page.evaluate(() => {
      const node = document.querySelector('.jp-LiveImport-status');
      return node && !node.classList.contains('lm-mod-hidden') ? node.textContent : '';
    });
  }
}

/**
 * A {@link Session} named `name` with demo.ipynb open, its `#_%%liveimport`
 * cell run and then the cell that calls `projectile_range(speed, angle)`.
 * @returns {Promise<{s: Session, range: number, first: object}>} the
 *   session, that cell's index and its first run (as runCell returns it).
 */
export async function startDemo(name) {
  const s = await Session.start({ name });
  await s.openNotebook('demo.ipynb');
  await s.runCell(await s.cellIndex('#_%%liveimport'));
  const range = await s.cellIndex('projectile_range(speed, angle)');
  const first = await s.runCell(range);
  return { s, range, first };
}

/** Print a measurement so that it shows in the test output (and in build/browser-artifacts/timings.txt). */
export function measure(label, ms) {
  const line = `TIMING ${label}: ${Math.round(ms)} ms`;
  console.log(line);
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.appendFileSync(path.join(ARTIFACTS, 'timings.txt'), `${new Date().toISOString()} ${line}\n`);
}
