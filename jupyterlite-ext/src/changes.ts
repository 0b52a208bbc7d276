/**
 * File changes as the kernel hears of them: the contents paths a change in
 * the page's contents touched, and which of them are gone.
 *
 * A path is gone after a deletion or as the old path of a rename (a folder
 * stands for everything under it). The kernel drops its cached file-system
 * nodes of gone paths and never stats them: in JupyterLite 0.8.6 a stat of a
 * path the kernel had seen before it was deleted is a request the page never
 * answers (see `driveguard.ts` and `liveimport._drive`).
 */
import type { Contents } from '@jupyterlab/services';

import type { IFileChange } from './tokens.js';

/** The paths a contents change touches, and those it removed. */
export function fileChange(change: Contents.IChangedArgs): IFileChange {
  const paths = new Set<string>();
  for (const model of [change.oldValue, change.newValue]) {
    if (model && typeof model.path === 'string') {
      paths.add(model.path);
    }
  }
  const deleted: string[] = [];
  const oldPath = change.oldValue?.path;
  const newPath = change.newValue?.path;
  if (
    (change.type === 'delete' || change.type === 'rename') &&
    typeof oldPath === 'string' &&
    oldPath !== newPath
  ) {
    deleted.push(oldPath);
  }
  return { paths: [...paths], deleted };
}

/**
 * A file change received from elsewhere (another tab's BroadcastChannel
 * message), or null when `data` is not one. Messages of older versions carry
 * `paths` only.
 */
export function parseFileChange(data: unknown): IFileChange | null {
  if (data === null || typeof data !== 'object' || !('paths' in data)) {
    return null;
  }
  const { paths } = data;
  const deleted = 'deleted' in data ? data.deleted : undefined;
  if (!Array.isArray(paths)) {
    return null;
  }
  const strings = (value: unknown): string[] =>
    Array.isArray(value)
      ? value.filter((p): p is string => typeof p === 'string')
      : [];
  return { paths: strings(paths), deleted: strings(deleted) };
}

/**
 * The changes made while a kernel cannot hear of them yet (its comm is not
 * open), in order: a path is gone when its last change removed it.
 */
export class ChangeBuffer {
  /** @param limit at most this many paths are kept; beyond, the buffer overflows. */
  constructor(readonly limit: number) {}

  /** Whether paths were dropped because of the limit. */
  get overflow(): boolean {
    return this._overflow;
  }

  /** Add a change. */
  add(change: IFileChange): void {
    const gone = new Set(change.deleted);
    for (const path of change.paths) {
      if (!this._paths.has(path) && this._paths.size >= this.limit) {
        this._overflow = true;
        continue;
      }
      this._paths.add(path);
      if (gone.has(path)) {
        this._deleted.add(path);
      } else {
        this._deleted.delete(path);
      }
    }
  }

  /** Everything buffered, then empty the buffer. */
  take(): IFileChange & { complete: boolean } {
    const taken = {
      paths: [...this._paths],
      deleted: [...this._deleted],
      complete: !this._overflow
    };
    this.clear();
    return taken;
  }

  /** Forget everything (a kernel restart). */
  clear(): void {
    this._paths.clear();
    this._deleted.clear();
    this._overflow = false;
  }

  private _paths = new Set<string>();
  private _deleted = new Set<string>();
  private _overflow = false;
}
