/**
 * RSA signing keys and JSON Web Key Sets, both the LMS's own and the tool's
 * (fetched over HTTP, exactly as a real platform must do it).
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

export interface SigningKey {
  privateKey: KeyObject;
  publicKey: KeyObject;
  kid: string;
  privateKeyPem: string;
}

/** The public members of an RSA JWK as published in a JWKS. */
export interface PublicJwk {
  kty: string;
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/**
 * Creates a signing key: a fresh 2048-bit RSA pair, or the one in `pem`.
 * The kid is the RFC 7638 thumbprint so a persisted key keeps its kid.
 */
export function createSigningKey(pem?: string): SigningKey {
  const privateKey = pem ? createPrivateKey(pem) : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  const publicKey = createPublicKey(privateKey);
  const privateKeyPem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  return { privateKey, publicKey, kid: thumbprint(publicKey), privateKeyPem };
}

/** Publishes the public half of `key` in JWK form. */
export function publicJwk(key: SigningKey): PublicJwk {
  const { n, e, kty } = rsaMembers(key.publicKey);
  return { kty, n, e, kid: key.kid, alg: 'RS256', use: 'sig' };
}

let strayKey: SigningKey | undefined;

/**
 * A key that is in nobody's JWKS, for "signed by someone else" tampering.
 * Generated lazily and shared because RSA generation is slow-ish.
 */
export function strangerKey(): SigningKey {
  strayKey ??= createSigningKey();
  return strayKey;
}

function rsaMembers(publicKey: KeyObject): { kty: string; n: string; e: string } {
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.n !== 'string' || typeof jwk.e !== 'string' || typeof jwk.kty !== 'string') {
    throw new Error('signing key is not an RSA key');
  }
  return { kty: jwk.kty, n: jwk.n, e: jwk.e };
}

/** RFC 7638: SHA-256 over the required members in lexicographic order. */
function thumbprint(publicKey: KeyObject): string {
  const { e, kty, n } = rsaMembers(publicKey);
  const canonical = JSON.stringify({ e, kty, n });
  return createHash('sha256').update(canonical).digest('base64url');
}

/**
 * Fetches a JWKS over HTTP and returns the RSA key with `kid` as a KeyObject.
 * Without a kid the set must hold exactly one key, otherwise the choice would be a guess.
 */
export async function fetchPublicKey(jwksUrl: string, kid: string | undefined, fetchJwks: typeof fetch = fetch): Promise<KeyObject> {
  const response = await fetchJwks(jwksUrl, { headers: { accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`JWKS ${jwksUrl} answered ${response.status}`);
  }
  const keys = rsaKeysOf(await response.json());
  const match = kid === undefined ? (keys.length === 1 ? keys[0] : undefined) : keys.find((k) => k.kid === kid);
  if (!match) {
    throw new Error(`no key with kid ${String(kid)} in ${jwksUrl}`);
  }
  return createPublicKey({ key: { kty: 'RSA', n: match.n, e: match.e }, format: 'jwk' });
}

function rsaKeysOf(body: unknown): Array<{ kid: unknown; n: string; e: string }> {
  if (typeof body !== 'object' || body === null || !('keys' in body) || !Array.isArray(body.keys)) {
    throw new Error('JWKS has no keys array');
  }
  const keys: Array<{ kid: unknown; n: string; e: string }> = [];
  for (const key of body.keys as unknown[]) {
    if (typeof key !== 'object' || key === null) {
      continue;
    }
    const record = key as Record<string, unknown>;
    if (record.kty === 'RSA' && typeof record.n === 'string' && typeof record.e === 'string') {
      keys.push({ kid: record.kid, n: record.n, e: record.e });
    }
  }
  return keys;
}
