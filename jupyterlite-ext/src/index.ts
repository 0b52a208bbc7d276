/**
 * jupyterlite-liveimport: LiveImport in JupyterLite and desktop Jupyter
 * notebooks and consoles (JupyterLab 4, Notebook 7, JupyterLite's REPL app).
 *
 * - As soon as the kernel of a notebook that holds a LiveImport cell
 *   (`%%liveimport`, `#_%%liveimport`, `import liveimport`, `%liveimport`) is
 *   idle after starting, and before any such cell of a notebook or console
 *   runs in a kernel where LiveImport is not loaded, sends one silent
 *   bootstrap request: in
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
 *
 * This module is the plugin's wiring only; see `manager.ts` and `kernel.ts`
 * for the logic, `tokens.ts` for the contracts between the modules.
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ConsolePanel, IConsoleTracker } from '@jupyterlab/console';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStatusBar } from '@jupyterlab/statusbar';

// The three modules below are needed as the plugin activates: the manager
// must see the first cell scheduled, the status item and the graph renderer
// are registered synchronously (Graphviz itself loads on first use).
import { DriveGuard } from './driveguard.js';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the renderer factory is registered at activation
import { graphRendererFactory } from './graph.js';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- must hear of the first cell scheduled
import { LiveImportManager } from './manager.js';
import { openFile } from './openfile.js';
import { readSettings } from './settings.js';
// eslint-disable-next-line jupyter/prefer-lazy-imports -- the status item is registered at activation
import { LiveImportStatus } from './statusbar.js';
import { OpenFile, PLUGIN_ID, SHOW_STATUS_COMMAND } from './tokens.js';

export { PLUGIN_ID, SHOW_STATUS_COMMAND } from './tokens.js';

/** A widget whose kernel LiveImport follows. */
type KernelWidget = NotebookPanel | ConsolePanel;

const plugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description:
    'LiveImport: reload edited modules in notebooks and consoles, with no setup cell',
  autoStart: true,
  // Every page loads this plugin (JupyterLab; Notebook 7's and JupyterLite's
  // /tree/, /notebooks/, /edit/, /consoles/; JupyterLite's /repl/), also
  // those without notebooks or consoles: their saves must reach the kernels
  // of the other tabs (file events).
  optional: [
    INotebookTracker,
    IConsoleTracker,
    ISettingRegistry,
    IStatusBar,
    ICommandPalette,
    IRenderMimeRegistry
  ],
  activate: (
    app: JupyterFrontEnd,
    notebooks: INotebookTracker | null,
    consoles: IConsoleTracker | null,
    registry: ISettingRegistry | null,
    statusBar: IStatusBar | null,
    palette: ICommandPalette | null,
    rendermime: IRenderMimeRegistry | null
  ) => {
    const open: OpenFile = (path, line) => void openFile(app, path, line);
    // %liveimport (and liveimport.status() as a cell's value) draws the graph.
    rendermime?.addFactory(graphRendererFactory(open));
    const manager = new LiveImportManager(
      notebooks,
      consoles,
      app.serviceManager.contents,
      `${PLUGIN_ID}:files:${app.serviceManager.serverSettings.baseUrl}`
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
          settings.changed.connect(() =>
            manager.updateSettings(readSettings(settings))
          );
        })
        .catch(reason =>
          console.error('LiveImport: cannot load settings', reason)
        );
    }
    const trackers = [notebooks, consoles].filter(t => t !== null);
    if (trackers.length === 0) {
      return;
    }

    // The status of the current notebook's or console's kernel: in the
    // status bar where there is one (JupyterLab), else in each notebook's and
    // console's toolbar (Notebook 7, JupyterLite's REPL app).
    const current = new LiveImportStatus(open);
    let focused: KernelWidget | null = null;
    const follow = (): void => {
      current.source = manager.forWidget(focused);
    };
    for (const tracker of trackers) {
      tracker.currentChanged.connect((_, widget) => {
        if (widget) {
          focused = widget;
        }
        follow();
      });
      tracker.widgetAdded.connect((_, widget) =>
        widget.sessionContext.kernelChanged.connect(follow)
      );
      tracker.forEach(widget =>
        widget.sessionContext.kernelChanged.connect(follow)
      );
      focused = focused ?? tracker.currentWidget;
    }
    manager.changed.connect(follow);
    follow();
    if (statusBar) {
      statusBar.registerStatusItem(PLUGIN_ID, {
        item: current,
        align: 'left',
        rank: 4,
        isActive: () => true
      });
    } else {
      const addToToolbar = (widget: KernelWidget): void => {
        const item = new LiveImportStatus(open);
        const attach = (): void => {
          item.source = manager.forWidget(widget);
        };
        widget.sessionContext.kernelChanged.connect(attach);
        manager.changed.connect(attach);
        widget.disposed.connect(() => manager.changed.disconnect(attach));
        attach();
        const added =
          widget.toolbar.insertBefore('spacer', 'liveimport-status', item) ||
          widget.toolbar.addItem('liveimport-status', item);
        if (!added) {
          item.dispose();
        }
      };
      for (const tracker of trackers) {
        tracker.forEach(addToToolbar);
        tracker.widgetAdded.connect((_, widget) => addToToolbar(widget));
      }
    }

    app.commands.addCommand(SHOW_STATUS_COMMAND, {
      label: 'LiveImport: Show Tracked Modules',
      caption:
        "What %liveimport shows for the current notebook's or console's kernel",
      describedBy: { args: { type: 'object', properties: {} } },
      isEnabled: () => !!manager.forWidget(focused)?.status.connected,
      execute: async () => {
        follow();
        await current.showDetails();
      }
    });
    palette?.addItem({ command: SHOW_STATUS_COMMAND, category: 'LiveImport' });
  }
};

export default plugin;
