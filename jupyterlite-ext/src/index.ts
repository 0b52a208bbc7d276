/**
 * jupyterlite-liveimport: LiveImport in JupyterLite and desktop Jupyter
 * notebooks (JupyterLab 4 and Notebook 7).
 *
 * - As soon as the kernel of a notebook that holds a LiveImport cell
 *   (`%%liveimport`, `#_%%liveimport`, `import liveimport`, `%liveimport`) is
 *   idle after starting, and before any such cell runs in a kernel where
 *   LiveImport is not loaded, sends one silent bootstrap request: in
 *   JupyterLite's Pyodide kernel it installs the wheel shipped in this
 *   extension's `static/pypi` (piplite), in any other kernel it imports the
 *   `liveimport` the kernel's environment has (one notice when it has none).
 *   No setup cell.
 * - Everything else goes over the `liveimport` comm: settings from the
 *   Settings Editor (applied to running kernels at once), the status shown
 *   in the status bar, the files that change in the page's contents (saves,
 *   uploads, new files, renames, deletions, also those made in other tabs of
 *   the same site), so that the kernel examines only those instead of every
 *   tracked file before each cell, and the start and end of notebook runs, so
 *   that it syncs before a run's first cell only.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { PageConfig } from '@jupyterlab/coreutils';
import { INotebookTracker, NotebookActions, NotebookPanel } from '@jupyterlab/notebook';
import { Contents, Kernel } from '@jupyterlab/services';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';

import { fileChange, IFileChange, parseFileChange } from './changes';
import { DriveGuard } from './driveguard';
import { graphRendererFactory } from './graph';
import { LiveImportKernel } from './kernel';
import {
  DEFAULT_SETTINGS,
  ILiveImportSettings,
  needsLiveImport,
  notebookUsesLiveImport
} from './protocol';
import { LiveImportStatus } from './statusbar';

/** The plugin id (also the id of its settings, schema/plugin.json). */
export const PLUGIN_ID = 'jupyterlite-liveimport:plugin';

/** The command that opens the `%liveimport` dialog of the current notebook's kernel. */
export const SHOW_STATUS_COMMAND = 'liveimport:show-status';

/** Read the composite settings, falling back to LiveImport's defaults. */
function readSettings(settings: ISettingRegistry.ISettings | null): ILiveImportSettings {
  if (!settings) {
    return { ...DEFAULT_SETTINGS };
  }
  const get = <T>(key: keyof ILiveImportSettings): T =>
    (settings.get(key).composite ?? DEFAULT_SETTINGS[key]) as T;
  const grace = Number(get<number>('grace'));
  return {
    autoSync: !!get<boolean>('autoSync'),
    grace: Number.isFinite(grace) && grace >= 0 ? grace : DEFAULT_SETTINGS.grace,
    report: !!get<boolean>('report'),
    hiddenCellMagic: !!get<boolean>('hiddenCellMagic'),
    fileEvents: !!get<boolean>('fileEvents')
  };
}

/**
 * Tracks every notebook's kernel connections, bootstraps LiveImport on first
 * use, keeps the kernels' settings in step with the Settings Editor, and
 * tells them of file changes and notebook runs.
 */
class LiveImportManager {
  /**
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
      const panel = this.tracker?.find(p => p.content === notebook);
      const kernel = panel?.sessionContext.session?.kernel;
      if (!panel || !kernel) {
        return;
      }
      const li = this.forKernel(kernel, panel);
      li.runScheduled();
      if (needsLiveImport(cell.model.sharedModel.getSource(), this.settings.hiddenCellMagic)) {
        li.ensureLoaded();
      }
    });
    contents.fileChanged.connect((_, args) => {
      const change = fileChange(args);
      this.filesChanged(change);
      this.channel?.postMessage(change);
    });
    if (typeof BroadcastChannel !== 'undefined') {
      this.channel = new BroadcastChannel(channelName);
      this.channel.onmessage = (event: MessageEvent) => {
        const change = parseFileChange(event.data);
        if (change) {
          this.filesChanged(change);
        }
      };
    }
  }

  /** The current settings. */
  settings: ILiveImportSettings = { ...DEFAULT_SETTINGS };

  /** LiveImport's object for a notebook's kernel connection (created on first use). */
  forKernel(kernel: Kernel.IKernelConnection, panel: NotebookPanel): LiveImportKernel {
    let li = this.kernels.get(kernel);
    if (!li) {
      li = new LiveImportKernel(kernel, {
        settings: () => this.settings,
        notebookPath: () => panel.sessionContext.path,
        kernelLabel: () => panel.sessionContext.kernelDisplayName,
        wantsPreload: async () => {
          await panel.context.ready;
          const model = panel.content.model;
          return (
            !!model && notebookUsesLiveImport(model.sharedModel.cells, this.settings.hiddenCellMagic)
          );
        }
      });
      this.kernels.set(kernel, li);
      kernel.disposed.connect(() => this.kernels.delete(kernel));
    }
    return li;
  }

