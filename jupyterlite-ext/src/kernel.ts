/**
 * One kernel connection as LiveImport sees it: whether LiveImport is loaded
 * in the kernel (the bootstrap), the `liveimport` comm, the last status, the
 * notebook runs in flight and the file changes the kernel has to hear of.
 */
import { Kernel, KernelMessage } from '@jupyterlab/services';
import { PromiseDelegate, UUID } from '@lumino/coreutils';
import { ISignal, Signal } from '@lumino/signaling';

import { ChangeBuffer, IFileChange } from './changes';
import { InFlight } from './inflight';
import { notifyFailed, notifyMissing } from './notices';
import {
  bootstrapCode,
  bootstrapOutcome,
  COMM_TARGET,
  IFailure,
  IFileEventsMessage,
  IFilesChangedMessage,
  ILiveImportSettings,
  IRunMessage,
  IStatusMessage,
  IStatusTextMessage,
  KernelKind,
  kernelKind,
  parseFailures,
  settingsMessage
} from './protocol';

/**
 * At most this many changed paths are kept for a kernel whose comm is not
 * open; beyond, the kernel is told the list is incomplete (it polls once).
 */
export const MAX_BUFFERED_PATHS = 1000;

/**
 * Where LiveImport stands in one kernel: not loaded (`absent`), the
 * bootstrap request in flight (`loading`), `loaded`, or `missing` (the
 * kernel's environment has no LiveImport: its cells run as plain code; the
 * next LiveImport cell tries again, without a second notice).
 */
export type BootstrapState = 'absent' | 'loading' | 'loaded' | 'missing';

