import { formOf, type SettingsForm } from './settings-input.js';
import { INSTALLATION, type EffectiveSettings, type SettingsValues } from './settings.js';

/** One form of the settings page: the installation's, or one platform's overrides. */
export interface SettingsSection {
  scope: string;
  /** Prefix of the form's field ids (one page holds many forms, so ids must differ). */
  prefix: string;
  heading: string;
  isInstallation: boolean;
  form: SettingsForm;
  /** What each field means when left blank ("not set here"), in words. */
  inherited: Record<keyof SettingsForm, string>;
}

const DELIMITER_WORDS = { auto: 'from the browser’s language', ';': 'semicolon (;)', ',': 'comma (,)' } as const;
const shown = (on: boolean) => (on ? 'shown' : 'hidden');

/** Blank at the installation: the environment's FINISH_REDIRECT_URL, or the built-in behaviour. */
function installationBlanks(env: string | null): SettingsSection['inherited'] {
  return {
    finishRedirectUrl: env
      ? `FINISH_REDIRECT_URL of the server: ${env}`
      : 'the login page for candidates from outside the LMS; examgate’s finish page, with the way back to the course, for LMS launches',
    linkLifetimeHours: 'no limit of its own: links and codes work until the window ends (plus extra time) or the test is closed',
    csvDelimiter: DELIMITER_WORDS.auto,
    slipPassword: 'shown',
    slipEntryCode: 'shown',
    slipLink: 'shown',
  };
}

/** Blank for a platform: whatever the installation has in force. */
function platformBlanks(installation: EffectiveSettings, blanks: SettingsSection['inherited']): SettingsSection['inherited'] {
  const as = (text: string) => `as the installation: ${text}`;
  return {
    finishRedirectUrl: as(installation.finishRedirectUrl ?? blanks.finishRedirectUrl),
    linkLifetimeHours: as(installation.linkLifetimeHours === null ? 'no limit of its own' : `${installation.linkLifetimeHours} hours`),
    csvDelimiter: as(DELIMITER_WORDS[installation.csvDelimiter]),
    slipPassword: as(shown(installation.slips.password)),
    slipEntryCode: as(shown(installation.slips.entryCode)),
    slipLink: as(shown(installation.slips.link)),
  };
}

/**
 * The page's sections: the installation first, then each platform. A refused form keeps what
 * was typed (`typed`, for its scope only).
 */
export function presentSettings(input: {
  installation: { values: SettingsValues; effective: EffectiveSettings };
  platforms: Array<{ id: string; name: string; values: SettingsValues }>;
  envFinishRedirectUrl: string | null;
  typed?: { scope: string; form: SettingsForm };
}): SettingsSection[] {
  const blanks = installationBlanks(input.envFinishRedirectUrl);
  const formFor = (scope: string, values: SettingsValues) => (input.typed?.scope === scope ? input.typed.form : formOf(values));
  return [
    {
      scope: INSTALLATION,
      prefix: 'installation',
      heading: 'Installation default',
      isInstallation: true,
      form: formFor(INSTALLATION, input.installation.values),
      inherited: blanks,
    },
    ...input.platforms.map((platform) => ({
      scope: platform.id,
      prefix: `platform-${platform.id}`,
      heading: platform.name,
      isInstallation: false,
      form: formFor(platform.id, platform.values),
      inherited: platformBlanks(input.installation.effective, blanks),
    })),
  ];
}
