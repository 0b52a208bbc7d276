/**
 * The messages the extension and the kernel exchange over the `liveimport`
 * comm, and the Python code of the one execute request the extension sends
 * (the bootstrap that loads LiveImport into a kernel: through piplite in
 * JupyterLite's Pyodide kernel, a plain import in any other kernel).
 *
 * The kernel side is `liveimport._frontend` (python/liveimport/_frontend.py);
 * keep both ends in step (PROTOCOL_VERSION).
 */

/** Comm target name; the kernel opens the comm, the frontend registers the target. */
export const COMM_TARGET = 'liveimport';

/** Version of the message shapes below. */
export const PROTOCOL_VERSION = 2;

/** Name of the distribution the extension ships in `static/pypi` (piplite). */
export const WHEEL_NAME = 'liveimport-lite';

/**
 * LiveImport's notebook settings, as in the Settings Editor and as sent to
 * the kernel (`liveimport.auto_sync(enabled, grace=, report=)`,
 * `liveimport.hidden_cell_magic(enabled)`, and whether the kernel may rely
 * on this page's file-change events instead of polling).
 */
export interface ILiveImportSettings {
  /** Sync before each cell (after the grace period). */
  autoSync: boolean;
  /** Grace period in seconds (>= 0). */
  grace: number;
  /** Show reload reports (Markdown console blocks). */
  report: boolean;
  /** Treat a first line `#_%%liveimport` as `%%liveimport`. */
  hiddenCellMagic: boolean;
  /**
   * Let the kernel rely on this page's file-change events, examining only
   * the files they name before a cell; false: it checks the modification
   * time of every tracked file (one round trip to the page each in
   * JupyterLite).
   */
  fileEvents: boolean;
}

/** The defaults of LiveImport itself (and of schema/plugin.json). */
export const DEFAULT_SETTINGS: ILiveImportSettings = {
  autoSync: true,
  grace: 1.0,
  report: true,
  hiddenCellMagic: true,
  fileEvents: true
};

/** Frontend -> kernel: apply settings. */
export interface ISettingsMessage {
  type: 'settings';
  auto_sync: boolean;
  grace: number;
  report: boolean;
  hidden_cell_magic: boolean;
  file_events: boolean;
  /** Bootstrap only: it was sent at the start of a notebook run. */
  run?: boolean;
}

/**
 * Frontend -> kernel, once the comm is open: this page reports every file
 * change from now on (`files_changed`); `paths` changed since it connected
 * to the kernel. Paths are contents paths (relative to the drive root).
 */
export interface IFileEventsMessage {
  type: 'file_events';
  /** The notebook's contents path: the kernel derives the drive root from it. */
  notebook_path: string;
  paths: string[];
  /** Those of `paths` that are gone (see IFilesChangedMessage); optional. */
  deleted?: string[];
  /** False when the page could not keep every path (the kernel then polls once). */
  complete: boolean;
}

/** Frontend -> kernel: files saved, created, renamed (both paths) or deleted. */
export interface IFilesChangedMessage {
  type: 'files_changed';
  paths: string[];
  /**
   * Those of `paths` that no longer exist (deleted, or the old path of a
   * rename; a folder stands for everything under it). The kernel drops its
   * cached file-system nodes of them and never stats them. Optional.
   */
  deleted?: string[];
}

/**
 * Frontend -> kernel: a notebook run (the execute requests sent together,
 * from the first until every reply arrived) starts or ended. The kernel
 * syncs before a run's first cell only.
 */
export interface IRunMessage {
  type: 'run_start' | 'run_end';
}

/** Frontend -> kernel: ask for the `%liveimport` table. */
export interface IStatusTextRequest {
  type: 'status_text_request';
  request_id: string;
}

/**
 * Kernel -> frontend: what the status bar shows. Sent when the comm opens
 * and whenever a value changes (after a cell, or after a sync that reloaded).
 */
