import { randomBytes } from 'node:crypto';

/**
 * What examgate generates for one-time users, typed by candidates from a printed slip on exam
 * morning: lower case only (no case to get wrong) and none of the characters that pass for
 * others on paper or in common fonts (0 o, 1 l i, and so no i or o at all).
 */
export const ONE_TIME_ALPHABET = 'abcdefghjkmnpqrstuvwxyz23456789';
export const PASSWORD_LENGTH = 14;
export const USERNAME_PREFIX = 'ot-';
export const USERNAME_RANDOM_LENGTH = 8;

/** Bits of entropy of a string of `length` characters drawn uniformly from `alphabetSize` symbols. */
export function entropyBits(alphabetSize: number, length: number): number {
  return length * Math.log2(alphabetSize);
}

/**
 * `count` strings of `length` characters drawn uniformly from `alphabet`, from one call to the
 * system CSPRNG per batch (1500 users must take milliseconds). Rejection sampling keeps every
 * character equally likely: bytes at or above the largest multiple of the alphabet size are skipped.
 */
export function randomStrings(alphabet: string, length: number, count: number): string[] {
  const size = alphabet.length;
  const limit = 256 - (256 % size);
  const out: string[] = [];
  let pool = randomBytes(Math.ceil(length * count * 1.2) + 16);
  let at = 0;
  for (let n = 0; n < count; n += 1) {
    let text = '';
    while (text.length < length) {
      if (at >= pool.length) {
        pool = randomBytes(length * 4 + 16);
        at = 0;
      }
      const byte = pool[at++]!;
      if (byte < limit) {
        text += alphabet[byte % size];
      }
    }
    out.push(text);
  }
  return out;
}

export function generatePasswords(count: number): string[] {
  return randomStrings(ONE_TIME_ALPHABET, PASSWORD_LENGTH, count);
}

/** `ot-` and random characters: unambiguous, and (40 bits) practically never the same twice; the unique index has the last word. */
export function generateUsernames(count: number): string[] {
  return randomStrings(ONE_TIME_ALPHABET, USERNAME_RANDOM_LENGTH, count).map((random) => USERNAME_PREFIX + random);
}
