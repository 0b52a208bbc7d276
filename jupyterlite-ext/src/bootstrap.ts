/**
 * The bootstrap state machine of one kernel connection: whether LiveImport
 * is loaded in the kernel, and sending the bootstrap request
 * (`bootstraprequest.ts`) when it is needed:
 *
 *   absent --ensureLoaded--> loading --reply--> loaded | missing | absent
 *   (absent after a failure: the next LiveImport cell tries again)
 *   any --comm opens--> loaded;  loaded --comm closes--> absent
 *   any --kernel restarts--> absent (a reply from before is ignored)
 *
 * The request goes out when the kernel is idle after starting if the
 * notebook holds a LiveImport cell (the preload), else just before the
 * first LiveImport cell.
 */
import { KernelMessage } from '@jupyterlab/services';
import type { Kernel } from '@jupyterlab/services';
import { PromiseDelegate, UUID } from '@lumino/coreutils';

import {
  BootstrapOutcome,
  bootstrapCode,
  bootstrapOutcome
} from './bootstraprequest.js';
import { notifyFailed, notifyMissing } from './notices.js';
import { kernelKind } from './protocol.js';
import type {
  BootstrapState,
  ILiveImportSettings,
  KernelKind
} from './tokens.js';

/** What a {@link Bootstrap} asks of the kernel object around it. */
export interface IBootstrapHost {
  /** The current extension settings (sent with the request). */
  settings(): ILiveImportSettings;
  /** Whether a notebook run is open (the request then opens the kernel's run). */
  runOpen(): boolean;
  /** Whether the comm is open (LiveImport is loaded and connected). */
  commOpen(): boolean;
  /** Whether the notebook wants LiveImport loaded at once (see `IKernelHost`). */
  wantsPreload(): Promise<boolean>;
  /** The kernel's name as the user knows it (for notices). */
  kernelLabel(): string;
  /** The state changed in a way the status shows. */
  changed(): void;
}

/** An already resolved delegate. */
function resolved(): PromiseDelegate<void> {
  const d = new PromiseDelegate<void>();
  d.resolve();
  return d;
}

/** Whether LiveImport is loaded in one kernel, and loading it. */
export class Bootstrap {
  /**
   * @param kernel the kernel connection (its `kernel_info_reply` tells the
   *   kernel's kind).
   * @param host what the kernel object around this one provides.
   */
  constructor(
    private readonly kernel: Kernel.IKernelConnection,
    private readonly host: IBootstrapHost
  ) {
    kernel.info.then(
      info => {
        this._kind = kernelKind(info);
      },
      () => undefined
    );
  }

  /** Whether LiveImport is (being) loaded in the kernel. */
  get state(): BootstrapState {
    return this._state;
  }

  /** The kernel's kind, once its `kernel_info_reply` arrived. */
  get kind(): KernelKind {
    return this._kind;
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
   * synchronously before the cell's own execute request is sent, with the
   * connection that sends it (a console's may not be the one the comm
   * lives on): the kernel handles requests one at a time, in the order each
   * connection sent them, so the cell then runs after it (also when a
   * preload is still under way: the cell waits for it).
   *
   * @param via the connection to send the request on (default: the one
   *   this object follows).
   */
  ensureLoaded(via: Kernel.IKernelConnection = this.kernel): void {
    if (
      this._state === 'loading' ||
      this._state === 'loaded' ||
      this.host.commOpen()
    ) {
      return;
    }
    this._state = 'loading';
    this._bootstrapped = new PromiseDelegate<void>();
    const future = via.requestExecute(
      {
        code: bootstrapCode(this.host.settings(), {
          kind: this._kind,
          run: this.host.runOpen(),
          // Only kernels that ignore store_history=False keep it in their
          // history; the kernel side checks for the token anyway.
          token: this._kind === 'other' ? undefined : UUID.uuid4()
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
      if (KernelMessage.isStreamMsg(msg)) {
        stdout += msg.content.text;
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

  /**
   * The kernel is idle after starting (or this page connected to it): load
   * LiveImport now if the notebook wants it, so that its first LiveImport
   * cell costs what a plain cell does.
   */
  async preload(): Promise<void> {
    if (this._state !== 'absent' || this.host.commOpen() || this._disposed) {
      return;
    }
    let wanted: boolean;
    try {
      wanted = await this.host.wantsPreload();
      if (this._kind === 'unknown') {
        this._kind = kernelKind(await this.kernel.info);
      }
    } catch {
      return;
    }
    // A cell may have loaded it meanwhile.
    if (
      wanted &&
      this._state === 'absent' &&
      !this.host.commOpen() &&
      !this._disposed
    ) {
      this.ensureLoaded();
    }
  }

  /** The kernel opened the comm: LiveImport is loaded. */
  commOpened(): void {
    this._state = 'loaded';
  }

  /** The kernel closed the comm. */
  commClosed(): void {
    this._state = 'absent';
  }

  /** The kernel restarted: LiveImport is gone, a pending reply is stale. */
  reset(): void {
    this._state = 'absent';
    this._generation++;
    this._bootstrapped.resolve();
  }

  /** Stop: no preload starts after this. */
  dispose(): void {
    this._disposed = true;
  }

  /** The bootstrap request ended. */
  private ended(outcome: BootstrapOutcome): void {
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
    this.host.changed();
  }

  private _state: BootstrapState = 'absent';
  private _kind: KernelKind = 'unknown';
  /** Counts restarts: a reply from before one is stale. */
  private _generation = 0;
  private _missingNoticeShown = false;
  private _failureNoticeShown = false;
  private _bootstrapped = resolved();
  private _disposed = false;
}
