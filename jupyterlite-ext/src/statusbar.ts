/**
 * The status-bar item: LiveImport's state in the current notebook's kernel.
 */
import { Dialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { DetailsBody, failurePlace } from './details.js';
import type { IGraphData, IKernelStatusSource, OpenFile } from './tokens.js';

/** CSS class of the item (the browser tests find it by this). */
export const STATUS_CLASS = 'jp-LiveImport-status';
/** Added to the item while a tracked module fails. */
export const FAILED_CLASS = 'jp-LiveImport-failed';

/** How the kernel finds changes, for the item's tooltip. */
function checking(fileEvents: boolean): string {
  return fileEvents
    ? 'The kernel examines the files this page reports changed.'
    : 'The kernel checks every tracked file before a cell.';
}

/**
 * Shows "LiveImport: N modules · reloaded HH:MM:SS" for the kernel of the
 * current notebook, nothing when LiveImport is not loaded there; while a
 * module fails, "LiveImport: units failed: SyntaxError: ... (units.py, line
 * 3)" instead, in the error colour. Clicking it opens a dialog with the
 * failures (links open the file at the line) and what `%liveimport` prints.
 */
export class LiveImportStatus extends Widget {
  /** @param open opens a contents path at a line in the editor (null: no links). */
  constructor(private readonly open: OpenFile | null = null) {
    super();
    this.addClass(STATUS_CLASS);
    this.addClass('jp-StatusBar-TextItem');
    this.node.title = 'LiveImport: click for the tracked modules';
    this.node.addEventListener('click', () => void this.showDetails());
    this.render();
  }

  /** The kernel whose state is shown (null: none). */
  get source(): IKernelStatusSource | null {
    return this._source;
  }

  set source(source: IKernelStatusSource | null) {
    if (source === this._source) {
      return;
    }
    this._source?.changed.disconnect(this.render, this);
    this._source = source;
    source?.changed.connect(this.render, this);
    this.render();
  }

  /** Whether the item has something to show (used by the status bar). */
  get active(): boolean {
    return !!this._source?.status.connected;
  }

  /** Open the details dialog for the current kernel; resolves when it closes. */
  async showDetails(): Promise<void> {
    const source = this._source;
    if (!source) {
      return;
    }
    let text: string;
    let graph: IGraphData | null = null;
    // The names the graph was made with (computed when asked) if the kernel
    // sent a graph, else those of its last status message.
    let stale = source.status.stale;
    try {
      const details = await source.statusDetails();
      text = details.text;
      graph = details.graph;
      stale = graph?.stale ?? stale;
    } catch (error) {
      text = error instanceof Error ? error.message : String(error);
    }
    const dialog: Dialog<unknown> = new Dialog({
      title: 'LiveImport',
      body: new DetailsBody(
        source.status.failures,
        stale,
        text,
        graph,
        this.open,
        () => dialog.resolve()
      ),
      buttons: [Dialog.okButton()]
    });
    await dialog.launch();
  }

  private render(): void {
    const status = this._source?.status;
    if (!status || !status.connected) {
      this.node.textContent = '';
      this.removeClass(FAILED_CLASS);
      this.hide();
      return;
    }
    const failures = status.failures;
    if (failures.length > 0) {
      const first = failures[0];
      const place = failurePlace(first);
      let text = `LiveImport: ${first.module} failed: ${first.error}`;
      if (place) {
        text += ` (${place})`;
      }
      if (failures.length > 1) {
        text += ` · ${failures.length - 1} more`;
      }
      this.node.textContent = text;
      this.node.title = `LiveImport: a tracked module fails until it is fixed. ${checking(status.fileEvents)} Click for details.`;
      this.addClass(FAILED_CLASS);
      this.show();
      return;
    }
    this.removeClass(FAILED_CLASS);
    const n = status.modules;
    let text = `LiveImport: ${n} module${n === 1 ? '' : 's'}`;
    if (status.lastReload !== null) {
      text += ` · reloaded ${new Date(status.lastReload).toLocaleTimeString()}`;
    }
    this.node.textContent = text;
    this.node.title = `LiveImport: ${checking(status.fileEvents)} Click for the tracked modules.`;
    this.show();
  }

  private _source: IKernelStatusSource | null = null;
}
