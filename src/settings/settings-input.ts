import { LIFETIME_HOURS, type DelimiterSetting, type SettingsValues } from './settings.js';
import { InvalidSettingsError, type SettingsProblem } from './settings.errors.js';

/** The settings form as sent: text fields and the choices of its selects ('' = not set here). */
export type SettingsForm = Record<
  'finishRedirectUrl' | 'linkLifetimeHours' | 'csvDelimiter' | 'slipPassword' | 'slipEntryCode' | 'slipLink',
  string
>;

const DELIMITERS: Record<string, DelimiterSetting | null> = { '': null, auto: 'auto', semicolon: ';', comma: ',' };
const SHOW: Record<string, boolean | null> = { '': null, show: true, hide: false };
const SLIP_LABELS = { slipPassword: 'password', slipEntryCode: 'entry code', slipLink: 'direct link and QR code' } as const;

export function readSettingsForm(body: unknown): SettingsForm {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string).trim() : '');
  return {
    finishRedirectUrl: text('finishRedirectUrl'),
    linkLifetimeHours: text('linkLifetimeHours'),
    csvDelimiter: text('csvDelimiter'),
    slipPassword: text('slipPassword'),
    slipEntryCode: text('slipEntryCode'),
    slipLink: text('slipLink'),
  };
}

/** An http(s) address without credentials in it; plain http only where `allowHttp` (never in production). */
function finishUrl(text: string, allowHttp: boolean, problems: SettingsProblem[]): string | null {
  const fail = (message: string) => (problems.push({ field: 'finishRedirectUrl', message }), null);
  if (text === '') {
    return null;
  }
  if (text.length > 2000) {
    return fail('The finish redirect URL is longer than 2000 characters.');
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`The finish redirect URL must be a full address starting with https:// (got "${text.slice(0, 80)}").`);
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    return fail(`The finish redirect URL must start with https://${allowHttp ? ' or http://' : ''}, not ${url.protocol}.`);
  }
  if (url.username || url.password) {
    return fail('The finish redirect URL must not contain a user name or password.');
  }
  return url.href;
}

function lifetime(text: string, problems: SettingsProblem[]): number | null {
  if (text === '') {
    return null;
  }
  const hours = /^\d{1,6}$/.test(text) ? Number(text) : NaN;
  if (!(hours >= LIFETIME_HOURS.min && hours <= LIFETIME_HOURS.max)) {
    problems.push({
      field: 'linkLifetimeHours',
      message: `The link lifetime must be a whole number of hours from ${LIFETIME_HOURS.min} to ${LIFETIME_HOURS.max} (a year), or empty (got "${text.slice(0, 20)}").`,
    });
    return null;
  }
  return hours;
}

function choice<T>(choices: Record<string, T | null>, text: string, field: string, message: string, problems: SettingsProblem[]): T | null {
  if (!Object.hasOwn(choices, text)) {
    problems.push({ field, message });
    return null;
  }
  return choices[text] ?? null;
}

/** The form as values of one scope; InvalidSettingsError with every problem at once. */
export function parseSettingsForm(form: SettingsForm, options: { allowHttp: boolean }): SettingsValues {
  const problems: SettingsProblem[] = [];
  const values: SettingsValues = {
    finishRedirectUrl: finishUrl(form.finishRedirectUrl, options.allowHttp, problems),
    linkLifetimeHours: lifetime(form.linkLifetimeHours, problems),
    csvDelimiter: choice(
      DELIMITERS,
      form.csvDelimiter,
      'csvDelimiter',
      'Choose the CSV separator: ";", "," or the browser’s language.',
      problems,
    ),
    slipPassword: null,
    slipEntryCode: null,
    slipLink: null,
  };
  for (const field of ['slipPassword', 'slipEntryCode', 'slipLink'] as const) {
    values[field] = choice(SHOW, form[field], field, `Choose whether slips show the ${SLIP_LABELS[field]}.`, problems);
  }
  if (problems.length > 0) {
    throw new InvalidSettingsError(problems);
  }
  return values;
}

/** Values back to the form's own words (for showing a scope's settings in its fields). */
export function formOf(values: SettingsValues): SettingsForm {
  const show = (v: boolean | null) => (v === null ? '' : v ? 'show' : 'hide');
  const delimiter = Object.entries(DELIMITERS).find(([, v]) => v === values.csvDelimiter)?.[0] ?? '';
  return {
    finishRedirectUrl: values.finishRedirectUrl ?? '',
    linkLifetimeHours: values.linkLifetimeHours === null ? '' : String(values.linkLifetimeHours),
    csvDelimiter: delimiter,
    slipPassword: show(values.slipPassword),
    slipEntryCode: show(values.slipEntryCode),
    slipLink: show(values.slipLink),
  };
}
