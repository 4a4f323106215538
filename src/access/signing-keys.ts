import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  hkdfSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import type { SecretKeys } from '../config.js';
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

/** The private key never rests in clear: AES-256-GCM under a key derived from SECRET_KEY. */
function sealingKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'examgate', 'signing-key-encryption', 32));
}

function seal(secret: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(secret), iv);
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64')).join('.');
}

function unseal(secret: string, sealed: string): string {
  const [iv, tag, body] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
  if (!iv || !tag || !body) {
    throw new Error('A stored signing key is damaged.');
  }
  const decipher = createDecipheriv('aes-256-gcm', sealingKey(secret), iv);
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
}

/** The secret (of SECRET_KEY, SECRET_KEY_PREVIOUS) that sealed `sealed`, and what it sealed; null when none opens it. */
function openWithAny(secrets: SecretKeys, sealed: string): { secret: string; plain: string } | null {
  for (const secret of secrets) {
    try {
      return { secret, plain: unseal(secret, sealed) };
    } catch {
      // GCM's tag check refuses every secret but the one that sealed it: try the next.
    }
  }
  return null;
}

/**
 * examgate's own RS256 keys for the tokens it issues (hand-offs). Kept in the database so
 * every process signs with the same key and publishes the same JWKS; made on first use.
 * Sealed under SECRET_KEY; during a rotation a key still sealed under SECRET_KEY_PREVIOUS
 * opens too, and `reseal` brings it under SECRET_KEY (same key, same kid: engines notice nothing).
 */
export class SigningKeys {
  private loaded: Promise<{ current: SigningKey; jwks: PublicJwk[] }> | null = null;

  constructor(
    private readonly repository: SigningKeyRepository,
    private readonly secrets: SecretKeys,
  ) {}

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
      const opened = openWithAny(this.secrets, row.sealedPrivateKey);
      if (!opened) {
        report.unreadable += 1;
      } else if (opened.secret !== this.secrets[0]) {
        // Conditional on what was read: of two processes starting at once, one writes.
        await this.repository.replaceSealed(row.kid, row.sealedPrivateKey, seal(this.secrets[0], opened.plain));
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
    const opened = openWithAny(this.secrets, first.sealedPrivateKey);
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
      sealedPrivateKey: seal(this.secrets[0], privateKey.export({ format: 'pem', type: 'pkcs8' }).toString()),
      publicJwk: JSON.stringify(publicJwk),
    });
  }
}
