/**
 * The characters of usernames people type (seed 002): ASCII letters and digits, `@ _ - .`,
 * and the Latin letters with diacritics the seed lists (À–ÿ without × and ÷, and Ā–ą).
 */
const ALLOWED = /^[A-Za-z0-9@_.\-\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0100-\u0105]$/u;
export const USERNAME_MAX = 500;

/** A username that breaks the rules; the message names the first offending character. */
export class InvalidUsernameError extends Error {
  readonly field = 'username';
  constructor(message: string) {
    super(message);
    this.name = 'InvalidUsernameError';
  }
}

/** How a character is named in a message: itself, or a word for what cannot be seen. */
function describe(char: string): string {
  const code = char.codePointAt(0) ?? 0;
  if (char === ' ') {
    return 'A space';
  }
  if (code < 0x20 || (code >= 0x7f && code < 0xa0)) {
    return `The control character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  if (/\s/u.test(char)) {
    return `The space character U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  }
  return `"${char}"`;
}

/** The username as stored (NFC, surrounding spaces trimmed), or InvalidUsernameError. */
export function checkUsername(raw: string): string {
  const username = raw.normalize('NFC').trim();
  const chars = Array.from(username);
  if (chars.length === 0) {
    throw new InvalidUsernameError('Give a username of 1 to 500 characters.');
  }
  if (chars.length > USERNAME_MAX) {
    throw new InvalidUsernameError(`A username is at most ${USERNAME_MAX} characters; this one has ${chars.length}.`);
  }
  const bad = chars.find((c) => !ALLOWED.test(c));
  if (bad !== undefined) {
    throw new InvalidUsernameError(
      `${describe(bad)} is not allowed in a username. Use letters (including À–ÿ, Ā–ą), digits and @ _ - . only.`,
    );
  }
  return username;
}

/** What makes two usernames the same account: NFC and lower case ("Anna" and "anna" are one). */
export function usernameKey(username: string): string {
  return username.normalize('NFC').toLowerCase();
}
