/** Builds hand-off tokens the way examgate does, plus the broken ones an attacker or a bug would send. */
import { createHmac, randomUUID } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { FakeExamgate } from './fake-examgate.js';

export type Claims = Record<string, unknown>;

/** Default claims of a valid hand-off for `examgate` to the engine at `engineOrigin`; override any of them. */
export function buildHandoffClaims(examgate: FakeExamgate, engineOrigin: string, overrides: Claims = {}): Claims {
  const now = Math.floor(Date.now() / 1000);
  const attempt = `att-${randomUUID()}`;
  return {
    iss: examgate.url,
    aud: engineOrigin,
    purpose: 'examgate-handoff',
    sub: `cand-${randomUUID()}`,
    jti: randomUUID(),
    iat: now,
    exp: now + 120,
    exam: {
      id: 'exam-1',
      title: 'Algebra final',
      durationMinutes: 60,
      window: { start: '2030-06-15T07:00:00Z', end: '2030-06-15T09:00:00Z', timeZone: 'Europe/Oslo' },
    },
    candidate: { id: 'Cand 0042', extraTimeMinutes: 15 },
    attempt,
    report_url: examgate.reportUrl(attempt),
    return_url: examgate.returnUrl(attempt),
    ...overrides,
  };
}

/** RS256 with examgate's key and kid unless told otherwise; claims are signed exactly as given. */
export function signHandoff(claims: Claims, examgate: FakeExamgate, options: { key?: KeyObject; kid?: string | null } = {}): string {
  const kid = options.kid === undefined ? examgate.kid : options.kid;
  return jwt.sign(claims, options.key ?? examgate.privateKey, {
    algorithm: 'RS256',
    ...(kid === null ? {} : { keyid: kid }),
    ...(claims.iat === undefined ? { noTimestamp: true } : {}),
  });
}

/** A token with any header and an optional HMAC key (`alg: none` when the key is absent). */
export function rawToken(header: Claims, claims: Claims, hmacKey?: string): string {
  const input = `${base64url(header)}.${base64url(claims)}`;
  const signature = hmacKey === undefined ? '' : createHmac('sha256', hmacKey).update(input).digest('base64url');
  return `${input}.${signature}`;
}

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
