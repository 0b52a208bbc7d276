/**
 * What the extension and the kernel say to each other: the messages of the
 * `liveimport` comm (their shapes, and a parser for each message the kernel
 * sends, so that nothing the kernel sends is trusted unchecked), and the
 * parts of Jupyter's own kernel messages the extension reads (execute
 * replies, stream output, kernel info).
 *
 * The kernel side is `liveimport._frontend` (python/liveimport/_frontend.py);
 * keep both ends in step (PROTOCOL_VERSION). The comm messages are type
 * aliases rather than interfaces: so they are JSON values, what
 * `IComm.send` takes.
 */
import type { KernelMessage } from '@jupyterlab/services';

import type {
  IFailure,
  IGraphData,
  IGraphModule,
  IGraphReload,
  ILiveImportSettings,
  IStaleName,
  KernelKind,
  StaleKind
} from './tokens.js';

/** Comm target name; the kernel opens the comm, the frontend registers the target. */
export const COMM_TARGET = 'liveimport';

/** Version of the message shapes below. */
export const PROTOCOL_VERSION = 2;

/**
 * Frontend -> kernel: apply settings. `stale_note` is an addition to
 * version 2 (a kernel side without it ignores it).
 */
export type SettingsMessage = {
  type: 'settings';
  auto_sync: boolean;
  grace: number;
  report: boolean;
  stale_note: boolean;
  hidden_cell_magic: boolean;
  file_events: boolean;
};

/**
 * Frontend -> kernel, once the comm is open: this page reports every file
 * change from now on (`files_changed`); `paths` changed since it connected
 * to the kernel. Paths are contents paths (relative to the drive root).
 */
export type FileEventsMessage = {
  type: 'file_events';
  /**
   * The notebook's contents path, or a console's session path: the kernel
   * derives the drive root from it.
   */
  notebook_path: string;
  /**
   * True when `notebook_path` is a console's session path (no file: the
   * kernel checks its directory instead). Absent for notebooks (an addition
   * to protocol version 2).
   */
  console?: boolean;
  paths: string[];
  /** Those of `paths` that are gone (see FilesChangedMessage). */
  deleted: string[];
  /** False when the page could not keep every path (the kernel then polls once). */
  complete: boolean;
};

/** Frontend -> kernel: files saved, created, renamed (both paths) or deleted. */
export type FilesChangedMessage = {
  type: 'files_changed';
  paths: string[];
  /**
   * Those of `paths` that no longer exist (deleted, or the old path of a
   * rename; a folder stands for everything under it). The kernel drops its
   * cached file-system nodes of them and never stats them.
   */
  deleted: string[];
};

/**
 * Frontend -> kernel: a notebook run (the execute requests sent together,
 * from the first until every reply arrived) starts or ended. The kernel
 * syncs before a run's first cell only.
 */
export type RunMessage = { type: 'run_start' | 'run_end' };

/** Frontend -> kernel: ask for the `%liveimport` table. */
export type StatusTextRequest = {
  type: 'status_text_request';
  request_id: string;
};

/** Every message the frontend sends over the comm. */
export type FrontendMessage =
  | SettingsMessage
  | FileEventsMessage
  | FilesChangedMessage
  | RunMessage
  | StatusTextRequest;

/**
 * Kernel -> frontend: what the status bar shows. Sent as the comm's open
 * data and whenever a value changes (after a cell, or after a sync that
 * reloaded). Parsed by {@link parseKernelMessage}, which fills in what an
 * older kernel side leaves out.
 */
export type StatusMessage = {
  type: 'status';
  /** Protocol version of the kernel side. */
  version: number;
  /** Number of tracked modules. */
  modules: number;
  /** Time of the last sync that reloaded a module (seconds since the epoch), or null. */
  last_reload: number | null;
  /** Number of module reloads since LiveImport was loaded in this kernel. */
  reloads: number;
  /** Whether the kernel's syncs rely on this page's file events (version 2; false when absent). */
  file_events: boolean;
  /** The modules that fail until fixed (none when absent). */
  failures: IFailure[];
  /**
   * The notebook's names still holding objects of an earlier version of a
   * reloaded module, as of the last reload or cell (an addition to version
   * 2: none when absent).
   */
  stale: IStaleName[];
};

/** Kernel -> frontend: answer to a {@link StatusTextRequest}. */
export type StatusTextMessage = {
  type: 'status_text';
  request_id: string;
  /** `str(liveimport.status(user_ns))`, what `%liveimport` prints. */
  text: string;
  /** The same status as graph data (`liveimport._graph`), or null when absent. */
  graph: IGraphData | null;
};

/** Every message the kernel sends over the comm. */
export type KernelToFrontendMessage = StatusMessage | StatusTextMessage;

/** The settings as the kernel-side message. */
export function settingsMessage(s: ILiveImportSettings): SettingsMessage {
  return {
    type: 'settings',
    auto_sync: s.autoSync,
    grace: s.grace,
    report: s.report,
    stale_note: s.staleNote,
    hidden_cell_magic: s.hiddenCellMagic,
    file_events: s.fileEvents
  };
}

/** `value`'s own fields, or null when it is no (non-array) object. */
function record(value: unknown): Record<string, unknown> | null {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return null;
  }
  return Object.fromEntries(Object.entries(value));
}

const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const count = (v: unknown): number =>
  typeof v === 'number' && Number.isFinite(v) ? v : 0;
const line = (v: unknown): number | null =>
  typeof v === 'number' && v > 0 ? v : null;
const strings = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [];

/**
 * The well-formed entries of a status message's `failures` (those naming a
 * module; missing fields get their defaults: phase `reload`, no error text,
 * no place).
 */
