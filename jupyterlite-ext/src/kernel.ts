/**
 * One kernel connection as LiveImport sees it: whether LiveImport is loaded
 * in the kernel (the bootstrap), the `liveimport` comm, the last status, the
 * notebook runs in flight and the file changes the kernel has to hear of.
 */
import { Notification } from '@jupyterlab/apputils';
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { PromiseDelegate, UUID } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { ChangeBuffer, IFileChange } from './changes';
import {
  bootstrapCode,
  COMM_TARGET,
  IFailure,
  IFileEventsMessage,
  IFilesChangedMessage,
  ILiveImportSettings,
  IRunMessage,
  IStatusMessage,
  IStatusTextMessage,
  parseFailures,
  settingsMessage
} from './protocol';

/**
 * At most this many changed paths are kept for a kernel whose comm is not
 * open; beyond, the kernel is told the list is incomplete (it polls once).
 */
export const MAX_BUFFERED_PATHS = 1000;

/** Where LiveImport stands in one kernel. */
export type BootstrapState = 'absent' | 'loading' | 'loaded' | 'failed';

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
}

const EMPTY_STATUS: IKernelStatus = {
  connected: false,
  modules: 0,
  lastReload: null,
  reloads: 0,
  fileEvents: false,
  failures: []
};

/**
 * LiveImport's view of one kernel connection.
 *
 * Created for every kernel connection of a notebook; registers the comm
 * target at once, so that the comm opens whichever way LiveImport got
 * imported (the bootstrap, or the user's own `import liveimport`).
 */
export class LiveImportKernel {
  /**
   * @param kernel the kernel connection (owned by its session; this object
   *   follows its restarts and disposal).
   * @param getSettings the current extension settings.
   * @param getNotebookPath the contents path of the notebook using the
   *   kernel (the kernel derives the drive root from it).
   */
  constructor(
    readonly kernel: Kernel.IKernelConnection,
    private readonly getSettings: () => ILiveImportSettings,
    private readonly getNotebookPath: () => string
  ) {
    kernel.registerCommTarget(COMM_TARGET, this._onOpen);
    kernel.statusChanged.connect(this.onKernelStatus, this);
    kernel.anyMessage.connect(this.onAnyMessage, this);
    kernel.disposed.connect(() => this.dispose());
  }

  /** Emitted when the status (connection, counts, last reload) changes. */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /** The status to show. */
  get status(): IKernelStatus {
    return { ...this._status, connected: this._comm !== null };
  }

  /** Whether a notebook run is in flight (see {@link runScheduled}). */
  get runOpen(): boolean {
    return this._runOpen;
  }

  /** Whether LiveImport is (being) loaded in the kernel. */
  get state(): BootstrapState {
    return this._state;
  }

  /** Resolves when the bootstrap request ended (at once when none ran). */
  get bootstrapped(): Promise<void> {
    return this._bootstrapped.promise;
  }

  /**
   * Make sure LiveImport is loaded before the next execute request runs.
   *
   * Sends the bootstrap execute request (silent, no history) unless it was
   * already sent for this kernel or the comm is open. Must be called
   * synchronously before the cell's own execute request is sent: the kernel
   * handles requests one at a time, in order, so the cell then runs after it.
   */
  ensureLoaded(): void {
    if (this._state === 'loading' || this._state === 'loaded' || this._comm) {
      return;
    }
    this._state = 'loading';
    this._bootstrapped = new PromiseDelegate<void>();
    const future = this.kernel.requestExecute(
      {
        code: bootstrapCode(this.getSettings(), this._runOpen),
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false
      },
      true
    );
    const done = this._bootstrapped;
    future.done.then(
      reply => {
        const content = reply.content;
        if (content.status === 'ok') {
          this._state = 'loaded';
        } else {
          this.fail(
            content.status === 'error' ? `${content.ename}: ${content.evalue}` : content.status
          );
        }
        done.resolve();
      },
      (reason: unknown) => {
        this.fail(String(reason));
        done.resolve();
      }
    );
  }

  /** Send the current settings to the kernel (no-op without a comm). */
  sendSettings(): void {
    this._comm?.send(settingsMessage(this.getSettings()) as any);
  }