export interface IStatusMessage {
  type: 'status';
  /** Protocol version of the kernel side. */
  version: number;
  /** Number of tracked modules. */
  modules: number;
  /** Time of the last sync that reloaded a module (seconds since the epoch), or null. */
  last_reload: number | null;
  /** Number of module reloads since LiveImport was loaded in this kernel. */
  reloads: number;
  /** Whether the kernel's syncs rely on this page's file events (version 2). */
  file_events?: boolean;
  /** The modules that fail until fixed (optional; none when absent). */
  failures?: IFailure[];
}

/** A tracked module LiveImport cannot use right now (`liveimport._failures`). */
export interface IFailure {
  /** Module name. */
  module: string;
  /** `analysis` (its source cannot be analysed) or `reload` (reloading it raised). */
  phase: string;
  /** The cause as one line, e.g. `SyntaxError: invalid syntax`. */
  error: string;
  /** The file where the problem is, as the kernel names it, or null. */
  file: string | null;
  /** That file's contents path (what the page can open), or null. */
  path: string | null;
  /** The 1-based line in the file, or null. */
  line: number | null;
}

/** Kernel -> frontend: answer to an IStatusTextRequest. */
export interface IStatusTextMessage {
  type: 'status_text';
  request_id: string;
  /** `str(liveimport.status(user_ns))`, what `%liveimport` prints. */
  text: string;
  /** The same status as graph data (`liveimport._graph`, see graph.ts); optional. */
  graph?: unknown;
}

/** The well-formed entries of a status message's `failures`. */
export function parseFailures(value: unknown): IFailure[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  return value
    .filter(f => f && typeof f === 'object' && typeof f.module === 'string')
    .map(f => ({
      module: f.module,
      phase: text(f.phase) ?? 'reload',
      error: text(f.error) ?? '',
      file: text(f.file),
      path: text(f.path),
      line: typeof f.line === 'number' && f.line > 0 ? f.line : null
    }));
}

/** The settings as the kernel-side message. */
export function settingsMessage(s: ILiveImportSettings): ISettingsMessage {
  return {
    type: 'settings',
    auto_sync: s.autoSync,
    grace: s.grace,
    report: s.report,
    hidden_cell_magic: s.hiddenCellMagic,
    file_events: s.fileEvents
  };
}

/**
 * What the extension knows of a kernel, from its `kernel_info_reply`
 * (`implementation`): `pyodide` is JupyterLite's Pyodide kernel (LiveImport
 * is installed through piplite; the kernel ignores `silent` and
 * `store_history`), `other` any other kernel (ipykernel, xeus, ...:
 * LiveImport is imported when the kernel's environment has it), `unknown`
 * before the reply arrived (the code then decides in the kernel).
 */
export type KernelKind = 'pyodide' | 'other' | 'unknown';

/** The kind of a kernel from its `kernel_info_reply` content. */
export function kernelKind(info: { implementation?: unknown } | null | undefined): KernelKind {
  if (!info || typeof info.implementation !== 'string') {
    return 'unknown';
  }
  return info.implementation === 'pyodide' ? 'pyodide' : 'other';
}

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

/**
 * The Python name the bootstrap binds in the user's namespace while it runs
 * (the `except ... as` target, which Python unbinds when the block ends).
 */
const ERROR_NAME = '__liveimport_error';

/**
 * Start of the line the bootstrap writes to stdout when it could not load
 * LiveImport: `<mark>missing` (no `liveimport` in the kernel's environment)
 * or `<mark>failed <ExceptionName>: <message>`.
 */
export const BOOTSTRAP_MARK = '\u0001liveimport-bootstrap ';

/** What `%liveimport` prints in a kernel without LiveImport. */
const MISSING_HINT =
  `LiveImport is not installed in this kernel's environment: run %pip install ${WHEEL_NAME}, ` +
  'then run the cell again.';

/**
 * The bootstrap code: in the Pyodide kernel, install the wheel with piplite
 * (from this extension's `static/pypi`, no network); then import LiveImport,
 * apply the settings and open the comm
 * (`liveimport._frontend.bootstrap`). It leaves no name in the user's
 * namespace and never raises: a failing request would make JupyterLite's
 * kernel client drop the user's cell queued behind it (see `inflight.ts`).
 * Instead it writes a {@link BOOTSTRAP_MARK} line (see
 * {@link bootstrapOutcome}); when the kernel's environment has no
 * LiveImport it also registers a stand-in `%%liveimport` magic that runs the
 * cell as plain code (and a `%liveimport` that says what to install).
 */
