/**
 * One kernel as LiveImport sees it, through one connection of this page to
 * it (the notebooks and consoles on that kernel share the object): the parts
 * that follow it, each in its own module, put together, and the status the
 * page shows.
 *
 * - `bootstrap.ts`: whether LiveImport is loaded, and loading it;
 * - `comm.ts`: the `liveimport` comm target and comm;
 * - `runs.ts` (with `inflight.ts`): notebook runs and the execute requests
 *   in flight, on every connection of the page to the kernel;
 * - `changes.ts`: the file changes kept until the comm opens;
 * - `statusrequests.ts`: the `%liveimport` text asked of the kernel;
 * - `restart.ts`: restarts, and the kernel being idle after one.
 */
import type { Kernel } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';

import { Bootstrap } from './bootstrap.js';
import { ChangeBuffer } from './changes.js';
import { LiveImportComm } from './comm.js';
import {
  KernelToFrontendMessage,
  settingsMessage,
  StatusMessage
} from './protocol.js';
import { RestartWatcher } from './restart.js';
import { NotebookRuns } from './runs.js';
import { STATUS_TIMEOUT_MS, StatusRequests } from './statusrequests.js';
import type {
  BootstrapState,
  IFileChange,
  IKernelHost,
  IKernelStatus,
  IKernelStatusSource,
  IStatusDetails,
  KernelKind
} from './tokens.js';

/**
 * At most this many changed paths are kept for a kernel whose comm is not
 * open; beyond, the kernel is told the list is incomplete (it polls once).
 */
export const MAX_BUFFERED_PATHS = 1000;

const EMPTY_STATUS: IKernelStatus = {
  connected: false,
  modules: 0,
  lastReload: null,
  reloads: 0,
  fileEvents: false,
  failures: [],
  stale: []
};

/** The status to show, from the kernel's `status` message. */
function kernelStatus(message: StatusMessage): IKernelStatus {
  return {
    connected: true,
    modules: message.modules,
    lastReload:
      message.last_reload !== null ? message.last_reload * 1000 : null,
    reloads: message.reloads,
    fileEvents: message.file_events,
    failures: message.failures,
    stale: message.stale
  };
}

/**
 * LiveImport's view of one kernel connection.
 *
 * Created for one connection of this page to the kernel (the one that
 * handles comms), and shared by every notebook and console of the page on
 * that kernel; registers the comm target at once (the kernel opens the comm during the bootstrap). Loads
 * LiveImport when the kernel is idle after starting or restarting (or when
 * this page connects to a running kernel) if the notebook wants it, and
 * before a LiveImport cell otherwise ({@link ensureLoaded}).
 */
export class LiveImportKernel implements IKernelStatusSource {
  /**
   * @param kernel the kernel connection (owned by its session; this object
   *   follows its restarts and is disposed with it).
   * @param host what the page around the kernel provides.
   */
  constructor(
    readonly kernel: Kernel.IKernelConnection,
    private readonly host: IKernelHost
  ) {
    this._comm = new LiveImportComm(kernel, {
      opened: () => this.onCommOpened(),
      message: message => this.onMessage(message),
      closed: () => {
        this._bootstrap.commClosed();
        this._changed.emit();
      },
      sent: message => this._runs.messageSent(message)
    });
    this._restart = new RestartWatcher(kernel, {
      restarted: () => this.reset(),
      idle: () => void this._bootstrap.preload()
    });
    this._runs = new NotebookRuns(message => this._comm.post(message));
    this._runs.watch(kernel);
    kernel.disposed.connect(() => this.dispose());
    this._bootstrap = new Bootstrap(kernel, {
      settings: () => host.settings(),
      runOpen: () => this._runs.open,
      commOpen: () => this._comm.isOpen,
      wantsPreload: () => host.wantsPreload(),
      kernelLabel: () => host.kernelLabel(),
      changed: () => this._changed.emit()
    });
    this._restart.start();
  }

  /** Emitted when the status (connection, counts, last reload) changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The status to show. */
  get status(): IKernelStatus {
    return { ...this._status, connected: this._comm.isOpen };
  }

  /** Whether a notebook run is in flight (see {@link runScheduled}). */
  get runOpen(): boolean {
    return this._runs.open;
  }

  /** Whether LiveImport is (being) loaded in the kernel. */
  get state(): BootstrapState {
    return this._bootstrap.state;
  }

  /** Resolves when the bootstrap request ended (at once when none ran). */
  get bootstrapped(): Promise<void> {
    return this._bootstrap.bootstrapped;
  }

