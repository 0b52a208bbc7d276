/**
 * The body of LiveImport's status dialog: what fails (with links that open
 * the file at the line), the names still on an old version of a reloaded
 * module (issue 18), the dependency graph (graph.ts), and the `%liveimport`
 * table (collapsible).
 */
import { Widget } from '@lumino/widgets';

import { renderGraph, textTable } from './graph.js';
import type { IFailure, IGraphData, IStaleName, OpenFile } from './tokens.js';

/** CSS classes the browser tests find things by. */
export const DETAILS_CLASS = 'jp-LiveImport-details';
export const FAILURES_CLASS = 'jp-LiveImport-failures';
export const FAILURE_LINK_CLASS = 'jp-LiveImport-failureLink';
export const STALE_CLASS = 'jp-LiveImport-stale';
export const STALE_ADVICE_CLASS = 'jp-LiveImport-staleAdvice';

/** The dialog's heading of the stale names. */
export const STALE_HEADING = 'Still on an old version';

/** The words of a failure's place: `units.py, line 3` (the file's contents path if any). */
export function failurePlace(failure: IFailure): string {
  const file = failure.path ?? failure.file;
  if (!file) {
    return '';
  }
  return failure.line !== null ? `${file}, line ${failure.line}` : file;
}

/** What the phase means for the user. */
function consequence(failure: IFailure): string {
  return failure.phase === 'analysis'
    ? 'could not be analysed'
    : 'could not be reloaded; its previous version stays in use';
}

/**
 * The list of failures: module, what it means, the error, and the place, as
 * a link when the page can open the file (`onOpen` is called after `open`,
 * e.g. to close the dialog).
 */
export function renderFailures(
  failures: IFailure[],
  open: OpenFile | null,
  onOpen?: () => void
): HTMLElement {
  const list = document.createElement('ul');
  list.className = FAILURES_CLASS;
  for (const failure of failures) {
    const item = document.createElement('li');
    const name = document.createElement('strong');
    name.textContent = failure.module;
    item.append(name, ` ${consequence(failure)}: `);
    const error = document.createElement('code');
    error.textContent = failure.error;
    item.append(error);
    const place = failurePlace(failure);
    if (place) {
      item.append(' (');
      if (open && failure.path) {
        const link = document.createElement('a');
        link.className = FAILURE_LINK_CLASS;
        link.href = '#';
        link.textContent = place;
        link.title = `Open ${failure.path} in the editor`;
        const path = failure.path;
        link.addEventListener('click', event => {
          event.preventDefault();
          open(path, failure.line);
          onOpen?.();
        });
        item.append(link);
      } else {
        item.append(place);
      }
      item.append(')');
    }
    list.append(item);
  }
  return list;
}

/**
 * One stale name as the dialog lists it:
 * `sq — instance Square (shapes), In [4]` (no `In [N]` when the cell is
 * unknown).
 */
export function staleItemText(entry: IStaleName): string {
  const what = [entry.kind, entry.qualname].filter(w => w).join(' ');
  const cell = entry.cell !== null ? `, In [${entry.cell}]` : '';
  return `${entry.name} \u2014 ${what} (${entry.module})${cell}`;
}

/**
 * What to do about stale names, as the kernel's note says it
 * (`liveimport._nb_report.stale_note`): re-run the cells that made them,
 * or make them again when no cell is known.
 */
export function staleAdvice(stale: IStaleName[]): string {
  const rerun = stale.some(entry => entry.cell !== null);
  return (
    (rerun ? 'Re-run those cells' : 'Make them again') +
    ' to get the new code: LiveImport rebinds the imported names, and never changes objects made before a reload.'
  );
}

/**
 * The stale names under their heading: a list
 * ({@link staleItemText}), then what to do ({@link staleAdvice}).
 */
export function renderStale(stale: IStaleName[]): HTMLElement[] {
  const heading = document.createElement('h3');
  heading.textContent = STALE_HEADING;
  const list = document.createElement('ul');
  list.className = STALE_CLASS;
  for (const entry of stale) {
    const item = document.createElement('li');
    item.textContent = staleItemText(entry);
    list.append(item);
  }
  const advice = document.createElement('p');
  advice.className = STALE_ADVICE_CLASS;
  advice.textContent = staleAdvice(stale);
  return [heading, list, advice];
}

/** The dialog's body. */
export class DetailsBody extends Widget {
  /**
   * @param failures what fails (may be empty).
   * @param stale the notebook's names still on an old version (may be empty).
   * @param text the `%liveimport` table, or the reason it is unavailable.
   * @param open opens a file at a line (null: links are plain text).
   * @param onOpen called after a link was followed (closes the dialog).
   */
  constructor(
    failures: IFailure[],
    stale: IStaleName[],
    text: string,
    graph: IGraphData | null,
    open: OpenFile | null,
    onOpen?: () => void
  ) {
    super();
    this.addClass(DETAILS_CLASS);
    if (failures.length > 0) {
      const heading = document.createElement('h3');
      heading.textContent =
        failures.length === 1 ? 'Failing module' : 'Failing modules';
      this.node.append(heading, renderFailures(failures, open, onOpen));
    }
    if (stale.length > 0) {
      this.node.append(...renderStale(stale));
    }
    this.graphHost = document.createElement('div');
    this.node.append(this.graphHost);
    if (graph) {
      const openAndClose: OpenFile = (path, line) => {
        open?.(path, line);
        onOpen?.();
      };
      this.drawn = renderGraph(
        this.graphHost,
        graph,
        open ? openAndClose : null
      ).catch(error => {
        this.graphHost.textContent = `The graph cannot be drawn: ${error}`;
      });
    } else {
      this.drawn = Promise.resolve();
    }
    this.table = textTable('Table (%liveimport)', text);
    this.node.append(this.table);
  }

  /** The element the graph is drawn into. */
  readonly graphHost: HTMLElement;
  /** Resolves once the graph is drawn (or could not be). */
  readonly drawn: Promise<void>;
  /** The collapsible text table. */
  readonly table: HTMLDetailsElement;
}