  /**
   * A notebook cell is about to be sent to this kernel (JupyterLab's
   * `NotebookActions.executionScheduled`, emitted just before the execute
   * request goes out). Opens a run unless one is open: the kernel syncs
   * before a run's first cell only. A run lasts until every execute request
   * sent on this connection has its reply, so cells queued while others run
   * (Run All, or Shift+Enter pressed again) belong to it, as they would fall
   * within the grace period. Call before {@link ensureLoaded}.
   */
  runScheduled(): void {
    if (!this._runOpen) {
      this._runOpen = true;
      this.send<IRunMessage>({ type: 'run_start' });
    }
    // An empty cell sends no request: then the run ends at once.
    queueMicrotask(() => this.maybeEndRun());
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
    if (this._comm && this._helloSent) {
      this.send<IFilesChangedMessage>({ type: 'files_changed', ...change });
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
  async statusText(timeoutMs = 10000): Promise<string> {
    return (await this.statusDetails(timeoutMs)).text;
  }

  /**
   * The `%liveimport` text and the same status as graph data (null from a
   * kernel side that sends none), from the kernel.
   *
   * @throws Error as {@link statusText}.
   */
  async statusDetails(timeoutMs = 10000): Promise<{ text: string; graph: unknown }> {
    const comm = this._comm;
    if (!comm) {
      throw new Error('LiveImport is not loaded in this kernel');
    }
    const id = UUID.uuid4();
    const answer = new PromiseDelegate<{ text: string; graph: unknown }>();
    this._pending.set(id, answer);
    comm.send({ type: 'status_text_request', request_id: id });
    const timer = setTimeout(
      () => answer.reject(new Error('The kernel did not answer (is a cell running?)')),
      timeoutMs
    );
    try {
      return await answer.promise;
    } finally {
      clearTimeout(timer);
      this._pending.delete(id);
    }
  }

  /** Stop listening; the kernel connection is going away. */
  dispose(): void {
    if (this._disposed) {
      return;
    }
    this._disposed = true;
    this.kernel.statusChanged.disconnect(this.onKernelStatus, this);
    this.kernel.anyMessage.disconnect(this.onAnyMessage, this);
    try {
      this.kernel.removeCommTarget(COMM_TARGET, this._onOpen);
    } catch {
      // the kernel connection may already be disposed
    }
    this.reset();
    Signal.clearData(this);
  }

  private onCommOpen(comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg): void {
    this._comm?.dispose();
    this._comm = comm;
    this._state = 'loaded';
    comm.onMsg = m => this.onCommMsg(m);
    comm.onClose = () => {
      if (this._comm === comm) {
        this._comm = null;
        this._helloSent = false;
        this._state = 'absent';
        this._changed.emit();
      }
    };
    // Settings chosen in the Settings Editor win over the kernel's defaults
    // (the bootstrap passed them already; a user's own import did not).
    this.sendSettings();
    // From now on every change goes to the kernel; these are the ones made
    // since this page connected to the kernel.
    this.send<IFileEventsMessage>({
      type: 'file_events',
      notebook_path: this.getNotebookPath(),
      ...this._buffered.take()
    });
    this._helloSent = true;
    this.onData(msg.content.data);
  }

  private send<T extends object>(message: T): void {
    try {
      this._comm?.send(message as any);
    } catch (reason) {
      console.warn('LiveImport: cannot send to the kernel', reason);
    }
  }

  /** Count this connection's execute requests until their replies arrive. */
  private onAnyMessage(_: Kernel.IKernelConnection, args: Kernel.IAnyMessageArgs): void {
    const { msg, direction } = args;
    if (direction === 'send' && msg.header.msg_type === 'execute_request') {
      this._executing.add(msg.header.msg_id);
    } else if (direction === 'recv' && msg.header.msg_type === 'execute_reply') {
      const parent = (msg.parent_header as Partial<KernelMessage.IHeader>).msg_id;
      if (parent !== undefined && this._executing.delete(parent)) {
        this.maybeEndRun();
      }
    }
  }

  private maybeEndRun(): void {
    if (this._runOpen && this._executing.size === 0) {
      this._runOpen = false;
      this.send<IRunMessage>({ type: 'run_end' });
    }
  }

  private onCommMsg(msg: KernelMessage.ICommMsgMsg): void {
    this.onData(msg.content.data);
  }

  private onData(data: unknown): void {
    const message = data as Partial<IStatusMessage | IStatusTextMessage> | undefined;
    if (!message || typeof message !== 'object') {
      return;
    }
    if (message.type === 'status') {
      const s = message as IStatusMessage;
      this._status = {
        connected: true,
        modules: s.modules ?? 0,
        lastReload: typeof s.last_reload === 'number' ? s.last_reload * 1000 : null,
        reloads: s.reloads ?? 0,
        fileEvents: s.file_events === true,
        failures: parseFailures(s.failures)
      };
      this._changed.emit();
    } else if (message.type === 'status_text') {
      const t = message as IStatusTextMessage;
      this._pending.get(t.request_id)?.resolve({ text: t.text, graph: t.graph ?? null });
    }
  }

  private onKernelStatus(_: Kernel.IKernelConnection, status: KernelMessage.Status): void {
    if (status === 'restarting' || status === 'autorestarting' || status === 'dead') {
      this.reset();
    }
  }

  private fail(reason: string): void {
    // Retry on the next LiveImport cell: the failure may be transient.
    this._state = 'absent';
    Notification.error(`LiveImport could not be loaded in the kernel: ${reason}`, {
      autoClose: 10000
    });
  }

  private reset(): void {
    // A restarted kernel forgets everything: so do we (changes made before
    // it imports LiveImport again do not matter: it reads files then).
    this._comm = null;
    this._helloSent = false;
    this._buffered.clear();
    this._executing.clear();
    this._runOpen = false;
    this._state = 'absent';
    this._status = { ...EMPTY_STATUS };
    for (const pending of this._pending.values()) {
      pending.reject(new Error('The kernel restarted'));
    }
    this._pending.clear();
    this._bootstrapped.resolve();
    this._changed.emit();
  }

  private _onOpen = (comm: Kernel.IComm, msg: KernelMessage.ICommOpenMsg): void =>
    this.onCommOpen(comm, msg);
  private _comm: Kernel.IComm | null = null;
  private _state: BootstrapState = 'absent';
  private _status: IKernelStatus = { ...EMPTY_STATUS };
  private _helloSent = false;
  private _buffered = new ChangeBuffer(MAX_BUFFERED_PATHS);
  private _executing = new Set<string>();
  private _runOpen = false;
  private _pending = new Map<string, PromiseDelegate<{ text: string; graph: unknown }>>();
  private _bootstrapped = Private.resolved();
  private _changed = new Signal<this, void>(this);
  private _disposed = false;
}

namespace Private {
  /** An already resolved delegate. */
  export function resolved(): PromiseDelegate<void> {
    const d = new PromiseDelegate<void>();
    d.resolve();
    return d;
  }
}
