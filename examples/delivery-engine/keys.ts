import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';

export interface JsonWebKeySet {
  keys: JsonWebKey[];
}

/** The engine's own signing key: it signs reports, examgate checks them against `jwks()`. */
export interface EngineKeys {
  readonly kid: string;
  readonly privateKey: KeyObject;
  jwks(): JsonWebKeySet;
}

/**
 * Loads the engine's RSA key from PEM, or generates a fresh 2048-bit pair (fine for a sample:
 * examgate fetches the JWKS again when it meets a kid it does not know).
 */
export function loadEngineKeys(privateKeyPem?: string): EngineKeys {
  const privateKey = privateKeyPem ? createPrivateKey(privateKeyPem) : generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  if (privateKey.asymmetricKeyType !== 'rsa') {
    throw new Error(`the engine's private key must be an RSA key, not ${privateKey.asymmetricKeyType ?? 'unknown'}`);
  }
  const { n, e } = createPublicKey(privateKey).export({ format: 'jwk' });
  if (typeof n !== 'string' || typeof e !== 'string') {
    throw new Error("the engine's public key could not be exported as a JWK");
  }
  const kid = thumbprint(n, e);
  const publicJwk: JsonWebKey = { kty: 'RSA', n, e, kid, use: 'sig', alg: 'RS256' };
  return { kid, privateKey, jwks: () => ({ keys: [{ ...publicJwk }] }) };
}

/** RFC 7638 thumbprint: the kid stays the same for the same key across restarts. */
function thumbprint(n: string, e: string): string {
  return createHash('sha256')
    .update(JSON.stringify({ e, kty: 'RSA', n }))
    .digest('base64url');
}
