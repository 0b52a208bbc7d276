/**
 * Console cells about to run. A console (JupyterLab's, JupyterLite's REPL
 * app, Notebook 7's) has no signal before it sends a cell, as a notebook has
 * (`NotebookActions.executionScheduled`); but it adds the cell to its
 * `cells` list, an observable list whose `changed` signal is emitted
 * synchronously, just before it sends the cell's execute request, on the
 * same call stack: `CodeConsole.execute` (the prompt cell, via
 * `newPromptCell`) and `CodeConsole.inject` (the REPL app's `code`
 * parameter, commands), in JupyterLab 4.4 to 4.6. So a handler of that
 * signal runs before the request goes out, as `executionScheduled`'s does.
 *
 * Cells the console shows for other clients of its kernel (its "foreign"
 * cells, e.g. a notebook's when the console shows all kernel activity) are
 * added with no source yet and carry {@link FOREIGN_CELL_CLASS}: they are
 * not this console's, and never reported.
 */
import type { ConsolePanel } from '@jupyterlab/console';

/** The CSS class JupyterLab's console gives the cells of other clients. */
export const FOREIGN_CELL_CLASS = 'jp-CodeConsole-foreignCell';

/**
 * Call `handler` with the source of each code cell `panel` is about to send
 * to its kernel, before the execute request is sent, for as long as the
 * console lives.
 */
export function onConsoleCellRun(
  panel: ConsolePanel,
  handler: (source: string) => void
): void {
  panel.console.cells.changed.connect((_, change) => {
    if (change.type !== 'add') {
      return;
    }
    for (const cell of change.newValues) {
      if (cell.model.type === 'code' && !cell.hasClass(FOREIGN_CELL_CLASS)) {
        handler(cell.model.sharedModel.getSource());
      }
    }
  });
}
