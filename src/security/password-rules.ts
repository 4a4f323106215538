import { randomStrings } from '../access/one-time-secrets.js';

/** The seed 002 rule for passwords people choose: at least 8 characters, an upper-case letter and a digit. */
export const PASSWORD_RULE = 'at least 8 characters, with an upper-case letter and a digit';
export const PASSWORD_MAX = 500;

/** Why `password` breaks the seed 002 rule, or null when it keeps it. Such passwords are kept, but flagged weak. */
export function weakness(password: string): string | null {
  const missing: string[] = [];
  if (Array.from(password).length < 8) {
    missing.push('at least 8 characters');
  }
  if (!/\p{Lu}/u.test(password)) {
    missing.push('an upper-case letter');
  }
  if (!/\p{Nd}/u.test(password)) {
    missing.push('a digit');
  }
  return missing.length > 0 ? `The password needs ${missing.join(', ')}.` : null;
}

// No characters that pass for others on paper (0 O o, 1 l I i).
const LOWER = 'abcdefghjkmnpqrstuvwxyz';
const UPPER = 'ABCDEFGHJKLMNPQRSTUVWXYZ';
const DIGITS = '23456789';

/**
 * A generated password that keeps the rule: 14 characters (about 80 bits) from an unambiguous
 * alphabet, drawn again (rarely) until it holds an upper-case letter and a digit.
 */
export function generatePassword(): string {
  const alphabet = LOWER + UPPER + DIGITS;
  for (;;) {
    const [candidate] = randomStrings(alphabet, 14, 1);
    if (candidate && weakness(candidate) === null) {
      return candidate;
    }
  }
}

/**
 * `count` passwords as generatePassword makes them, drawn from one random pool (a bulk upload
 * generates up to 100 000: one system call per batch, not one per password). A draw that
 * breaks the rule is replaced by a fresh one, as there.
 */
export function generatePasswords(count: number): string[] {
  const alphabet = LOWER + UPPER + DIGITS;
  return randomStrings(alphabet, 14, count).map((candidate) => (weakness(candidate) === null ? candidate : generatePassword()));
}