  /** The kernel's kind, once its `kernel_info_reply` arrived. */
  get kind(): KernelKind {
    return this._bootstrap.kind;
  }

  /** Whether {@link dispose} was called. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * See `Bootstrap.ensureLoaded`; call after {@link runScheduled}.
   *
   * @param via the connection about to send the cell (a console's may be
   *   another connection to the same kernel than {@link kernel}).
   */
  ensureLoaded(via: Kernel.IKernelConnection = this.kernel): void {
    this._bootstrap.ensureLoaded(via);
  }

  /**
   * Another connection of this page to the same kernel (a console's, or a
   * second notebook's): its execute requests count for runs and for what a
   * failing cell may drop (see `runs.ts`), until {@link unwatch}.
   */
  watch(connection: Kernel.IKernelConnection): void {
    this._runs.watch(connection);
  }

  /** Stop counting a connection's requests (its widget closed). */
  unwatch(connection: Kernel.IKernelConnection): void {
    if (connection !== this.kernel) {
      this._runs.unwatch(connection);
    }
  }

  /** Send the current settings to the kernel (no-op without a comm). */
  sendSettings(): void {
    this._comm.post(settingsMessage(this.host.settings()));
  }

  /**
   * A notebook cell is about to be sent to this kernel (see
   * `NotebookRuns.scheduled`). Call before {@link ensureLoaded}.
   */
  runScheduled(): void {
    this._runs.scheduled();
  }

  /**
   * Files changed in the page's contents (contents paths; `deleted`: those
   * gone). Sent to the kernel at once when the comm is open, kept until it
   * opens otherwise.
   */
  filesChanged(change: IFileChange): void {
    if (change.paths.length === 0) {
      return;
    }
    if (this._comm.ready) {
      this._comm.post({ type: 'files_changed', ...change });
      return;
    }
    this._buffered.add(change);
  }

  /**
   * The text `%liveimport` shows, from the kernel.
   *
   * @throws Error when LiveImport is not connected in this kernel, or the
   *   kernel does not answer within `timeoutMs`.
   */
  async statusText(timeoutMs = STATUS_TIMEOUT_MS): Promise<string> {
    return (await this.statusDetails(timeoutMs)).text;
  }

  /**
   * The `%liveimport` text and the same status as graph data (null from a
   * kernel side that sends none), from the kernel.
   *
   * @throws Error as {@link statusText}.
   */
  statusDetails(timeoutMs = STATUS_TIMEOUT_MS): Promise<IStatusDetails> {
    return this._requests.request(
      request => this._comm.send(request),
      timeoutMs
    );
  }

  /** Stop listening; the kernel connection is going away, or no longer used. */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this._restart.dispose();
    this._runs.dispose();
    this._comm.dispose();
    this._bootstrap.dispose();
    this.reset();
    Signal.clearData(this);
  }

  /** The comm opened: settings and the changes kept meanwhile go first. */
  private onCommOpened(): void {
    this._bootstrap.commOpened();
    // Settings chosen in the Settings Editor win over the kernel's defaults
    // (the bootstrap passed them already; a user's own import did not).
    this.sendSettings();
    // From now on every change goes to the kernel; these are the ones made
    // since this page connected to the kernel.
    const session = this.host.sessionPath();
    this._comm.post({
      type: 'file_events',
      notebook_path: session.path,
      ...(session.console ? { console: true } : {}),
      ...this._buffered.take()
    });
  }

  private onMessage(message: KernelToFrontendMessage): void {
    if (message.type === 'status') {
      this._status = kernelStatus(message);
      this._changed.emit();
    } else {
      this._requests.answer(message);
    }
  }

  /** A restarted kernel forgets everything: so does this object. */
  private reset(): void {
    // Changes made before the kernel imports LiveImport again do not
    // matter: it reads the files then.
    this._comm.reset();
    this._buffered.clear();
    this._runs.reset();
    this._bootstrap.reset();
    this._status = { ...EMPTY_STATUS };
    this._requests.rejectAll('The kernel restarted');
    this._changed.emit();
  }

  private readonly _comm: LiveImportComm;
  private readonly _restart: RestartWatcher;
  private readonly _runs: NotebookRuns;
  private readonly _bootstrap: Bootstrap;
  private readonly _requests = new StatusRequests();
  private readonly _buffered = new ChangeBuffer(MAX_BUFFERED_PATHS);
  private readonly _changed = new Signal<this, void>(this);
  private _status: IKernelStatus = { ...EMPTY_STATUS };
  private _disposed = false;
}
