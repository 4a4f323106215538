/**
 * System settings (issue 9 item 5, seed 003's "System preferences"): set for the installation
 * and overridden per platform on the admin page. Each field of `SettingsValues` is null where
 * the scope does not set it, so a platform falls back to the installation field by field.
 */

export type DelimiterSetting = 'auto' | ';' | ',';

/** What one scope (the installation or one platform) sets; null: not set here. */
export interface SettingsValues {
  finishRedirectUrl: string | null;
  linkLifetimeHours: number | null;
  csvDelimiter: DelimiterSetting | null;
  slipPassword: boolean | null;
  slipEntryCode: boolean | null;
  slipLink: boolean | null;
}

export const SETTING_FIELDS = [
  'finishRedirectUrl',
  'linkLifetimeHours',
  'csvDelimiter',
  'slipPassword',
  'slipEntryCode',
  'slipLink',
] as const;
export type SettingField = (typeof SETTING_FIELDS)[number];

export const INSTALLATION = 'installation';

/** The scope a row belongs to: the installation, or a platform's id. */
export type SettingsScope = typeof INSTALLATION | string;

export const NOTHING_SET: SettingsValues = {
  finishRedirectUrl: null,
  linkLifetimeHours: null,
  csvDelimiter: null,
  slipPassword: null,
  slipEntryCode: null,
  slipLink: null,
};

/** What slips show; each slip still shows only what its candidate has (a roster candidate has no password). */
export interface SlipContents {
  password: boolean;
  entryCode: boolean;
  link: boolean;
}

/** The settings in force for one platform, every fallback applied. */
export interface EffectiveSettings {
  /** Null: none set anywhere (a candidate from outside the LMS then goes to the login page). */
  finishRedirectUrl: string | null;
  /** Null: links and codes live until the window ends (plus extra time) or the test is closed. */
  linkLifetimeHours: number | null;
  csvDelimiter: DelimiterSetting;
  slips: SlipContents;
}

/** Bounds of the default link lifetime: an hour at least, a year at most. */
export const LIFETIME_HOURS = { min: 1, max: 365 * 24 } as const;

/** The installation's own fallbacks beneath the admin page (the environment, as before the page existed). */
export interface SettingsFallbacks {
  finishRedirectUrl: string | null;
}

/** Field by field: the platform's value, else the installation's, else the fallback or built-in default. */
export function effective(platform: SettingsValues, installation: SettingsValues, fallbacks: SettingsFallbacks): EffectiveSettings {
  const pick = <K extends SettingField>(field: K): SettingsValues[K] => platform[field] ?? installation[field];
  return {
    finishRedirectUrl: pick('finishRedirectUrl') ?? fallbacks.finishRedirectUrl,
    linkLifetimeHours: pick('linkLifetimeHours'),
    csvDelimiter: pick('csvDelimiter') ?? 'auto',
    slips: { password: pick('slipPassword') ?? true, entryCode: pick('slipEntryCode') ?? true, link: pick('slipLink') ?? true },
  };
}
