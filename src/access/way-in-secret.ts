import { createHash, randomBytes } from 'node:crypto';
import { newEntryCode, normaliseEntryCode } from './entry-code.js';

/** The two personal ways in a candidate is given. */
export type WayInKind = 'link' | 'code';

/** 256 random bits, base64url: 43 characters, no personal data, nothing to tamper with. */
const LINK_TOKEN = /^[A-Za-z0-9_-]{43}$/;

export function newLinkToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The token as sent, or null when it cannot be one of examgate's (looked up no further). */
export function parseLinkToken(sent: string): string | null {
  return LINK_TOKEN.test(sent) ? sent : null;
}

/** What a way in is looked up by: the SHA-256 of the token, or of the normalised code. */
export function lookupHash(value: string): string {
  return createHash('sha256').update(value, 'utf8').digest('hex');
}

/** A new secret of `kind`: the value kept (sealed) for staff, and its lookup hash. */
export function newWayInSecret(kind: WayInKind): { value: string; hash: string } {
  const value = kind === 'link' ? newLinkToken() : newEntryCode();
  return { value, hash: lookupHash(value) };
}

/** The lookup hash of what a candidate brought, or null when it is malformed. */
export function hashOfSent(kind: WayInKind, sent: string): string | null {
  const value = kind === 'link' ? parseLinkToken(sent) : normaliseEntryCode(sent);
  return value === null ? null : lookupHash(value);
}
