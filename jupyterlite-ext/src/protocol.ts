/**
 * The messages the extension and the kernel exchange over the `liveimport`
 * comm, and the Python code of the one execute request the extension sends
 * (the bootstrap that installs and imports LiveImport in a fresh kernel).
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
 * The bootstrap code: install the wheel with piplite (from this extension's
 * `static/pypi`, no network), import LiveImport, apply the settings and open
 * the comm. It binds no name in the user's namespace; the kernel side also
 * takes the request back out of IPython's history and execution count
 * (`liveimport._frontend.bootstrap`).
 *
 * @param run whether it is sent at the start of a notebook run (the comm that
 *   would carry `run_start` does not exist yet).
 */
export function bootstrapCode(s: ILiveImportSettings, run = false): string {
  const message: ISettingsMessage = { ...settingsMessage(s), ...(run ? { run } : {}) };
  const settings = JSON.stringify(JSON.stringify(message));
  return (
    `await __import__("piplite").install(${JSON.stringify(WHEEL_NAME)})\n` +
    `__import__("liveimport._frontend", fromlist=["_"]).bootstrap(${settings})\n`
  );
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
