import { randomInt } from 'node:crypto';

/**
 * Entry codes are read off a slip and typed, often on a phone: no 0/O, 1/I/L, U/V pairs
 * (U is left out, V stays) and nothing that depends on case. 30 symbols, 10 of them: about
 * 49 bits, which the per-address throttle on /enter makes unguessable in practice.
 */
export const CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTVWXYZ23456789';
export const CODE_LENGTH = 10;

/** A new code, drawn without bias (randomInt rejects what would skew the last symbols). */
export function newEntryCode(): string {
  let code = '';
  for (let i = 0; i < CODE_LENGTH; i += 1) {
    code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  }
  return code;
}

/** How a code is printed and shown: `ABCD-EFGH-JK`. */
export function formatEntryCode(code: string): string {
  return [code.slice(0, 4), code.slice(4, 8), code.slice(8)].filter((part) => part !== '').join('-');
}

/**
 * What someone typed, as the code it is meant to be: any case, spaces and dashes (also the
 * typographic ones a phone puts in) ignored, full-width letters folded. Null when what is left
 * cannot be a code at all (wrong length, a symbol the alphabet does not have).
 */
export function normaliseEntryCode(typed: string): string | null {
  const compact = typed
    .normalize('NFKC')
    .toUpperCase()
    .replace(/[\s\-\u2010-\u2015\u2212]/g, '');
  if (compact.length !== CODE_LENGTH) {
    return null;
  }
  return [...compact].every((symbol) => CODE_ALPHABET.includes(symbol)) ? compact : null;
}
