/**
 * Opening a file the kernel names (a failing module, a node of the graph)
 * in the page's editor.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';

/** JupyterLab's command behind links to files in rendered outputs. */
const HANDLE_LOCAL_LINK = 'rendermime:handle-local-link';

/**
 * Open a contents path in its default editor, at a 1-based line: JupyterLab's
 * `rendermime:handle-local-link` command (what a link in an output does),
 * with the `#line=N` fragment its file editor reads (0-based); where the
 * page has no such command, `docmanager:open` (no line).
 */
export async function openFile(
  app: JupyterFrontEnd,
  path: string,
  line: number | null
): Promise<void> {
  const id = line !== null ? `#line=${Math.max(line - 1, 0)}` : undefined;
  if (app.commands.hasCommand(HANDLE_LOCAL_LINK)) {
    await app.commands.execute(HANDLE_LOCAL_LINK, {
      path,
      ...(id ? { id } : {})
    });
  } else {
    await app.commands.execute('docmanager:open', { path });
  }
}
