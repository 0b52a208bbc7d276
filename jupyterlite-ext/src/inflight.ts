/**
 * What a failing cell may take with it: the execute requests of one kernel
 * connection awaiting their replies, and the comm messages sent while they
 * were, which may have been dropped.
 *
 * JupyterLite's in-page kernel service (JupyterLite 0.8.6, package
 * `@jupyterlite/services`: the kernel client behind the page's mock kernel
 * websocket) hands a kernel one message at a time under a mutex, and when it
 * sends an execute reply whose status is `error` (or on an interrupt) it
 * cancels every message still waiting for the mutex: its take on ipykernel's
 * "abort the queue on error". Unlike ipykernel it drops comm messages as
 * well, and it sends no reply at all for the execute requests it dropped
 * after an error. So a comm message sent after a request that fails, while
 * that request is queued or running, never reaches the kernel, and no reply
 * ever settles the requests queued behind it. Every comm message of this
 * protocol may arrive twice (settings and file changes are idempotent, a
 * second `file_events` costs one full check, the second answer to a status
 * request is ignored), so whatever may have been dropped is sent again.
 */

/** A comm message (of type `M`) sent while execute requests were in flight. */
interface IQueued<M> {
  /** Its position among this connection's sends. */
  seq: number;
  message: M;
}

/**
 * Execute requests in flight to one kernel (on any of the page's connections
 * to it), and the comm messages queued behind them (of type `M`).
 */
export class InFlight<M> {
  /** Execute requests awaiting their reply. */
  get size(): number {
    return this._requests.size;
  }

  /** Whether this request (JupyterLab `msg_id`) awaits its reply. */
  has(msgId: string): boolean {
    return this._requests.has(msgId);
  }

  /** An execute request was sent (JupyterLab `msg_id`). */
  requestSent(msgId: string): void {
    this._requests.set(msgId, ++this._seq);
  }

  /**
   * A comm message was sent: keep it while a request ahead of it in the
   * kernel's queue may still fail.
   */
  messageSent(message: M): void {
    if (this._requests.size > 0) {
      this._queued.push({ seq: ++this._seq, message });
    }
  }

  /**
   * The reply to an execute request arrived.
   *
   * @param failed whether its status is `error` (the kernel client then
   *   dropped everything queued behind it).
   * @returns whether the request was one of this connection's, and the comm
   *   messages to send again (oldest first): after a failure, every message
   *   not known to be handled (one handled already just comes twice). The
   *   requests sent after a failed one are forgotten: JupyterLite answers
   *   none of them (a kernel that does answers them harmlessly).
   */
  replied(msgId: string, failed: boolean): { known: boolean; resend: M[] } {
    const seq = this._requests.get(msgId);
    if (seq === undefined) {
      return { known: false, resend: [] };
    }
    this._requests.delete(msgId);
    if (failed) {
      for (const [id, s] of this._requests) {
        if (s > seq) {
          this._requests.delete(id);
        }
      }
      const resend = this._queued.map(q => q.message);
      this._queued = [];
      return { known: true, resend };
    }
    // A message has been handled once every request ahead of it replied.
    let oldest = Infinity;
    for (const s of this._requests.values()) {
      oldest = Math.min(oldest, s);
    }
    this._queued = this._queued.filter(q => q.seq > oldest);
    return { known: true, resend: [] };
  }

  /**
   * Forget a request whose reply will not be seen (its connection went
   * away); comm messages queued behind it only are kept until the requests
   * ahead of them reply, as usual.
   */
  forget(msgId: string): void {
    this._requests.delete(msgId);
  }

  /** Forget everything (the kernel restarted). */
  clear(): void {
    this._requests.clear();
    this._queued = [];
  }

  private _seq = 0;
  private _requests = new Map<string, number>();
  private _queued: IQueued<M>[] = [];
}
