/**
 * JWS compact serialisation. Signing is done by hand (not via jsonwebtoken) so
 * the simulator can produce deliberately broken tokens: alg none, HS256, a
 * header that lies about the key. Verification of the tool's JWTs uses
 * jsonwebtoken with the algorithm pinned to RS256.
 */
import { createHmac, sign as rsaSign } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { fetchPublicKey } from './keys.js';

export type Signer = (signingInput: string) => string;

/** RS256 = RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3). */
export function rs256Signer(privateKey: KeyObject): Signer {
  return (input) => rsaSign('sha256', Buffer.from(input), privateKey).toString('base64url');
}

/** HS256 = HMAC SHA-256 (RFC 7518 §3.2). */
export function hs256Signer(secret: string): Signer {
  return (input) => createHmac('sha256', secret).update(input).digest('base64url');
}

/** alg none carries an empty signature (RFC 7519 §6.1). */
export const unsignedSigner: Signer = () => '';

/** Serialises header and claims and appends the signature `signer` makes. */
export function encodeJwt(header: Record<string, unknown>, claims: Record<string, unknown>, signer: Signer): string {
  const encode = (part: Record<string, unknown>): string => Buffer.from(JSON.stringify(part)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  return `${input}.${signer(input)}`;
}

export interface RemoteVerification {
  jwksUrl: string;
  issuer: string;
  audience: string;
  subject?: string;
  /** How the tool's JWKS is fetched. */
  fetch: typeof fetch;
}

/**
 * Verifies a JWT signed by the tool: picks the key by kid from the tool's JWKS
 * (fetched over HTTP), requires RS256, iss, aud (string or array), sub when
 * asked, and an exp claim (LTI Security §5.1.3 makes it mandatory).
 * @returns the verified claims; throws an Error describing the first failure.
 */
export async function verifyRemoteJwt(token: string, expect: RemoteVerification): Promise<Record<string, unknown>> {
  const decoded = jwt.decode(token, { complete: true });
  if (!decoded || typeof decoded.header !== 'object') {
    throw new Error('not a JWT');
  }
  if (decoded.header.alg !== 'RS256') {
    throw new Error(`alg must be RS256, got ${decoded.header.alg}`);
  }
  const key = await fetchPublicKey(expect.jwksUrl, decoded.header.kid, expect.fetch);
  const payload = jwt.verify(token, key, {
    algorithms: ['RS256'],
    issuer: expect.issuer,
    audience: expect.audience,
    ...(expect.subject === undefined ? {} : { subject: expect.subject }),
  });
  if (typeof payload !== 'object' || payload === null) {
    throw new Error('JWT payload is not an object');
  }
  if (typeof payload.exp !== 'number') {
    throw new Error('JWT has no exp claim');
  }
  return { ...payload };
}