  /** LiveImport's object for a notebook's current kernel, if any. */
  forPanel(panel: NotebookPanel | null): LiveImportKernel | null {
    const kernel = panel?.sessionContext.session?.kernel;
    return panel && kernel ? this.forKernel(kernel, panel) : null;
  }

  /** Tell every kernel of changed files (contents paths). */
  filesChanged(change: IFileChange): void {
    for (const li of this.kernels.values()) {
      li.filesChanged(change);
    }
  }

  /** Apply new settings to every connected kernel. */
  updateSettings(settings: ILiveImportSettings): void {
    this.settings = settings;
    for (const li of this.kernels.values()) {
      li.sendSettings();
    }
  }

  private watch(panel: NotebookPanel): void {
    const attach = (): void => {
      const kernel = panel.sessionContext.session?.kernel;
      if (kernel) {
        this.forKernel(kernel, panel);
      }
    };
    panel.sessionContext.kernelChanged.connect(attach);
    attach();
  }

  private kernels = new Map<Kernel.IKernelConnection, LiveImportKernel>();
  private channel: BroadcastChannel | null = null;
}

/**
 * Open a contents path in its default editor, at a 1-based line: JupyterLab's
 * `rendermime:handle-local-link` command (what a link in an output does),
 * with the `#line=N` fragment its file editor reads (0-based).
 */
async function openFile(app: JupyterFrontEnd, path: string, line: number | null): Promise<void> {
  const id = line !== null ? `#line=${Math.max(line - 1, 0)}` : undefined;
  if (app.commands.hasCommand(HANDLE_LOCAL_LINK)) {
    await app.commands.execute(HANDLE_LOCAL_LINK, { path, ...(id ? { id } : {}) });
  } else {
    await app.commands.execute('docmanager:open', { path });
  }
}

/** JupyterLab's command behind links to files in rendered outputs. */
const HANDLE_LOCAL_LINK = 'rendermime:handle-local-link';

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'LiveImport: reload edited modules in notebooks, with no setup cell',
  autoStart: true,
  // Every page of Notebook 7 (and JupyterLite's /tree/, /edit/) loads this
  // plugin, also those without notebooks: their saves must reach the kernels
  // of the other tabs (file events).
  optional: [INotebookTracker, ISettingRegistry, IStatusBar, ICommandPalette, IRenderMimeRegistry],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker | null,
    registry: ISettingRegistry | null,
    statusBar: IStatusBar | null,
    palette: ICommandPalette | null,
    rendermime: IRenderMimeRegistry | null
  ) => {
    const open = (path: string, line: number | null): void => void openFile(app, path, line);
    // %liveimport (and liveimport.status() as a cell's value) draws the graph.
    rendermime?.addFactory(graphRendererFactory(open));
    const manager = new LiveImportManager(
      tracker,
      app.serviceManager.contents,
      `${PLUGIN_ID}:files:${PageConfig.getBaseUrl()}`
    );
    // JupyterLite's drive never answers some requests about a deleted path.
    new DriveGuard(app.serviceManager.contents, path =>
      manager.filesChanged({ paths: [path], deleted: [path] })
    );

    if (registry) {
      registry
        .load(PLUGIN_ID)
        .then(settings => {
          manager.updateSettings(readSettings(settings));
          settings.changed.connect(() => manager.updateSettings(readSettings(settings)));
        })
        .catch(reason => console.error('LiveImport: cannot load settings', reason));
    }
    if (!tracker) {
      return;
    }

    // The status of the current notebook's kernel: in the status bar where
    // there is one (JupyterLab), else in each notebook's toolbar (Notebook 7).
    const current = new LiveImportStatus(open);
    const follow = (): void => {
      current.source = manager.forPanel(tracker.currentWidget);
    };
    tracker.currentChanged.connect(follow);
    tracker.widgetAdded.connect((_, panel) => panel.sessionContext.kernelChanged.connect(follow));
    follow();
    if (statusBar) {
      statusBar.registerStatusItem(PLUGIN_ID, {
        item: current,
        align: 'left',
        rank: 4,
        isActive: () => true
      });
    } else {
      const addToToolbar = (panel: NotebookPanel): void => {
        const item = new LiveImportStatus(open);
        const attach = (): void => {
          item.source = manager.forPanel(panel);
        };
        panel.sessionContext.kernelChanged.connect(attach);
        attach();
        panel.toolbar.insertBefore('spacer', 'liveimport-status', item) ||
          panel.toolbar.addItem('liveimport-status', item);
      };
      tracker.forEach(addToToolbar);
      tracker.widgetAdded.connect((_, panel) => addToToolbar(panel));
    }

    app.commands.addCommand(SHOW_STATUS_COMMAND, {
      label: 'LiveImport: Show Tracked Modules',
      caption: "What %liveimport shows for the current notebook's kernel",
      isEnabled: () => !!manager.forPanel(tracker.currentWidget)?.status.connected,
      execute: async () => {
        follow();
        await current.showDetails();
      }
    });
    palette?.addItem({ command: SHOW_STATUS_COMMAND, category: 'LiveImport' });
  }
};

export default plugin;
