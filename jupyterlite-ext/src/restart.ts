/**
 * Restart handling: a kernel that restarts (or dies) forgets LiveImport, so
 * the page forgets what it knew of it; once the kernel is idle after
 * starting or restarting, LiveImport may be loaded again (the preload).
 */
import type { Kernel, KernelMessage } from '@jupyterlab/services';

/** What a {@link RestartWatcher} calls. */
export interface IRestartHandlers {
  /** The kernel is restarting, or died: forget everything it knew. */
  restarted(): void;
  /**
   * The kernel is idle after starting or restarting, or was idle already
   * when this page connected to it (see {@link RestartWatcher.start}).
   */
  idle(): void;
}

/** Follows one kernel connection's status for its restarts. */
export class RestartWatcher {
  /**
   * @param kernel the kernel connection to follow.
   * @param handlers called on restarts and once idle after each start.
   */
  constructor(
    private readonly kernel: Kernel.IKernelConnection,
    private readonly handlers: IRestartHandlers
  ) {
    kernel.statusChanged.connect(this.onStatus, this);
  }

  /** Whether {@link dispose} was called. */
  get isDisposed(): boolean {
    return this._disposed;
  }

  /**
   * Call once the handlers can run: a kernel that is idle already (this
   * page connected to a running kernel, e.g. after a reload) is idle now.
   */
  start(): void {
    if (this.kernel.status === 'idle') {
      this._awaitingIdle = false;
      this.handlers.idle();
    }
  }

  /** Stop following the kernel. */
  dispose(): void {
    if (!this._disposed) {
      this._disposed = true;
      this.kernel.statusChanged.disconnect(this.onStatus, this);
    }
  }

  private onStatus(
    _: Kernel.IKernelConnection,
    status: KernelMessage.Status
  ): void {
    if (
      status === 'restarting' ||
      status === 'autorestarting' ||
      status === 'dead'
    ) {
      this.handlers.restarted();
      this._awaitingIdle = true;
    } else if (status === 'idle' && this._awaitingIdle) {
      this._awaitingIdle = false;
      this.handlers.idle();
    }
  }

  /** Call `idle` when the kernel is next idle (set at start and restarts). */
  private _awaitingIdle = true;
  private _disposed = false;
}