/** What a {@link LiveImportKernel} asks of the page around it. */
export interface IKernelHost {
  /** The current extension settings. */
  settings(): ILiveImportSettings;
  /**
   * The contents path of the notebook using the kernel (the kernel derives
   * the drive root from it).
   */
  notebookPath(): string;
  /** The kernel's name as the user knows it (for notices). */
  kernelLabel(): string;
  /**
   * Whether LiveImport should be loaded as soon as the kernel is idle after
   * starting (the notebook holds a LiveImport cell). Resolves false when
   * in doubt: kernels of other notebooks pay nothing.
   */
  wantsPreload(): Promise<boolean>;
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
 * target at once (the kernel opens the comm during the bootstrap). Loads
 * LiveImport when the kernel is idle after starting or restarting (or when
 * this page connects to a running kernel) if the notebook wants it, and
 * before a LiveImport cell otherwise ({@link ensureLoaded}).
 */
export class LiveImportKernel {
  /**
   * @param kernel the kernel connection (owned by its session; this object
   *   follows its restarts and disposal).
   * @param host what the page around the kernel provides.
   */
  constructor(
    readonly kernel: Kernel.IKernelConnection,
    private readonly host: IKernelHost
  ) {
    kernel.registerCommTarget(COMM_TARGET, this._onOpen);
    kernel.statusChanged.connect(this.onKernelStatus, this);
    kernel.anyMessage.connect(this.onAnyMessage, this);
    kernel.disposed.connect(() => this.dispose());
    kernel.info.then(
      info => {
        this._kind = kernelKind(info);
      },
      () => undefined
    );
    if (kernel.status === 'idle') {
      // Connected to a running kernel (e.g. this page was reloaded).
      this._awaitingIdle = false;
      void this.preload();
    }
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

  /** The kernel's kind, once its `kernel_info_reply` arrived. */
  get kind(): KernelKind {
    return this._kind;
  }

  /**
   * Make sure LiveImport is loaded before the next execute request runs.
   *
   * Sends the bootstrap execute request (silent, no history) unless it was
   * already sent for this kernel or the comm is open. Must be called
   * synchronously before the cell's own execute request is sent: the kernel
   * handles requests one at a time, in order, so the cell then runs after it
   * (also when a preload is still under way: the cell waits for it).
   */
  ensureLoaded(): void {
    if (this._state === 'loading' || this._state === 'loaded' || this._comm) {
      return;
    }
    this._state = 'loading';
    this._bootstrapped = new PromiseDelegate<void>();
    const token = UUID.uuid4();
    const future = this.kernel.requestExecute(
      {
        code: bootstrapCode(this.host.settings(), {
          kind: this._kind,
          run: this._runOpen,
          // Only kernels that ignore store_history=False keep it in their
          // history; the kernel side checks for the token anyway.
          token: this._kind === 'other' ? undefined : token
        }),
        silent: true,
        store_history: false,
        allow_stdin: false,
        stop_on_error: false
      },
      true
    );
    const done = this._bootstrapped;
    const generation = this._generation;
    let stdout = '';
    future.onIOPub = msg => {
      if (msg.header.msg_type === 'stream') {
        stdout += (msg.content as KernelMessage.IStreamMsg['content']).text;
      }
    };
    future.done.then(
      reply => {
        if (generation === this._generation) {
          this.ended(bootstrapOutcome(reply.content, stdout));
        }
        done.resolve();
      },
      (reason: unknown) => {
        if (generation === this._generation) {
          this.ended({ kind: 'failed', reason: String(reason) });
        }
        done.resolve();
      }
    );
  }

  /** Send the current settings to the kernel (no-op without a comm). */
  sendSettings(): void {
    this.send(settingsMessage(this.host.settings()));
  }

  /**
   * A notebook cell is about to be sent to this kernel (JupyterLab's
   * `NotebookActions.executionScheduled`, emitted just before the execute
   * request goes out). Opens a run unless one is open: the kernel syncs
   * before a run's first cell only. A run lasts until every execute request
   * sent on this connection has its reply (or was dropped after a failed
   * one, see {@link InFlight}), so cells queued while others run
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
    const request = { type: 'status_text_request', request_id: id };
    comm.send(request);
    this._inFlight.messageSent(request);
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
      notebook_path: this.host.notebookPath(),
      ...this._buffered.take()
    });
    this._helloSent = true;
    this.onData(msg.content.data);
  }

  private send<T extends object>(message: T): void {
    const comm = this._comm;
    if (!comm) {
      return;
    }
    try {
      comm.send(message as any);
    } catch (reason) {
      console.warn('LiveImport: cannot send to the kernel', reason);
      return;
    }
    this._inFlight.messageSent(message);
  }

  /**
   * Count this connection's execute requests until their replies arrive;
   * after a failed one, send again what JupyterLite may have dropped
   * (see {@link InFlight}).
   */
  private onAnyMessage(_: Kernel.IKernelConnection, args: Kernel.IAnyMessageArgs): void {
    const { msg, direction } = args;
    if (direction === 'send' && msg.header.msg_type === 'execute_request') {
      this._inFlight.requestSent(msg.header.msg_id);
    } else if (direction === 'recv' && msg.header.msg_type === 'execute_reply') {
      const parent = (msg.parent_header as Partial<KernelMessage.IHeader>).msg_id;
      if (parent === undefined) {
        return;
      }
      const failed = (msg.content as { status?: string }).status === 'error';
      const { known, resend } = this._inFlight.replied(parent, failed);
      for (const message of resend) {
        this.send(message);
      }
      if (known) {
        this.maybeEndRun();
      }
    }
  }

  private maybeEndRun(): void {
    if (this._runOpen && this._inFlight.size === 0) {
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
      this._awaitingIdle = true;
    } else if (status === 'idle' && this._awaitingIdle) {
      this._awaitingIdle = false;
      void this.preload();
    }
  }

  /** The bootstrap request ended. */
  private ended(outcome: ReturnType<typeof bootstrapOutcome>): void {
    if (outcome.kind === 'loaded') {
      // The comm may have opened already (then the state is 'loaded' too).
      this._state = 'loaded';
      return;
    }
    if (outcome.kind === 'missing') {
      this._state = 'missing';
      if (!this._missingNoticeShown) {
        this._missingNoticeShown = true;
        notifyMissing(this.host.kernelLabel());
      }
    } else {
      // Retry on the next LiveImport cell: the failure may be transient.
      this._state = 'absent';
      if (!this._failureNoticeShown) {
        this._failureNoticeShown = true;
        notifyFailed(outcome.reason);
      }
    }
    this._changed.emit();
  }

  /**
   * The kernel is idle after starting (or this page connected to it): load
   * LiveImport now if the notebook wants it, so that its first LiveImport
   * cell costs what a plain cell does.
   */
  private async preload(): Promise<void> {
    if (this._state !== 'absent' || this._comm || this._disposed) {
      return;
    }
    let wanted = false;
    try {
      wanted = await this.host.wantsPreload();
      if (this._kind === 'unknown') {
        this._kind = kernelKind(await this.kernel.info);
      }
    } catch {
      return;
    }
    // A cell may have loaded it meanwhile.
    if (wanted && this._state === 'absent' && !this._comm && !this._disposed) {
      this.ensureLoaded();
    }
  }

  private reset(): void {
    // A restarted kernel forgets everything: so do we (changes made before
    // it imports LiveImport again do not matter: it reads files then).
    this._comm = null;
    this._helloSent = false;
    this._buffered.clear();
    this._inFlight.clear();
    this._runOpen = false;
    this._state = 'absent';
    this._generation++;
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
  private _kind: KernelKind = 'unknown';
  /** Preload when the kernel is next idle (set at start and restarts). */
  private _awaitingIdle = true;
  /** Counts restarts: a reply from before one is stale. */
  private _generation = 0;
  private _missingNoticeShown = false;
  private _failureNoticeShown = false;
  private _status: IKernelStatus = { ...EMPTY_STATUS };
  private _helloSent = false;
  private _buffered = new ChangeBuffer(MAX_BUFFERED_PATHS);
  private _inFlight = new InFlight();
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
