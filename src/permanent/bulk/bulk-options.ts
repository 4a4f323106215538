import { PASSWORD_MAX } from '../../security/password-rules.js';
import { DETAIL_LABELS, DETAIL_MAX } from '../permanent-user.js';

/** Seed 004, "Upload Type". */
export const UPLOAD_TYPES = {
  'add-new': 'Add new only, skip existing users',
  'add-all': 'Add all, append a number to usernames that are taken',
  'add-update': 'Add new and update existing users',
  'update-only': 'Update existing users only',
} as const;
export type UploadType = keyof typeof UPLOAD_TYPES;

/** Seed 004, "New User Password". */
export const NEW_PASSWORDS = {
  file: 'Required in the file (the Password column)',
  create: 'Create a password where the file has none',
} as const;
export type NewPassword = keyof typeof NEW_PASSWORDS;

/** Seed 004, "Existing User Details" (only with the two upload types that update). */
export const EXISTING_DETAILS = {
  none: 'No changes',
  override: 'Override with the file',
  'override-defaults': 'Override with the file and the defaults',
  fill: 'Fill in what is missing from the file and the defaults',
} as const;
export type ExistingDetails = keyof typeof EXISTING_DETAILS;

/** Seed 004, "Force Password Change" (at the user's next sign-in). */
export const FORCE_CHANGE = {
  weak: 'Users with a weak password',
  none: 'None',
  all: 'All',
} as const;
export type ForceChange = keyof typeof FORCE_CHANGE;

/** The details the form may give a default for: the ones an exam office shares between users. */
export const DEFAULT_FIELDS = ['clientId', 'title', 'role', 'venue', 'bookingStatus'] as const;
export type DefaultField = (typeof DEFAULT_FIELDS)[number];

export interface BulkDefaults extends Partial<Record<DefaultField, string>> {
  /** Eligible for a user whose row leaves it empty; unset: eligible, as a new user is. */
  eligible?: boolean;
}

/** Everything the upload form chose; the common password is only ever kept sealed (see BulkOptionsStore). */
export interface BulkOptions {
  uploadType: UploadType;
  newPassword: NewPassword;
  existingDetails: ExistingDetails;
  forceChange: ForceChange;
  allowDeletes: boolean;
  emailRegistration: boolean;
  defaults: BulkDefaults;
}

export interface BulkOptionsInput extends BulkOptions {
  /** Plaintext, only on the way from the form to the store. */
  commonPassword: string | null;
}

export type OptionError = { field: string; message: string };

const pick = <T extends Record<string, string>>(choices: T, value: string): keyof T | null =>
  Object.prototype.hasOwnProperty.call(choices, value) ? (value as keyof T) : null;

/**
 * The upload form's options, checked as the server sees them (a browser's `required` is no
 * guard): every problem at once, each naming its field, or the options.
 */
export function checkBulkOptions(form: {
  uploadType: string;
  newPassword: string;
  existingDetails: string;
  forceChange: string;
  commonPassword: string;
  allowDeletes: boolean;
  emailRegistration: boolean;
  eligibleDefault: string;
  defaults: Record<DefaultField, string>;
}): { options: BulkOptionsInput | null; errors: OptionError[] } {
  const errors: OptionError[] = [];
  const choose = <T extends Record<string, string>>(field: string, label: string, choices: T, value: string): keyof T => {
    const chosen = pick(choices, value);
    if (!chosen) {
      errors.push({ field, message: `Choose one of the ${label} options: ${Object.values(choices).join(' · ')}.` });
    }
    return chosen ?? (Object.keys(choices)[0] as keyof T);
  };
  const uploadType = choose('uploadType', 'Upload type', UPLOAD_TYPES, form.uploadType);
  const newPassword = choose('newPassword', 'New user password', NEW_PASSWORDS, form.newPassword);
  const updates = uploadType === 'add-update' || uploadType === 'update-only';
  // Seed 004: the field is only enabled for the upload types that update; otherwise it means "no changes".
  const existingDetails = updates ? choose('existingDetails', 'Existing user details', EXISTING_DETAILS, form.existingDetails) : 'none';
  const forceChange = choose('forceChange', 'Force password change', FORCE_CHANGE, form.forceChange);

  const commonPassword = form.commonPassword === '' ? null : form.commonPassword;
  if (commonPassword !== null) {
    if (Array.from(commonPassword).length > PASSWORD_MAX) {
      errors.push({ field: 'commonPassword', message: `A password is at most ${PASSWORD_MAX} characters.` });
    } else if (commonPassword.trim() !== commonPassword) {
      errors.push({ field: 'commonPassword', message: 'The common password cannot begin or end with a space.' });
    }
  }
  const defaults: BulkDefaults = {};
  for (const field of DEFAULT_FIELDS) {
    const text = (form.defaults[field] ?? '').normalize('NFC').trim();
    if (Array.from(text).length > DETAIL_MAX[field]) {
      errors.push({
        field: `default-${field}`,
        message: `The default ${DETAIL_LABELS[field]} is at most ${DETAIL_MAX[field]} characters.`,
      });
    } else if (text) {
      defaults[field] = text;
    }
  }
  if (form.eligibleDefault === 'yes' || form.eligibleDefault === 'no') {
    defaults.eligible = form.eligibleDefault === 'yes';
  } else if (form.eligibleDefault !== '') {
    errors.push({ field: 'default-eligible', message: 'Choose the default for Eligible: leave it, yes or no.' });
  }
  if (uploadType === 'update-only' && commonPassword !== null) {
    errors.push({
      field: 'commonPassword',
      message:
        'The common password is for new users, and "Update existing users only" adds none: leave it empty or choose another upload type.',
    });
  }
  if (errors.length > 0) {
    return { options: null, errors };
  }
  return {
    options: {
      uploadType,
      newPassword,
      existingDetails,
      forceChange,
      allowDeletes: form.allowDeletes,
      emailRegistration: form.emailRegistration,
      defaults,
      commonPassword,
    },
    errors: [],
  };
}

/** What the preview and the report say about the options, one sentence each. */
export function describeOptions(options: BulkOptions, hasCommonPassword: boolean): string[] {
  const updates = options.uploadType === 'add-update' || options.uploadType === 'update-only';
  const defaults = Object.entries(options.defaults).map(([k, v]) =>
    k === 'eligible' ? `Eligible = ${v ? 'yes' : 'no'}` : `${DETAIL_LABELS[k as DefaultField]} = "${String(v)}"`,
  );
  return [
    `Upload type: ${UPLOAD_TYPES[options.uploadType]}.`,
    `New user password: ${NEW_PASSWORDS[options.newPassword]}${hasCommonPassword ? '; a common password is set for every new user' : ''}.`,
    ...(updates ? [`Existing user details: ${EXISTING_DETAILS[options.existingDetails]}.`] : []),
    ...(defaults.length ? [`Defaults: ${defaults.join(', ')}.`] : []),
    `Force password change: ${FORCE_CHANGE[options.forceChange]}.`,
    `Allow deletes: ${options.allowDeletes ? 'yes, rows with Deleted = yes delete the user' : 'no, rows with Deleted = yes are reported, not applied'}.`,
  ];
}