export function bootstrapCode(s: ILiveImportSettings, options: IBootstrapOptions): string {
  const message: ISettingsMessage = {
    ...settingsMessage(s),
    ...(options.run ? { run: true } : {})
  };
  const settings = JSON.stringify(JSON.stringify(message));
  const token = options.token ? `, history_token=${JSON.stringify(options.token)}` : '';
  const install = `await __import__("piplite").install(${JSON.stringify(WHEEL_NAME)})`;
  const mark = JSON.stringify(BOOTSTRAP_MARK);
  const lines = ['try:'];
  if (options.kind === 'pyodide') {
    lines.push(`    ${install}`);
  } else if (options.kind === 'unknown') {
    lines.push(
      '    if __import__("sys").platform == "emscripten" and ' +
        '__import__("importlib.util").util.find_spec("piplite") is not None:',
      `        ${install}`
    );
  }
  lines.push(
    `    __import__("liveimport._frontend", fromlist=["_"]).bootstrap(${settings}${token})`,
    `except Exception as ${ERROR_NAME}:`,
    `    if isinstance(${ERROR_NAME}, ModuleNotFoundError) and ` +
      `${ERROR_NAME}.name in ("liveimport", "liveimport._frontend"):`,
    `        __import__("sys").stdout.write(${mark} + "missing\\n")`,
    '        __import__("IPython").get_ipython().register_magic_function(',
    `            lambda line, cell=None: print(${JSON.stringify(MISSING_HINT)}) if cell is None`,
    '            else [__import__("IPython").get_ipython().run_cell(cell)] and None,',
    '            "line_cell", "liveimport")',
    '    else:',
    `        __import__("sys").stdout.write(${mark} + "failed " + type(${ERROR_NAME}).__name__ + ": " +`,
    `            " ".join(str(${ERROR_NAME}).split()) + "\\n")`,
    ''
  );
  return lines.join('\n');
}

/** How a bootstrap request ended. */
export type BootstrapOutcome =
  | { kind: 'loaded' }
  | { kind: 'missing' }
  | { kind: 'failed'; reason: string };

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
    reason: content.status === 'error' ? `${content.ename}: ${content.evalue}` : content.status
  };
}

/** Where a user reads how to install LiveImport (the distribution's page). */
export const DOCS_URL = 'https://pypi.org/project/liveimport-lite/';

/**
 * Whether a notebook holds a cell that uses LiveImport (see
 * {@link needsLiveImport}): its kernel gets LiveImport loaded as soon as it
 * is idle after starting.
 */
export function notebookUsesLiveImport(
  cells: Iterable<{ cell_type: string; getSource(): string }>,
  hiddenCellMagic: boolean
): boolean {
  for (const cell of cells) {
    if (cell.cell_type === 'code' && needsLiveImport(cell.getSource(), hiddenCellMagic)) {
      return true;
    }
  }
  return false;
}

const MAGIC_RE = /^\s*%%liveimport\b/;
const HIDDEN_MAGIC_RE = /^#[ \t]*_%%liveimport\b/;
const USES_RE = /^[ \t]*(?:import[ \t]+liveimport\b|from[ \t]+liveimport\b|%liveimport\b)/m;

/**
 * Whether running `source` needs LiveImport in the kernel: its first
 * non-blank line is `%%liveimport` (or `#_%%liveimport` when hidden cell
 * magic is on), or a line imports liveimport or uses `%liveimport`.
 */
export function needsLiveImport(source: string, hiddenCellMagic: boolean): boolean {
  const first = source.split('\n').find(line => line.trim() !== '') ?? '';
  if (MAGIC_RE.test(first)) {
    return true;
  }
  if (hiddenCellMagic && HIDDEN_MAGIC_RE.test(first.trimStart())) {
    return true;
  }
  return USES_RE.test(source);
}
