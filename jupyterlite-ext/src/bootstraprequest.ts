/**
 * The one execute request the extension sends, the bootstrap that loads
 * LiveImport into a kernel, and how to read how it ended.
 *
 * The bootstrap proper is a Python function of the package,
 * `liveimport._frontend.bootstrap(settings_json, history_token=...)`: it
 * takes the request back out of IPython's history, applies the settings
 * and opens the `liveimport` comm. The request is one call of it with the
 * settings, and around it only what cannot live in the package because
 * the package may not be installed yet:
 *
 * - in JupyterLite's Pyodide kernel, installing the package with piplite
 *   (from this extension's `static/pypi`, no network) first;
 * - a handler that never lets the request fail (a failing request would
 *   make JupyterLite's kernel client drop the user's cell queued behind it,
 *   see `inflight.ts`) and instead writes a {@link BOOTSTRAP_MARK} line to
 *   stdout: `missing` when the kernel's environment has no LiveImport (it
 *   then also registers a stand-in `%%liveimport` magic that runs the cell
 *   as plain code, and a `%liveimport` that says what to install), or
 *   `failed <ExceptionName>: <message>`.
 *
 * The request binds no name in the user's namespace (the handler's
 * `except ... as` target is unbound when the block ends) and leaves no
 * trace in the history (silent, `store_history=False`, and the token the
 * package looks for in kernels that ignore both).
 */
import { settingsMessage } from './protocol.js';
import type { ILiveImportSettings, KernelKind } from './tokens.js';

/** Name of the distribution the extension ships in `static/pypi` (piplite). */
export const WHEEL_NAME = 'liveimport-lite';

/** Where a user reads how to install LiveImport (the distribution's page). */
export const DOCS_URL = 'https://pypi.org/project/liveimport-lite/';

/**
 * Start of the line the bootstrap writes to stdout when it could not load
 * LiveImport: `<mark>missing` (no `liveimport` in the kernel's environment)
 * or `<mark>failed <ExceptionName>: <message>`.
 */
export const BOOTSTRAP_MARK = '\u0001liveimport-bootstrap ';

/**
 * The command that installs LiveImport into a kernel's environment, as the
 * notices print it. liveimport-lite is not on PyPI yet: `--find-links` takes
 * it from the `dist/` folder of a clone of the repository, where
 * `scripts/build.sh` (or `scripts/release.sh`) leaves the wheels; pip picks
 * the native wheel there (tests/packaging/test_install_lines.py runs this
 * line, with the clone's path, in a fresh venv). Once published, the same
 * line still works.
 */
export const INSTALL_COMMAND = `%pip install ${WHEEL_NAME} --find-links /path/to/your/clone/dist`;

/** Where {@link INSTALL_COMMAND}'s wheels come from, said after it. */
export const INSTALL_NOTE =
  `(${WHEEL_NAME} is not on PyPI yet: /path/to/your/clone is your clone of LiveImport for the ` +
  'browser, after its scripts/build.sh)';

/** What `%liveimport` prints in a kernel without LiveImport. */
const MISSING_HINT =
  `LiveImport is not installed in this kernel's environment: run ${INSTALL_COMMAND} ` +
  `${INSTALL_NOTE}, then run the cell again.`;

/** Options of {@link bootstrapCode}. */
export interface IBootstrapOptions {
  /** The kernel's kind: whether to install through piplite first. */
  kind: KernelKind;
  /**
   * Whether the request is sent at the start of a notebook run (the comm
   * that would carry `run_start` does not exist yet).
   */
  run?: boolean;
  /**
   * A string unique to this request: the kernel side takes the request back
   * out of IPython's history and execution count only when the last stored
   * input contains it (kernels that ignore `store_history=False`), so never a
   * user's cell.
   */
  token?: string;
}

/** A Python string literal of `text` (JSON's escapes are Python's). */
const py = (text: string): string => JSON.stringify(text);

/**
 * The install step, indented for the `try:` block: in the Pyodide kernel,
 * piplite; in a kernel of unknown kind, piplite when the kernel turns out
 * to be an Emscripten one that has it; none in any other kernel.
 */
function installStep(kind: KernelKind): string {
  const install = `await __import__("piplite").install(${py(WHEEL_NAME)})`;
  switch (kind) {
    case 'pyodide':
      return `    ${install}\n`;
    case 'unknown':
      return (
        '    if __import__("sys").platform == "emscripten" and ' +
        '__import__("importlib.util").util.find_spec("piplite") is not None:\n' +
        `        ${install}\n`
      );
    case 'other':
      return '';
  }
}

/**
 * The Python code of the bootstrap request (see the module's comment): the
 * install step, the call of `liveimport._frontend.bootstrap` with the
 * settings (a `settings` message as JSON text, with `"run": true` when
 * {@link IBootstrapOptions.run}) and the token, and the handler.
 */
export function bootstrapCode(
  s: ILiveImportSettings,
  options: IBootstrapOptions
): string {
  const settings = JSON.stringify({
    ...settingsMessage(s),
    ...(options.run ? { run: true } : {})
  });
  const token = options.token ? `, history_token=${py(options.token)}` : '';
  const e = '__liveimport_error';
  const ipython = '__import__("IPython").get_ipython()';
  const stdout = '__import__("sys").stdout.write';
  return (
    'try:\n' +
    installStep(options.kind) +
    `    __import__("liveimport._frontend", fromlist=["_"]).bootstrap(${py(settings)}${token})\n` +
    `except Exception as ${e}:\n` +
    `    if isinstance(${e}, ModuleNotFoundError) and ${e}.name in ("liveimport", "liveimport._frontend"):\n` +
    `        ${stdout}(${py(BOOTSTRAP_MARK)} + "missing\\n")\n` +
    `        ${ipython}.register_magic_function(\n` +
    `            lambda line, cell=None: print(${py(MISSING_HINT)}) if cell is None\n` +
    `            else [${ipython}.run_cell(cell)] and None,\n` +
    '            "line_cell", "liveimport")\n' +
    '    else:\n' +
    `        ${stdout}(${py(BOOTSTRAP_MARK)} + "failed " + type(${e}).__name__ + ": " +\n` +
    `            " ".join(str(${e}).split()) + "\\n")\n`
  );
}

/** How a bootstrap request ended. */
export type BootstrapOutcome =
  { kind: 'loaded' } | { kind: 'missing' } | { kind: 'failed'; reason: string };

/**
 * Interpret the bootstrap's `execute_reply` content and what it wrote to
 * stdout: `missing` when the kernel's environment has no LiveImport,
 * `failed` for any other error or an abort, `loaded` otherwise.
 */
export function bootstrapOutcome(
  content: { status: string; ename?: string; evalue?: string },
  stdout = ''
): BootstrapOutcome {
  const line = stdout.split('\n').find(l => l.startsWith(BOOTSTRAP_MARK));
  if (line !== undefined) {
    const rest = line.slice(BOOTSTRAP_MARK.length);
    if (rest === 'missing') {
      return { kind: 'missing' };
    }
    return { kind: 'failed', reason: rest.replace(/^failed /, '') };
  }
  if (content.status === 'ok') {
    return { kind: 'loaded' };
  }
  if (
    content.status === 'error' &&
    content.ename === 'ModuleNotFoundError' &&
    /'liveimport(\._frontend)?'/.test(content.evalue ?? '')
  ) {
    return { kind: 'missing' };
  }
  return {
    kind: 'failed',
    reason:
      content.status === 'error'
        ? `${content.ename}: ${content.evalue}`
        : content.status
  };
}
