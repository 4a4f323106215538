import { checkUsername, InvalidUsernameError } from '../access/username-rules.js';
import { PASSWORD_MAX } from '../security/password-rules.js';
import { InvalidPermanentUserError } from './permanent-user.errors.js';
import { DETAIL_FIELDS, DETAIL_LABELS, DETAIL_MAX, type PermanentUserDetails } from './permanent-user.js';

/** What a form (or later a CSV row) gives for one user: the username and the details, as typed. */
export interface PermanentUserInput {
  username: string;
  details: Partial<Record<keyof PermanentUserDetails, string | boolean | null>>;
}

/** One e-mail address, loosely: something@something.tld, no spaces; the mail server has the last word. */
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/u;

export interface CheckedInput {
  username: string;
  details: PermanentUserDetails;
}

/**
 * Every problem of the input at once (each naming its field), or the checked values: the
 * username by the seed 002 rules, texts NFC, trimmed, empty as none, within their lengths.
 */
export function checkInput(input: PermanentUserInput): { value: CheckedInput | null; errors: InvalidPermanentUserError[] } {
  const errors: InvalidPermanentUserError[] = [];
  let username = '';
  try {
    username = checkUsername(input.username);
  } catch (err) {
    if (!(err instanceof InvalidUsernameError)) {
      throw err;
    }
    errors.push(new InvalidPermanentUserError('username', err.message));
  }
  const details = { eligible: input.details.eligible !== false } as PermanentUserDetails;
  for (const field of DETAIL_FIELDS) {
    const raw = input.details[field];
    const text = typeof raw === 'string' ? raw.normalize('NFC').trim() : '';
    details[field] = text || null;
    if (Array.from(text).length > DETAIL_MAX[field]) {
      errors.push(new InvalidPermanentUserError(field, `${DETAIL_LABELS[field]} is at most ${DETAIL_MAX[field]} characters.`));
    }
  }
  if (details.email && !EMAIL.test(details.email)) {
    errors.push(new InvalidPermanentUserError('email', 'Give the e-mail address in the form name@example.org, or leave it empty.'));
  }
  return { value: errors.length === 0 ? { username, details } : null, errors };
}

/** A chosen password as typed: 1..500 characters, no surrounding spaces to lose on the way. */
export function checkChosenPassword(password: string, field = 'password'): string {
  if (!password) {
    throw new InvalidPermanentUserError(field, 'Type the new password, or choose to generate one.');
  }
  if (Array.from(password).length > PASSWORD_MAX) {
    throw new InvalidPermanentUserError(field, `A password is at most ${PASSWORD_MAX} characters.`);
  }
  if (password.trim() !== password) {
    throw new InvalidPermanentUserError(field, 'A password cannot begin or end with a space.');
  }
  return password;
}
