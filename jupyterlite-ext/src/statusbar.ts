/**
 * The status-bar item: LiveImport's state in the current notebook's kernel.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { LiveImportKernel } from './kernel';

/** CSS class of the item (the browser tests find it by this). */
export const STATUS_CLASS = 'jp-LiveImport-status';

/**
 * Shows "LiveImport: N modules · reloaded HH:MM:SS" for the kernel of the
 * current notebook, nothing when LiveImport is not loaded there. Clicking it
 * opens a dialog with what `%liveimport` prints.
 */
export class LiveImportStatus extends Widget {
  constructor() {
    super();
    this.addClass(STATUS_CLASS);
    this.addClass('jp-StatusBar-TextItem');
    this.node.title = 'LiveImport: click for the tracked modules';
    this.node.addEventListener('click', () => void this.showDetails());
    this.render();
  }

  /** The kernel whose state is shown (null: none). */
  get source(): LiveImportKernel | null {
    return this._source;
  }

  set source(source: LiveImportKernel | null) {
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

  /** Open the `%liveimport` dialog for the current kernel. */
  async showDetails(): Promise<void> {
    const source = this._source;
    if (!source) {
      return;
    }
    const body = document.createElement('pre');
    body.className = 'jp-LiveImport-details';
    try {
      body.textContent = await source.statusText();
    } catch (error) {
      body.textContent = String((error as Error).message ?? error);
    }
    await showDialog({
      title: 'LiveImport',
      body: new Widget({ node: body }),
      buttons: [Dialog.okButton()]
    });
  }

  private render(): void {
    const status = this._source?.status;
    if (!status || !status.connected) {
      this.node.textContent = '';
      this.hide();
      return;
    }
    const n = status.modules;
    let text = `LiveImport: ${n} module${n === 1 ? '' : 's'}`;
    if (status.lastReload !== null) {
      text += ` · reloaded ${new Date(status.lastReload).toLocaleTimeString()}`;
    }
    this.node.textContent = text;
    this.node.title = status.fileEvents
      ? 'LiveImport: the kernel examines the files this page reports changed. Click for the tracked modules.'
      : 'LiveImport: the kernel checks every tracked file before a cell. Click for the tracked modules.';
    this.show();
  }

  private _source: LiveImportKernel | null = null;
}
