/**
 * A desktop Jupyter server for the browser tests: `jupyter lab` or `jupyter
 * notebook` (Notebook 7) from the desktop venv, on 127.0.0.1, with ipykernel,
 * serving a fresh copy of the demo's content. Nothing of the machine's own
 * Jupyter set-up is read: config, data (kernelspecs), runtime, settings and
 * IPython directories are temporary. Two kernels: `python3` (the desktop
 * venv, which has liveimport-lite and the extension) and `bare` (a venv with
 * ipykernel only, no LiveImport).
 *
 * Venvs come from scripts/desktop.sh (LIVEIMPORT_DESKTOP_VENV,
 * LIVEIMPORT_DESKTOP_BARE_VENV; defaults under LIVEIMPORT_CACHE). Port:
 * LIVEIMPORT_DESKTOP_PORT, default 0 (a free port).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT, sleep } from './harness.mjs';

const CACHE = process.env.LIVEIMPORT_CACHE ?? path.join(os.homedir(), '.cache', 'liveimport-dev');
/** The venv of the server and of the `python3` kernel. */
export const DESKTOP_VENV = process.env.LIVEIMPORT_DESKTOP_VENV ?? path.join(CACHE, 'desktop-venv');
/** The venv of the `bare` kernel (ipykernel, no liveimport-lite). */
export const BARE_VENV = process.env.LIVEIMPORT_DESKTOP_BARE_VENV ?? path.join(CACHE, 'desktop-bare-venv');
/** Display name of the kernel without LiveImport. */
export const BARE_KERNEL_LABEL = 'Python 3 (no LiveImport)';

/**
 * Copy the demo's content into `dir`, with the notebooks' kernelspec set to
 * the desktop's `python3` (the demo names the Pyodide kernel).
 */
function copyContent(dir) {
  const content = path.join(ROOT, 'demo', 'content');
  for (const name of fs.readdirSync(content)) {
    const from = path.join(content, name);
    const to = path.join(dir, name);
    if (name.endsWith('.ipynb')) {
      const nb = JSON.parse(fs.readFileSync(from, 'utf8'));
      nb.metadata = {
        ...nb.metadata,
        kernelspec: { name: 'python3', display_name: 'Python 3 (ipykernel)', language: 'python' }
      };
      fs.writeFileSync(to, JSON.stringify(nb, null, 1));
    } else {
      fs.copyFileSync(from, to);
    }
  }
}

/**
 * Start `jupyter lab` (app 'lab') or `jupyter notebook` (app 'notebook').
 * @returns {Promise<{url: string, query: string, root: string, stop: () => Promise<void>, log: () => string}>}
 *   url: the server's base URL; query: the token query to append to the
 *   first page; root: the served directory (files the kernel sees).
 * @throws Error when the server does not start within 60 s.
 */
export async function startDesktopServer(app = 'lab') {
  const python = path.join(DESKTOP_VENV, 'bin', 'python');
  assert.ok(fs.existsSync(python), `no desktop venv at ${DESKTOP_VENV}: run scripts/desktop.sh setup`);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), `liveimport-desktop-${app}-`));
  const dirs = Object.fromEntries(
    ['root', 'config', 'data', 'runtime', 'ipython'].map(d => [d, path.join(base, d)])
  );
  for (const d of Object.values(dirs)) {
    fs.mkdirSync(d, { recursive: true });
  }
  copyContent(dirs.root);
  // Offline and quiet: no "get notified about Jupyter news?" prompt (a user setting).
  const userSettings = path.join(dirs.config, 'lab', 'user-settings', '@jupyterlab', 'apputils-extension');
  fs.mkdirSync(userSettings, { recursive: true });
  fs.writeFileSync(path.join(userSettings, 'notification.jupyterlab-settings'), JSON.stringify({ fetchNews: 'false' }));
  const bare = path.join(dirs.data, 'kernels', 'bare');
  fs.mkdirSync(bare, { recursive: true });
  fs.writeFileSync(
    path.join(bare, 'kernel.json'),
    JSON.stringify({
      argv: [path.join(BARE_VENV, 'bin', 'python'), '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
      display_name: BARE_KERNEL_LABEL,
      language: 'python'
    })
  );
  const token = crypto.randomBytes(16).toString('hex');
  const appClass = app === 'lab' ? 'LabApp' : 'JupyterNotebookApp';
  const args = [
    '-m',
    app === 'lab' ? 'jupyterlab' : 'notebook',
    '--no-browser',
    '--allow-root', // CI and these machines run as root
    '--ServerApp.ip=127.0.0.1',
    `--ServerApp.port=${process.env.LIVEIMPORT_DESKTOP_PORT ?? 0}`,
    '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${dirs.root}`,
    `--${appClass}.expose_app_in_browser=True`,
    // Offline: no news or update checks.
    '--LabApp.news_url=',
    '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate'
  ];
  const env = {
    ...process.env,
    JUPYTER_CONFIG_DIR: dirs.config,
    JUPYTER_DATA_DIR: dirs.data,
    JUPYTER_RUNTIME_DIR: dirs.runtime,
    JUPYTER_PATH: dirs.data,
    JUPYTER_CONFIG_PATH: dirs.config,
    IPYTHONDIR: dirs.ipython,
    JUPYTER_PLATFORM_DIRS: '1',
    PYTHONUNBUFFERED: '1'
  };
  delete env.LIVEIMPORT_NO_AUTOLOAD;
  let output = '';
  const proc = spawn(python, args, { cwd: dirs.root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout.on('data', chunk => (output += chunk));
  proc.stderr.on('data', chunk => (output += chunk));
  let exited = null;
  proc.on('exit', code => (exited = code));
  const started = Date.now();
  let info = null;
  while (!info) {
    if (exited !== null) {
      throw new Error(`jupyter ${app} exited (${exited}):\n${output}`);
    }
    if (Date.now() - started > 60000) {
      proc.kill();
      throw new Error(`jupyter ${app} did not start within 60 s:\n${output}`);
    }
    const file = fs.readdirSync(dirs.runtime).find(f => /^jpserver-\d+\.json$/.test(f));
    if (file) {
      try {
        info = JSON.parse(fs.readFileSync(path.join(dirs.runtime, file), 'utf8'));
      } catch {
        // being written
      }
    }
    await sleep(100);
  }
  const url = `http://127.0.0.1:${info.port}/`;
  // Wait until it answers.
  for (;;) {
    try {
      const res = await fetch(`${url}api/status?token=${token}`);
      if (res.ok) {
        break;
      }
    } catch {
      // not yet
    }
    await sleep(100);
  }
  return {
    url,
    query: `token=${token}`,
    token,
    root: dirs.root,
    log: () => output,
    stop: async () => {
      if (exited === null) {
        proc.kill('SIGTERM');
        const timer = setTimeout(() => proc.kill('SIGKILL'), 10000);
        await new Promise(resolve => proc.once('exit', resolve));
        clearTimeout(timer);
      }
      fs.rmSync(base, { recursive: true, force: true });
    }
  };
}

/** The texts of the notification toasts on the page now, with their type. */
export async function toasts(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('.Toastify__toast')].map(node => ({
      type: /Toastify__toast--(\w+)/.exec(node.className)?.[1] ?? 'default',
      text: node.textContent
    }))
  );
}
