import { createPrivateKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import type { SecretKeys } from '../config.js';
import { SealedText } from '../secrets/sealed-text.js';
import type { ResealReport } from '../stored-secrets.js';
import type { SigningKeyRepository } from './signing-key.repository.js';

export interface SigningKey {
  kid: string;
  privateKey: KeyObject;
}

export interface PublicJwk {
  kty: string;
  n: string;
  e: string;
  kid: string;
  alg: 'RS256';
  use: 'sig';
}

/**
 * examgate's own RS256 keys for the tokens it issues (hand-offs). Kept in the database so
 * every process signs with the same key and publishes the same JWKS; made on first use.
 * Sealed under SECRET_KEY; during a rotation a key still sealed under SECRET_KEY_PREVIOUS
 * opens too, and `reseal` brings it under SECRET_KEY (same key, same kid: engines notice nothing).
 */
export class SigningKeys {
  private loaded: Promise<{ current: SigningKey; jwks: PublicJwk[] }> | null = null;
  private readonly sealed: SealedText;

  constructor(
    private readonly repository: SigningKeyRepository,
    secrets: SecretKeys,
  ) {
    // The private key never rests in clear; the purpose string is the one the first keys were sealed with.
    this.sealed = new SealedText(secrets, 'signing-key-encryption');
  }

  async current(): Promise<SigningKey> {
    return (await this.load()).current;
  }

  async jwks(): Promise<{ keys: PublicJwk[] }> {
    return { keys: (await this.load()).jwks };
  }

  /** Start-up: every stored key sealed under another of the secrets is sealed again under SECRET_KEY. */
  async reseal(): Promise<ResealReport> {
    const rows = await this.repository.all();
    const report: ResealReport = { what: "examgate's hand-off signing keys", total: rows.length, resealed: 0, unreadable: 0 };
    for (const row of rows) {
      const opened = this.sealed.open(row.sealedPrivateKey);
      if (!opened) {
        report.unreadable += 1;
      } else if (opened.stale) {
        // Conditional on what was read: of two processes starting at once, one writes.
        await this.repository.replaceSealed(row.kid, row.sealedPrivateKey, this.sealed.seal(opened.plain));
        report.resealed += 1;
      }
    }
    return report;
  }

  private load() {
    this.loaded ??= this.read().catch((err: unknown) => {
      this.loaded = null;
      throw err;
    });
    return this.loaded;
  }

  private async read(): Promise<{ current: SigningKey; jwks: PublicJwk[] }> {
    let rows = await this.repository.all();
    if (rows.length === 0) {
      await this.create();
      rows = await this.repository.all();
    }
    // If two processes created a key at once, both are published and the oldest signs.
    const first = rows[0]!;
    const opened = this.sealed.open(first.sealedPrivateKey);
    if (!opened) {
      throw new Error(`The stored signing key ${first.kid} opens with neither SECRET_KEY nor SECRET_KEY_PREVIOUS.`);
    }
    return {
      current: { kid: first.kid, privateKey: createPrivateKey(opened.plain) },
      jwks: rows.map((r) => JSON.parse(r.publicJwk) as PublicJwk),
    };
  }

  private async create(): Promise<void> {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const kid = randomBytes(12).toString('base64url');
    const jwk = publicKey.export({ format: 'jwk' });
    const publicJwk: PublicJwk = { kty: String(jwk.kty), n: String(jwk.n), e: String(jwk.e), kid, alg: 'RS256', use: 'sig' };
    await this.repository.insert({
      kid,
      sealedPrivateKey: this.sealed.seal(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
      publicJwk: JSON.stringify(publicJwk),
    });
  }
}
