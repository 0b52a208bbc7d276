/**
 * The notices the bootstrap shows (JupyterLab's notification toasts, also in
 * Notebook 7): at most one of each kind per kernel connection, never one per
 * cell (the caller keeps count).
 */
import { Notification } from '@jupyterlab/apputils';

import { DOCS_URL, INSTALL_COMMAND, INSTALL_NOTE } from './bootstraprequest.js';

/**
 * The kernel's environment has no LiveImport: say what to install. A
 * warning that stays until dismissed (it is shown once), with a link to the
 * documentation.
 *
 * @param kernelLabel the kernel's display name.
 * @returns the notification's id.
 */
export function notifyMissing(kernelLabel: string): string {
  return Notification.warning(
    `LiveImport is not installed in the kernel "${kernelLabel}": its cells run as plain code. ` +
      `Run ${INSTALL_COMMAND} in the notebook ${INSTALL_NOTE}, then run the cell again.`,
    {
      autoClose: false,
      actions: [
        {
          label: 'How to install',
          caption: DOCS_URL,
          displayType: 'link',
          callback: () => {
            window.open(DOCS_URL, '_blank', 'noopener');
          }
        }
      ]
    }
  );
}

/**
 * Loading LiveImport failed for another reason (shown once per kernel; the
 * next LiveImport cell tries again).
 *
 * @param reason `ExceptionName: message`, or the reply's status.
 */
export function notifyFailed(reason: string): string {
  return Notification.error(
    `LiveImport could not be loaded in the kernel: ${reason}`,
    {
      autoClose: 10000
    }
  );
}