export function parseFailures(value: unknown): IFailure[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const failures: IFailure[] = [];
  for (const item of value) {
    const f = record(item);
    const module = text(f?.module);
    if (f && module !== null) {
      failures.push({
        module,
        phase: text(f.phase) ?? 'reload',
        error: text(f.error) ?? '',
        file: text(f.file),
        path: text(f.path),
        line: line(f.line)
      });
    }
  }
  return failures;
}

/** An execution count (`In [N]`, N >= 1), or null. */
const executionCount = (v: unknown): number | null =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : null;

/** The kinds of {@link IStaleName} (`liveimport._stale.KINDS`). */
const STALE_KINDS: readonly StaleKind[] = [
  'instance',
  'class',
  'function',
  'enum member',
  'method'
];

/** `v` as a {@link StaleKind}, or null when it is none. */
const staleKind = (v: unknown): StaleKind | null =>
  STALE_KINDS.find(kind => kind === v) ?? null;

/**
 * The well-formed entries of a `stale` list (a status message's, or the
 * graph data's): those with a `name`, a `module` and a known `kind`
 * (entries of a kind this side does not know are left out); a missing
 * `qualname` is empty, and a `cell` that is no positive integer is null
 * (unknown). Anything but an array (absent: an older kernel) gives none.
 */
export function parseStale(value: unknown): IStaleName[] {
  if (!Array.isArray(value)) {
    return [];
  }
  const entries: IStaleName[] = [];
  for (const item of value) {
    const e = record(item);
    const name = text(e?.name);
    const module = text(e?.module);
    const kind = staleKind(e?.kind);
    if (e && name !== null && module !== null && kind !== null) {
      entries.push({
        name,
        kind,
        module,
        qualname: text(e.qualname) ?? '',
        cell: executionCount(e.cell)
      });
    }
  }
  return entries;
}

/** A module of graph data, or null when it names none. */
function parseGraphModule(value: unknown): IGraphModule | null {
  const m = record(value);
  const name = text(m?.name);
  if (!m || name === null) {
    return null;
  }
  const failure = record(m.failure);
  return {
    name,
    direct: m.direct === true,
    tracked: m.tracked === true,
    file: text(m.file),
    path: text(m.path),
    missing: m.missing === true,
    reload:
      m.reload === 'modified' || m.reload === 'dependent' ? m.reload : null,
    failure: failure
      ? {
          phase: text(failure.phase) ?? 'reload',
          error: text(failure.error) ?? '',
          line: line(failure.line)
        }
      : null
  };
}

/**
 * The graph data in `value` (`liveimport._graph.graph_data`, in a
 * `status_text` message or a `%liveimport` output), or null when it is not
 * graph data. Malformed modules, edges and reload entries are left out.
 */
export function parseGraph(value: unknown): IGraphData | null {
  const data = record(value);
  if (!data || !Array.isArray(data.modules) || !Array.isArray(data.edges)) {
    return null;
  }
  const modules: IGraphModule[] = [];
  for (const item of data.modules) {
    const m = parseGraphModule(item);
    if (m) {
      modules.push(m);
    }
  }
  const edges: [string, string][] = [];
  for (const e of data.edges) {
    if (
      Array.isArray(e) &&
      e.length === 2 &&
      typeof e[0] === 'string' &&
      typeof e[1] === 'string'
    ) {
      edges.push([e[0], e[1]]);
    }
  }
  const reloaded: IGraphReload[] = [];
  for (const item of Array.isArray(data.reloaded) ? data.reloaded : []) {
    const r = record(item);
    const module = text(r?.module);
    if (r && module !== null) {
      reloaded.push({
        module,
        reason: text(r.reason) ?? '',
        after: strings(r.after)
      });
    }
  }
  return {
    version: typeof data.version === 'number' ? data.version : 1,
    modules,
    edges,
    last_reload: typeof data.last_reload === 'number' ? data.last_reload : null,
    reloaded,
    stale: parseStale(data.stale)
  };
}

/**
 * A message the kernel sent over the comm (a `comm_open`'s or `comm_msg`'s
 * `data`), checked: null when it is none of {@link KernelToFrontendMessage}
 * (unknown types are ignored, as a newer kernel side may send more).
 */
export function parseKernelMessage(
  data: unknown
): KernelToFrontendMessage | null {
  const m = record(data);
  if (m?.type === 'status') {
    return {
      type: 'status',
      version: count(m.version),
      modules: count(m.modules),
      last_reload: typeof m.last_reload === 'number' ? m.last_reload : null,
      reloads: count(m.reloads),
      file_events: m.file_events === true,
      failures: parseFailures(m.failures),
      stale: parseStale(m.stale)
    };
  }
  if (m?.type === 'status_text') {
    const id = text(m.request_id);
    if (id === null) {
      return null;
    }
    return {
      type: 'status_text',
      request_id: id,
      text: text(m.text) ?? '',
      graph: parseGraph(m.graph ?? null)
    };
  }
  return null;
}

/** The kind of a kernel from its `kernel_info_reply` content. */
export function kernelKind(
  info: { implementation?: unknown } | null | undefined
): KernelKind {
  if (!info || typeof info.implementation !== 'string') {
    return 'unknown';
  }
  return info.implementation === 'pyodide' ? 'pyodide' : 'other';
}

/** The `msg_id` of the request a kernel message answers, if it names one. */
export function parentMsgId(msg: KernelMessage.IMessage): string | undefined {
  const parent: Partial<KernelMessage.IHeader> = msg.parent_header;
  return typeof parent.msg_id === 'string' ? parent.msg_id : undefined;
}
