/**
 * The contracts between the extension's modules: identifiers, the settings
 * and their defaults, and the shapes one module hands another (the kernel
 * status the status bar shows, the graph it draws, the page a kernel
 * object asks things of). No logic, and imports of types only: every other
 * module may depend on this one, and it depends on none of them.
 */
import type { ISignal } from '@lumino/signaling';

/** The plugin id (also the id of its settings, schema/plugin.json). */
export const PLUGIN_ID = 'jupyterlite-liveimport:plugin';

/** The command that opens the `%liveimport` dialog of the current notebook's kernel. */
export const SHOW_STATUS_COMMAND = 'liveimport:show-status';

/**
 * LiveImport's notebook settings, as in the Settings Editor
 * (schema/plugin.json) and as sent to the kernel
 * (`liveimport.auto_sync(enabled, grace=, report=)`,
 * `liveimport.hidden_cell_magic(enabled)`, whether the note naming stale
 * names follows a reload report, and whether the kernel may rely on this
 * page's file-change events instead of polling).
 */
export interface ILiveImportSettings {
  /** Sync before each cell (after the grace period). */
  autoSync: boolean;
  /** Grace period in seconds (>= 0). */
  grace: number;
  /** Show reload reports (Markdown console blocks). */
  report: boolean;
  /**
   * After a reload report, show the note naming the notebook's names that
   * still hold objects of a reloaded module's old version (issue 18; the
   * kernel's `_nbi.show_stale_note`). Only shown when {@link report} is on.
   */
  staleNote: boolean;
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
  staleNote: true,
  hiddenCellMagic: true,
  fileEvents: true
};

/**
 * What the extension knows of a kernel, from its `kernel_info_reply`
 * (`implementation`): `pyodide` is JupyterLite's Pyodide kernel (LiveImport
 * is installed through piplite; the kernel ignores `silent` and
 * `store_history`), `other` any other kernel (ipykernel, xeus, ...:
 * LiveImport is imported when the kernel's environment has it), `unknown`
 * before the reply arrived (the bootstrap then decides in the kernel).
 */
export type KernelKind = 'pyodide' | 'other' | 'unknown';

/**
 * Where LiveImport stands in one kernel: not loaded (`absent`), the
 * bootstrap request in flight (`loading`), `loaded`, or `missing` (the
 * kernel's environment has no LiveImport: its cells run as plain code; the
 * next LiveImport cell tries again, without a second notice).
 */
export type BootstrapState = 'absent' | 'loading' | 'loaded' | 'missing';

