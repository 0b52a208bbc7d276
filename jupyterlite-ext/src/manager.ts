/**
 * The manager: one {@link LiveImportKernel} for the kernel of each notebook,
 * the settings they all use, and the page events they hear of (cells about
 * to run, file changes in this page and in the other tabs of the site).
 *
 * A notebook's kernel object lives as long as the kernel connection is the
 * notebook's: it is made when the notebook gets a kernel and disposed on
 * `kernelChanged` (as ipywidgets' `WidgetManager` follows it), when the
 * connection is disposed, and when the notebook closes.
 */
import {
  INotebookTracker,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import type { Contents, Kernel } from '@jupyterlab/services';

import { needsLiveImport, notebookUsesLiveImport } from './cells.js';
import { fileChange, parseFileChange } from './changes.js';
import { LiveImportKernel } from './kernel.js';
import {
  DEFAULT_SETTINGS,
  IFileChange,
  ILiveImportSettings
} from './tokens.js';

/** Tracks every notebook's kernel for LiveImport (see the module's comment). */
export class LiveImportManager {
  /**
   * @param tracker the notebooks of the page (null: a page without them).
   * @param contents the page's contents manager (every save, upload, rename
   *   and deletion in the page goes through it).
   * @param channelName the BroadcastChannel shared with the other tabs of
   *   the same site, which write the same browser storage.
   */
  constructor(
    private readonly tracker: INotebookTracker | null,
    contents: Contents.IManager,
    channelName: string
  ) {
    tracker?.widgetAdded.connect((_, panel) => this.watch(panel));
    tracker?.forEach(panel => this.watch(panel));
    NotebookActions.executionScheduled.connect((_, { notebook, cell }) => {
      if (cell.model.type !== 'code') {
        return;
      }
      const li = this.forPanel(
        this.tracker?.find(p => p.content === notebook) ?? null
      );
      if (!li) {
        return;
      }
      li.runScheduled();
      if (
        needsLiveImport(
          cell.model.sharedModel.getSource(),
          this.settings.hiddenCellMagic
        )
      ) {
        li.ensureLoaded();
      }
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
   * LiveImport's object for a notebook's current kernel connection (made on
   * first use), or null when the notebook has no kernel.
   */
  forPanel(panel: NotebookPanel | null): LiveImportKernel | null {
    const kernel = panel?.sessionContext.session?.kernel;
    if (!panel || !kernel) {
      return null;
    }
    const li = this._kernels.get(panel);
    if (li && li.kernel === kernel && !li.isDisposed) {
      return li;
    }
    return this.attach(panel, kernel);
  }

  /** Tell every kernel of changed files (contents paths). */
  filesChanged(change: IFileChange): void {
    for (const li of this._kernels.values()) {
      li.filesChanged(change);
    }
  }

  /** Apply new settings to every connected kernel. */
  updateSettings(settings: ILiveImportSettings): void {
    this._settings = settings;
    for (const li of this._kernels.values()) {
      li.sendSettings();
    }
  }

  /** Follow a notebook's kernel from now until the notebook closes. */
  private watch(panel: NotebookPanel): void {
    panel.sessionContext.kernelChanged.connect((_, { oldValue, newValue }) => {
      const li = this._kernels.get(panel);
      if (li && li.kernel === oldValue) {
        this.detach(panel);
      }
      if (newValue) {
        this.forPanel(panel);
      }
    });
    panel.disposed.connect(() => this.detach(panel));
    this.forPanel(panel);
  }

  /** Make the object of a notebook's kernel connection (replacing any other). */
  private attach(
    panel: NotebookPanel,
    kernel: Kernel.IKernelConnection
  ): LiveImportKernel {
    this.detach(panel);
    const li = new LiveImportKernel(kernel, {
      settings: () => this.settings,
      notebookPath: () => panel.sessionContext.path,
      kernelLabel: () => panel.sessionContext.kernelDisplayName,
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
    this._kernels.set(panel, li);
    kernel.disposed.connect(() => {
      if (this._kernels.get(panel) === li) {
        this._kernels.delete(panel);
      }
    });
    return li;
  }

  /** Dispose of the object of a notebook's kernel, if any. */
  private detach(panel: NotebookPanel): void {
    const li = this._kernels.get(panel);
    if (li) {
      this._kernels.delete(panel);
      li.dispose();
    }
  }

  private _settings: ILiveImportSettings = { ...DEFAULT_SETTINGS };
  private _kernels = new Map<NotebookPanel, LiveImportKernel>();
  private _channel: BroadcastChannel | null = null;
}
