/**
 * The extension's settings as the Settings Editor keeps them
 * (schema/plugin.json), read into {@link ILiveImportSettings}.
 */
import type { ISettingRegistry } from '@jupyterlab/settingregistry';

import { DEFAULT_SETTINGS, ILiveImportSettings } from './tokens.js';

/**
 * The composite settings (user over defaults), with LiveImport's defaults
 * for what is missing; a grace that is not a number >= 0 is the default's.
 *
 * @param settings the plugin's settings, or null where the page has no
 *   setting registry (then the defaults).
 */
export function readSettings(
  settings: ISettingRegistry.ISettings | null
): ILiveImportSettings {
  if (!settings) {
    return { ...DEFAULT_SETTINGS };
  }
  const get = (key: keyof ILiveImportSettings): unknown =>
    settings.get(key).composite ?? DEFAULT_SETTINGS[key];
  const grace = Number(get('grace'));
  return {
    autoSync: !!get('autoSync'),
    grace:
      Number.isFinite(grace) && grace >= 0 ? grace : DEFAULT_SETTINGS.grace,
    report: !!get('report'),
    staleNote: !!get('staleNote'),
    hiddenCellMagic: !!get('hiddenCellMagic'),
    fileEvents: !!get('fileEvents')
  };
}
