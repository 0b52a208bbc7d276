/**
 * The manager: one {@link LiveImportKernel} for each kernel the page's
 * notebooks and consoles use, the settings they all use, and the page
 * events they hear of (cells about to run, file changes in this page and in
 * the other tabs of the site).
 *
 * A kernel's object is shared by every notebook and console of the page on
 * that kernel (a notebook and the console opened from it, Notebook 7's
 * scratchpad console): LiveImport's state lives in the kernel, once, so the
 * page keeps one comm to it. Each widget has its own connection to the
 * kernel (JupyterLab makes one per session context); the object follows the
 * one that handles comms (JupyterLab's first connection to a kernel; when no
 * widget's does, e.g. the notebook closed and its console stayed, a clone of
 * one that does) and counts the execute requests of all of them
 * (`runs.ts`). A widget's use of a kernel ends on `kernelChanged` (as
 * ipywidgets' `WidgetManager` follows it), when its connection is disposed,
 * and when it closes; the object goes with the kernel's last widget.
 */
import type { ISessionContext } from '@jupyterlab/apputils';
import type { ConsolePanel, IConsoleTracker } from '@jupyterlab/console';
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import type { Contents, Kernel } from '@jupyterlab/services';
import { ISignal, Signal } from '@lumino/signaling';
import type { Widget } from '@lumino/widgets';

import { needsLiveImport, notebookUsesLiveImport } from './cells.js';
import { fileChange, parseFileChange } from './changes.js';
import { onConsoleCellRun } from './consolecells.js';
import { LiveImportKernel } from './kernel.js';
import {
  DEFAULT_SETTINGS,
  IFileChange,
  ILiveImportSettings,
  ISessionPath,
  SessionKind
} from './tokens.js';

/** A widget that runs code on a kernel: a notebook or a console. */
interface IUser {
  kind: SessionKind;
  widget: Widget;
  sessionContext: ISessionContext;
  /** Whether it holds a LiveImport cell (false when in doubt). */
  wantsPreload(): Promise<boolean>;
}

/** One kernel the page uses, and its widgets. */
interface IKernelEntry {
  /** Null only while the entry is being set up. */
  li: LiveImportKernel | null;
  users: Set<IUser>;
  /** Our own clone of a connection, when no widget's handles comms. */
  own: Kernel.IKernelConnection | null;
  /** LiveImport was loaded in the kernel (and it did not restart since). */
  loaded: boolean;
}

/** Tracks the kernels of every notebook and console for LiveImport (see the module's comment). */
export class LiveImportManager {
  /**
   * @param notebooks the notebooks of the page (null: a page without them).
   * @param consoles the consoles of the page (null: a page without them).
   * @param contents the page's contents manager (every save, upload, rename
   *   and deletion in the page goes through it).
   * @param channelName the BroadcastChannel shared with the other tabs of
   *   the same site, which write the same browser storage.
   */
  constructor(
    notebooks: INotebookTracker | null,
    consoles: IConsoleTracker | null,
    contents: Contents.IManager,
    channelName: string
  ) {
    notebooks?.widgetAdded.connect((_, panel) => this.watchNotebook(panel));
    notebooks?.forEach(panel => this.watchNotebook(panel));
    consoles?.widgetAdded.connect((_, panel) => this.watchConsole(panel));
    consoles?.forEach(panel => this.watchConsole(panel));
    NotebookActions.executionScheduled.connect((_, { notebook, cell }) => {
      const panel = notebooks?.find(p => p.content === notebook) ?? null;
      const li = this.forWidget(panel);
      if (!panel || !li || cell.model.type !== 'code') {
        return;
      }
      li.runScheduled();
      this.cellAboutToRun(panel, cell.model.sharedModel.getSource());
    });
    contents.fileChanged.connect((_, args) => {
      const change = fileChange(args);
      this.filesChanged(change);
      this._channel?.postMessage(change);
    });
    if (typeof BroadcastChannel !== 'undefined') {
      this._channel = new BroadcastChannel(channelName);
      this._channel.onmessage = (event: MessageEvent) => {
        const change = parseFileChange(event.data);
        if (change) {
          this.filesChanged(change);
        }
      };
    }
  }

  /** The current settings. */
  get settings(): ILiveImportSettings {
    return this._settings;
  }

