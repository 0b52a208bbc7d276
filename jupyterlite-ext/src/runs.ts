/**
 * Notebook runs: the cells sent to a kernel together (Run All, or
 * Shift+Enter pressed again while cells run), from the first execute
 * request until every one has its reply. The kernel hears `run_start` and
 * `run_end` and syncs before a run's first cell only.
 *
 * Counts the execute requests of every connection this page has to the
 * kernel (the notebook's, and those of the consoles sharing its kernel),
 * which also tells which comm messages a failing cell may have taken with it
 * (see `inflight.ts`: JupyterLite's kernel client drops what waits behind a
 * failing request of any connection): those are sent again. A console's
 * cell sent while a run is open is waited for too: it extends the run (the
 * kernel runs it between the run's cells, without a sync), it never ends or
 * splits it.
 */
import { KernelMessage } from '@jupyterlab/services';
import type { Kernel } from '@jupyterlab/services';

import { InFlight } from './inflight.js';
import { FrontendMessage, parentMsgId } from './protocol.js';

/** The notebook runs of one kernel. */
export class NotebookRuns {
  /**
   * @param post sends a message to the kernel when the comm is open (and
   *   reports it back through {@link messageSent}).
   */
  constructor(private readonly post: (message: FrontendMessage) => void) {}

  /**
   * Count the execute requests of this connection to the kernel (until
   * {@link unwatch}); watching one twice counts it once.
   */
  watch(kernel: Kernel.IKernelConnection): void {
    if (!this._watched.has(kernel)) {
      this._watched.add(kernel);
      kernel.anyMessage.connect(this.onAnyMessage, this);
    }
  }

  /**
   * Stop counting this connection's requests (its widget closed or changed
   * kernel). Requests of it still in flight are forgotten: no reply to them
   * will be seen.
   */
  unwatch(kernel: Kernel.IKernelConnection): void {
    if (this._watched.delete(kernel)) {
      kernel.anyMessage.disconnect(this.onAnyMessage, this);
      for (const id of this._sentOn.get(kernel) ?? []) {
        this._inFlight.forget(id);
      }
      this._sentOn.delete(kernel);
      this.maybeEnd();
    }
  }

  /** Whether a run is open. */
  get open(): boolean {
    return this._open;
  }

  /**
   * A notebook cell is about to be sent to the kernel (JupyterLab's
   * `NotebookActions.executionScheduled`, emitted just before the execute
   * request goes out). Opens a run unless one is open. A run lasts until
   * every execute request sent on this connection has its reply (or was
   * dropped after a failed one, see {@link InFlight}), so cells queued while
   * others run belong to it, as they would fall within the grace period.
   */
  scheduled(): void {
    if (!this._open) {
      this._open = true;
      this.post({ type: 'run_start' });
    }
    // An empty cell sends no request: then the run ends at once.
    queueMicrotask(() => this.maybeEnd());
  }

  /** A comm message was sent (it may have to be sent again, see {@link InFlight}). */
  messageSent(message: FrontendMessage): void {
    this._inFlight.messageSent(message);
  }

  /** Forget every request and the open run (the kernel restarted). */
  reset(): void {
    this._inFlight.clear();
    for (const sent of this._sentOn.values()) {
      sent.clear();
    }
    this._open = false;
  }

  /** Stop counting. */
  dispose(): void {
    for (const kernel of this._watched) {
      kernel.anyMessage.disconnect(this.onAnyMessage, this);
    }
    this._watched.clear();
    this._sentOn.clear();
  }

  /**
   * Count this connection's execute requests until their replies arrive;
   * after a failed one, send again what JupyterLite may have dropped.
   */
  private onAnyMessage(
    kernel: Kernel.IKernelConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    const { msg, direction } = args;
    if (direction === 'send' && msg.header.msg_type === 'execute_request') {
      this._inFlight.requestSent(msg.header.msg_id);
      let sent = this._sentOn.get(kernel);
      if (!sent) {
        sent = new Set();
        this._sentOn.set(kernel, sent);
      }
      sent.add(msg.header.msg_id);
    } else if (direction === 'recv' && KernelMessage.isExecuteReplyMsg(msg)) {
      const parent = parentMsgId(msg);
      if (parent === undefined) {
        return;
      }
      this._sentOn.get(kernel)?.delete(parent);
      const failed = msg.content.status === 'error';
      const { known, resend } = this._inFlight.replied(parent, failed);
      if (failed) {
        // The requests dropped behind it are no longer in flight.
        for (const sent of this._sentOn.values()) {
          for (const id of sent) {
            if (!this._inFlight.has(id)) {
              sent.delete(id);
            }
          }
        }
      }
      for (const message of resend) {
        this.post(message);
      }
      if (known) {
        this.maybeEnd();
      }
    }
  }

  private maybeEnd(): void {
    if (this._open && this._inFlight.size === 0) {
      this._open = false;
      this.post({ type: 'run_end' });
    }
  }

  private _open = false;
  private _inFlight = new InFlight<FrontendMessage>();
  private _watched = new Set<Kernel.IKernelConnection>();
  /** The requests in flight, by the connection that sent them. */
  private _sentOn = new Map<Kernel.IKernelConnection, Set<string>>();
}
