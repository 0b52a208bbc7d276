/**
 * A safety net for JupyterLite's drive: a kernel's request about a path that
 * no longer exists gets an answer instead of none.
 *
 * How the kernel reads the page's files in JupyterLite 0.8.6: the kernel's
 * `DriveFS` (`@jupyterlite/services`, `drivefs.ts`, `ServiceWorkerContentsAPI
 * .request`) sends a synchronous XHR to `api/drive`; the service worker
 * (`@jupyterlite/apputils`, `service-worker.ts`, `broadcastOne`) forwards it
 * on the BroadcastChannel `/sw-api.v1` and waits, with no time limit, for an
 * answer with the same `browsingContextId` and `requestId`; the page's
 * `ServiceWorkerManager._onDriveMessage` (`service-worker-manager.ts`) awaits
 * `DriveContentsProcessor.processDriveRequest` (`drivecontents.ts`) and posts
 * its result. `getattr`, `getmode` and `readdir` call `contents.get` without
 * catching, so for a path that is gone the promise rejects ("Path units.py
 * does not exist."), nothing is posted, and the kernel's request blocks for
 * good. The kernel asks `getattr` without a `lookup` first for any path it had
 * seen before the deletion (Emscripten keeps its node), which is what
 * `os.path.exists("units.py")` or LiveImport's check of a tracked file does.
 *
 * LiveImport's own fix is in the kernel (`liveimport._drive`: the page's
 * file-change events name the gone paths, the kernel drops its nodes, so the
 * drive's `lookup`, which does answer a missing path, gives ENOENT). This net
 * covers what events cannot: kernels where LiveImport is not loaded, and a
 * deletion made while a cell runs. A request of these methods that has no
 * answer after {@link ANSWER_AFTER_MS} and whose path the contents manager
 * does not have is answered here. No answer can make the kernel see ENOENT
 * (the service worker always replies with status 200 and the kernel turns
 * only status >= 400 into an error), so the answer is what the drive answers
 * for an empty file (`getattr`: size 0, times at the epoch; `readdir`: no
 * entries; `rename`, `rmdir`: done); opening the file then fails with
 * `FileNotFoundError`. The kernels are also told the path is gone, so that
 * LiveImport drops the stale node before the next cell.
 */
import { Contents } from '@jupyterlab/services';

/** The service worker's channel (`SERVICE_WORKER_BROADCAST_CHANNEL_ID` of `@jupyterlite/apputils`). */
export const SERVICE_WORKER_CHANNEL = '/sw-api.v1';

/** A drive request unanswered this long (ms) is examined. */
export const ANSWER_AFTER_MS = 500;

/** `FILE_MODE` of `@jupyterlite/services` (a regular file, rw for all). */
const FILE_MODE = 33206;
const EPOCH = new Date(0).toISOString();

/** The drive methods whose page side fails on a missing path, and the answer given then. */
const ANSWERS: Record<string, unknown> = {
  getattr: {
    dev: 1,
    nlink: 1,
    uid: 0,
    gid: 0,
    rdev: 0,
    size: 0,
    blksize: 4096,
    blocks: 0,
    atime: EPOCH,
    mtime: EPOCH,
    ctime: EPOCH,
    timestamp: 0
  },
  getmode: FILE_MODE,
  readdir: [],
  rename: null,
  rmdir: null
};

/** A request as the service worker forwards it (`broadcastOne`). */
interface IForwarded {
  data?: { method?: unknown; path?: unknown };
  browsingContextId?: unknown;
  requestId?: unknown;
  pathname?: unknown;
  response?: unknown;
}

/**
 * Listens to the service worker's channel and answers the drive requests the
 * page leaves unanswered because their path is gone.
 */
export class DriveGuard {
  /**
   * @param contents this page's contents manager (the drive's storage is
   *   shared by the site's tabs).
   * @param onGone called with the contents path of each request answered.
   * @param delayMs how long a request may go unanswered before it is examined.
   */
  constructor(
    private readonly contents: Contents.IManager,
    private readonly onGone: (path: string) => void,
    private readonly delayMs = ANSWER_AFTER_MS
  ) {
    if (typeof BroadcastChannel !== 'undefined') {
      this._channel = new BroadcastChannel(SERVICE_WORKER_CHANNEL);
      this._channel.onmessage = (event: MessageEvent<unknown>) =>
        this.onMessage(event.data);
    }
  }

  /** How many requests this page answered. */
  get answered(): number {
    return this._answered;
  }

  /** Stop listening. */
  dispose(): void {
    this._channel?.close();
    this._channel = null;
    for (const timer of this._waiting.values()) {
      clearTimeout(timer);
    }
    this._waiting.clear();
  }

  private onMessage(data: unknown): void {
    if (!data || typeof data !== 'object') {
      return;
    }
    const message: IForwarded = data;
    const key = `${message.browsingContextId}/${message.requestId}`;
    if ('response' in message) {
      const timer = this._waiting.get(key);
      if (timer !== undefined) {
        clearTimeout(timer);
        this._waiting.delete(key);
      }
      return;
    }
    const method = message.data?.method;
    const path = message.data?.path;
    if (
      typeof method !== 'string' ||
      !(method in ANSWERS) ||
      typeof path !== 'string' ||
      typeof message.requestId !== 'string' ||
      !String(message.pathname ?? '').includes('/api/drive')
    ) {
      return;
    }
    this._waiting.set(
      key,
      setTimeout(
        () => void this.examine(key, message, method, path),
        this.delayMs
      )
    );
  }

  private async examine(
    key: string,
    message: IForwarded,
    method: string,
    path: string
  ): Promise<void> {
    try {
      await this.contents.get(path, { content: false });
      this._waiting.delete(key);
      return; // it exists: the page is only slow to answer
    } catch {
      // gone
    }
    if (!this._waiting.delete(key) || !this._channel) {
      return; // answered meanwhile
    }
    this._channel.postMessage({
      response: ANSWERS[method],
      browsingContextId: message.browsingContextId,
      requestId: message.requestId
    });
    this._answered += 1;
    console.warn(
      `LiveImport: the kernel asked JupyterLite's drive for ${method} of ${path}, which no ` +
        'longer exists, and the page gave no answer; answered as for an empty file so that the ' +
        'kernel does not wait forever.'
    );
    this.onGone(path.replace(/^\/+/, ''));
  }

  private _channel: BroadcastChannel | null = null;
  private _waiting = new Map<string, ReturnType<typeof setTimeout>>();
  private _answered = 0;
}