  /**
   * Emitted when a kernel's object was made anew (its connection changed,
   * e.g. the notebook that had it closed while its console stayed): what
   * shows a widget's status asks {@link forWidget} again.
   */
  get changed(): ISignal<this, void> {
    return this._changed;
  }

  /**
   * LiveImport's object for the kernel of a notebook or console panel (made
   * on first use), or null when the widget is neither or has no kernel.
   */
  forWidget(widget: Widget | null): LiveImportKernel | null {
    const user = widget ? this._users.get(widget) : undefined;
    const kernel = user?.sessionContext.session?.kernel;
    if (!user || !kernel) {
      return null;
    }
    return this.attach(user, kernel);
  }

  /** Tell every kernel of changed files (contents paths). */
  filesChanged(change: IFileChange): void {
    for (const { li } of this._kernels.values()) {
      li?.filesChanged(change);
    }
  }

  /** Apply new settings to every connected kernel. */
  updateSettings(settings: ILiveImportSettings): void {
    this._settings = settings;
    for (const { li } of this._kernels.values()) {
      li?.sendSettings();
    }
  }

  /**
   * A cell of a widget is about to be sent to its kernel: load LiveImport
   * first if the cell needs it, on the widget's own connection (the kernel
   * then handles that request before the cell).
   */
  private cellAboutToRun(widget: Widget, source: string): void {
    const user = this._users.get(widget);
    const connection = user?.sessionContext.session?.kernel;
    if (!user || !connection) {
      return;
    }
    if (needsLiveImport(source, this.settings.hiddenCellMagic)) {
      this.attach(user, connection)?.ensureLoaded(connection);
    }
  }

  private watchNotebook(panel: NotebookPanel): void {
    this.watch({
      kind: 'notebook',
      widget: panel,
      sessionContext: panel.sessionContext,
      wantsPreload: async () => {
        await panel.context.ready;
        const model = panel.content.model;
        return (
          !!model &&
          notebookUsesLiveImport(
            model.sharedModel.cells,
            this.settings.hiddenCellMagic
          )
        );
      }
    });
  }

  private watchConsole(panel: ConsolePanel): void {
    this.watch({
      kind: 'console',
      widget: panel,
      sessionContext: panel.sessionContext,
      // A console is empty when its kernel starts: its first LiveImport
      // cell loads LiveImport.
      wantsPreload: () => Promise.resolve(false)
    });
    onConsoleCellRun(panel, source => this.cellAboutToRun(panel, source));
  }

  /** Follow a widget's kernel from now until the widget closes. */
  private watch(user: IUser): void {
    if (this._users.has(user.widget)) {
      return;
    }
    this._users.set(user.widget, user);
    user.sessionContext.kernelChanged.connect((_, { newValue }) => {
      if (newValue) {
        this.attach(user, newValue);
      } else {
        this.detach(user);
      }
    });
    user.widget.disposed.connect(() => {
      this.detach(user);
      this._users.delete(user.widget);
    });
    const kernel = user.sessionContext.session?.kernel;
    if (kernel) {
      this.attach(user, kernel);
    }
  }

  /** Record that `user` runs code on `connection`; returns the kernel's object. */
  private attach(
    user: IUser,
    connection: Kernel.IKernelConnection
  ): LiveImportKernel | null {
    if (this._connections.get(user) !== connection) {
      this.detach(user);
      this._connections.set(user, connection);
      let entry = this._kernels.get(connection.id);
      if (!entry) {
        entry = { li: null, users: new Set(), own: null, loaded: false };
        this._kernels.set(connection.id, entry);
      }
      entry.users.add(user);
      connection.disposed.connect(() => {
        if (this._connections.get(user) === connection) {
          this.detach(user);
        }
      });
    }
    return this.settle(connection.id);
  }

  /** `user` no longer runs code on the kernel it did. */
  private detach(user: IUser): void {
    const connection = this._connections.get(user);
    if (!connection) {
      return;
    }
    this._connections.delete(user);
    const entry = this._kernels.get(connection.id);
    if (!entry) {
      return;
    }
    entry.users.delete(user);
    if (!this.connectionsOf(entry).includes(connection)) {
      entry.li?.unwatch(connection);
    }
    this.settle(connection.id);
  }

