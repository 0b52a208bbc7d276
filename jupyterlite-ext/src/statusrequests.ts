/**
 * Status requests: the page asks the kernel for what `%liveimport` shows
 * (`status_text_request`) and the kernel answers on the comm
 * (`status_text`), matched by request id; a request the kernel does not
 * answer in time (a cell is running) fails, as do those pending when the
 * kernel restarts.
 */
import { PromiseDelegate, UUID } from '@lumino/coreutils';

import type { StatusTextMessage, StatusTextRequest } from './protocol.js';
import type { IStatusDetails } from './tokens.js';

/** How long (ms) a status request waits for its answer by default. */
export const STATUS_TIMEOUT_MS = 10000;

/** The status requests of one kernel connection awaiting their answers. */
export class StatusRequests {
  /**
   * Ask the kernel for its status.
   *
   * @param send sends the request to the kernel; may throw (no comm).
   * @param timeoutMs how long to wait for the answer.
   * @throws Error from `send`, when the kernel does not answer within
   *   `timeoutMs`, or restarts first.
   */
  async request(
    send: (request: StatusTextRequest) => void,
    timeoutMs = STATUS_TIMEOUT_MS
  ): Promise<IStatusDetails> {
    const id = UUID.uuid4();
    const answer = new PromiseDelegate<IStatusDetails>();
    this._pending.set(id, answer);
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      send({ type: 'status_text_request', request_id: id });
      timer = setTimeout(
        () =>
          answer.reject(
            new Error('The kernel did not answer (is a cell running?)')
          ),
        timeoutMs
      );
      return await answer.promise;
    } finally {
      clearTimeout(timer);
      this._pending.delete(id);
    }
  }

  /** The kernel answered (an answer to no pending request is ignored). */
  answer(message: StatusTextMessage): void {
    this._pending
      .get(message.request_id)
      ?.resolve({ text: message.text, graph: message.graph });
  }

  /** Fail every pending request with `reason`. */
  rejectAll(reason: string): void {
    for (const pending of this._pending.values()) {
      pending.reject(new Error(reason));
    }
    this._pending.clear();
  }

  private _pending = new Map<string, PromiseDelegate<IStatusDetails>>();
}