/** One or more changes of the page's contents (contents paths). */
export interface IFileChange {
  /** Every contents path touched (both paths of a rename). */
  paths: string[];
  /** Those of `paths` that no longer exist. */
  deleted: string[];
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

/**
 * What a stale name holds (`liveimport._stale.KINDS`): an instance of an old
 * class, an old class or function, a member of an old Enum class, or a bound
 * method of an old instance or class.
 */
export type StaleKind =
  'instance' | 'class' | 'function' | 'enum member' | 'method';

/**
 * A name of the notebook whose value (or, for a container, one of its
 * elements) comes from an earlier version of a reloaded module
 * (`liveimport.StaleName`, sent as `StaleName.to_json()`).
 */
export interface IStaleName {
  /** The variable, e.g. `sq` (a container's name for an element). */
  name: string;
  kind: StaleKind;
  /** The reloaded module the old object comes from, e.g. `shapes`. */
  module: string;
  /** The old class's or function's `__qualname__`, e.g. `Square`. */
  qualname: string;
  /** Execution count of the cell that last assigned the name (`In [N]`), or null when unknown. */
  cell: number | null;
}

/** One module of the dependency graph (`liveimport._graph.graph_data`). */
export interface IGraphModule {
  name: string;
  /** Named by a registered statement (else tracked because a tracked module imports it). */
  direct: boolean;
  /** False for a failing module that could not be tracked. */
  tracked: boolean;
  file: string | null;
  /** Contents path of the file (what the page can open), or null. */
  path: string | null;
  /** It has a source file, and the file is gone. */
  missing: boolean;
  /** How it took part in the last sync that reloaded anything. */
  reload: 'modified' | 'dependent' | null;
  failure: { phase: string; error: string; line: number | null } | null;
}

/** One module of the last reload, in order. */
export interface IGraphReload {
  module: string;
  /** Why it reloaded (`modified`, `dependent`). */
  reason: string;
  /** The modules whose reload made it reload. */
  after: string[];
}

/** The dependency graph the kernel reports (`liveimport._graph.graph_data`). */
export interface IGraphData {
  version: number;
  modules: IGraphModule[];
  /** `[importer, imported]`. */
  edges: [string, string][];
  /** Seconds since the epoch, or null. */
  last_reload: number | null;
  /** The last reload, in order. */
  reloaded: IGraphReload[];
  /**
   * The notebook's stale names when the graph was made (empty when the
   * kernel sends none): their modules have old objects in use.
   */
  stale: IStaleName[];
}

/** What the status bar shows for a kernel. */
export interface IKernelStatus {
  /** Whether LiveImport is loaded and its comm is open. */
  connected: boolean;
  /** Tracked modules (0 until the kernel reports). */
  modules: number;
  /** Time of the last reload (ms since the epoch), or null. */
  lastReload: number | null;
  /** Reloads since LiveImport was loaded. */
  reloads: number;
  /** Whether the kernel relies on this page's file events (else it polls). */
  fileEvents: boolean;
  /** The modules that fail until fixed, oldest first. */
  failures: IFailure[];
  /** The notebook's stale names as of the last reload or cell (none until the kernel reports some). */
  stale: IStaleName[];
}

/** The kernel's answer to a status request. */
export interface IStatusDetails {
  /** What `%liveimport` prints (`str(liveimport.status(user_ns))`). */
  text: string;
  /** The same status as graph data, or null (a kernel side that sends none). */
  graph: IGraphData | null;
}

/** What the status bar and the status dialog read of one kernel. */
export interface IKernelStatusSource {
  /** Emitted when {@link status} changes. */
  readonly changed: ISignal<unknown, void>;
  /** The status to show. */
  readonly status: IKernelStatus;
  /**
   * The kernel's `%liveimport` text and graph.
   *
   * @throws Error when LiveImport is not connected in the kernel, or the
   *   kernel does not answer within `timeoutMs`.
   */
  statusDetails(timeoutMs?: number): Promise<IStatusDetails>;
}

/**
 * The session a kernel runs for, as the kernel derives its drive root from
 * it: the contents path of a notebook (a file), or a console's session path
 * (`console: true`: no file, only its directory counts).
 */
export interface ISessionPath {
  path: string;
  console: boolean;
}

/**
 * What a kernel object asks of the page around it: the notebooks and
 * consoles using the kernel (one kernel object serves them all).
 */
export interface IKernelHost {
  /** The current extension settings. */
  settings(): ILiveImportSettings;
  /**
   * The session path the kernel derives the drive root from: a notebook's
   * using the kernel if there is one, else a console's.
   */
  sessionPath(): ISessionPath;
  /** The kernel's name as the user knows it (for notices). */
  kernelLabel(): string;
  /**
   * Whether LiveImport should be loaded as soon as the kernel is idle after
   * starting (a notebook using it holds a LiveImport cell). Resolves false
   * when in doubt: kernels of other notebooks, and of consoles, pay nothing.
   */
  wantsPreload(): Promise<boolean>;
}

/** What a widget that runs code on a kernel is: a notebook or a console. */
export type SessionKind = 'notebook' | 'console';

/** Opens a contents path in the editor, at a 1-based line when given. */
export type OpenFile = (path: string, line: number | null) => void;