  /** The live connections of a kernel's widgets. */
  private connectionsOf(entry: IKernelEntry): Kernel.IKernelConnection[] {
    const out: Kernel.IKernelConnection[] = [];
    for (const user of entry.users) {
      const c = this._connections.get(user);
      if (c && !c.isDisposed && !out.includes(c)) {
        out.push(c);
      }
    }
    return out;
  }

  /**
   * Bring a kernel's object in line with its widgets: gone with the last
   * one; on a connection that handles comms (a widget's, else our clone);
   * counting every widget's execute requests. A new object replacing one
   * that had LiveImport loaded loads it again at once (the kernel then
   * opens a new comm, to this connection).
   */
  private settle(id: string): LiveImportKernel | null {
    const entry = this._kernels.get(id);
    if (!entry) {
      return null;
    }
    const connections = this.connectionsOf(entry);
    if (connections.length === 0) {
      this._kernels.delete(id);
      entry.li?.dispose();
      entry.own?.dispose();
      return null;
    }
    let primary = connections.find(c => c.handleComms);
    if (primary) {
      if (entry.own && entry.li?.kernel !== entry.own) {
        entry.own.dispose();
        entry.own = null;
      }
    } else {
      if (!entry.own || entry.own.isDisposed) {
        entry.own = connections[0].clone({ handleComms: true });
      }
      primary = entry.own;
    }
    let li = entry.li;
    if (!li || li.isDisposed || li.kernel !== primary) {
      const old = li;
      li = this.makeKernel(entry, primary);
      old?.dispose();
      if (entry.own && primary !== entry.own) {
        entry.own.dispose();
        entry.own = null;
      }
      if (old && entry.loaded) {
        // The kernel still has LiveImport, and a comm to a connection that
        // is gone: a new bootstrap opens one to this connection.
        void this.reconnect(li);
      }
      this._changed.emit();
    }
    for (const c of connections) {
      li.watch(c);
    }
    return li;
  }

  /**
   * Load LiveImport again through a new kernel object once its connection
   * is connected (a clone connects after it is made: it must be, to hear
   * the kernel open the comm).
   */
  private async reconnect(li: LiveImportKernel): Promise<void> {
    const kernel = li.kernel;
    if (kernel.connectionStatus !== 'connected') {
      await new Promise<void>(resolve => {
        const check = (): void => {
          if (kernel.connectionStatus === 'connected' || kernel.isDisposed) {
            kernel.connectionStatusChanged.disconnect(check);
            kernel.disposed.disconnect(check);
            resolve();
          }
        };
        kernel.connectionStatusChanged.connect(check);
        kernel.disposed.connect(check);
      });
    }
    if (!li.isDisposed && li.state === 'absent') {
      li.ensureLoaded();
    }
  }

  /** The object of a kernel, on `connection`, for the widgets of `entry`. */
  private makeKernel(
    entry: IKernelEntry,
    connection: Kernel.IKernelConnection
  ): LiveImportKernel {
    const users = (): IUser[] => [...entry.users];
    const li = new LiveImportKernel(connection, {
      settings: () => this.settings,
      sessionPath: (): ISessionPath => {
        const all = users();
        const user = all.find(u => u.kind === 'notebook') ?? all[0];
        return {
          path: user?.sessionContext.path ?? '',
          console: user?.kind !== 'notebook'
        };
      },
      kernelLabel: () => users()[0]?.sessionContext.kernelDisplayName ?? '',
      wantsPreload: async () => {
        if (entry.loaded) {
          return true;
        }
        for (const user of users()) {
          if (await user.wantsPreload()) {
            return true;
          }
        }
        return false;
      }
    });
    entry.li = li;
    li.changed.connect(() => {
      if (!li.isDisposed && entry.li === li) {
        entry.loaded = li.status.connected || li.state === 'loaded';
      }
    });
    return li;
  }

  private _settings: ILiveImportSettings = { ...DEFAULT_SETTINGS };
  private _users = new Map<Widget, IUser>();
  /** The connection each widget runs code on. */
  private _connections = new Map<IUser, Kernel.IKernelConnection>();
  /** By kernel id. */
  private _kernels = new Map<string, IKernelEntry>();
  private _channel: BroadcastChannel | null = null;
  private _changed = new Signal<this, void>(this);
}
