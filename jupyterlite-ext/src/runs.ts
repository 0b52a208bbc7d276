/**
 * Notebook runs: the cells sent to a kernel together (Run All, or
 * Shift+Enter pressed again while cells run), from the first execute
 * request until every one has its reply. The kernel hears `run_start` and
 * `run_end` and syncs before a run's first cell only.
 *
 * Counts the execute requests of one kernel connection, which also tells
 * which comm messages a failing cell may have taken with it (see
 * `inflight.ts`): those are sent again.
 */
import { KernelMessage } from '@jupyterlab/services';
import type { Kernel } from '@jupyterlab/services';

import { InFlight } from './inflight.js';
import { FrontendMessage, parentMsgId } from './protocol.js';

/** The notebook runs of one kernel connection. */
export class NotebookRuns {
  /**
   * @param kernel the kernel connection whose execute requests are counted.
   * @param post sends a message to the kernel when the comm is open (and
   *   reports it back through {@link messageSent}).
   */
  constructor(
    private readonly kernel: Kernel.IKernelConnection,
    private readonly post: (message: FrontendMessage) => void
  ) {
    kernel.anyMessage.connect(this.onAnyMessage, this);
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
    this._open = false;
  }

  /** Stop counting. */
  dispose(): void {
    this.kernel.anyMessage.disconnect(this.onAnyMessage, this);
  }

  /**
   * Count this connection's execute requests until their replies arrive;
   * after a failed one, send again what JupyterLite may have dropped.
   */
  private onAnyMessage(
    _: Kernel.IKernelConnection,
    args: Kernel.IAnyMessageArgs
  ): void {
    const { msg, direction } = args;
    if (direction === 'send' && msg.header.msg_type === 'execute_request') {
      this._inFlight.requestSent(msg.header.msg_id);
    } else if (direction === 'recv' && KernelMessage.isExecuteReplyMsg(msg)) {
      const parent = parentMsgId(msg);
      if (parent === undefined) {
        return;
      }
      const failed = msg.content.status === 'error';
      const { known, resend } = this._inFlight.replied(parent, failed);
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
}
