import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretKeys } from '../config.js';

/** What a sealed value holds, and whether it was sealed under SECRET_KEY_PREVIOUS (so it should be sealed again). */
export interface Opened {
  plain: string;
  stale: boolean;
}

/**
 * Text that must be shown again later but never rests in clear (examgate's private signing
 * keys, generated one-time passwords, direct-link tokens): AES-256-GCM under a key derived
 * from SECRET_KEY for one purpose, so a value sealed for one purpose never opens as another.
 * During a rotation a value sealed under SECRET_KEY_PREVIOUS still opens (`stale`), and
 * `seal` always writes under SECRET_KEY.
 */
export class SealedText {
  readonly #keys: Buffer[];

  /** `purpose` is the HKDF info string; changing it makes every stored value unreadable. */
  constructor(secrets: SecretKeys, purpose: string) {
    this.#keys = secrets.map((secret) => Buffer.from(hkdfSync('sha256', secret, 'examgate', purpose, 32)));
  }

  seal(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#keys[0]!, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [iv, cipher.getAuthTag(), body].map((b) => b.toString('base64')).join('.');
  }

  /** The sealed text, or null when neither SECRET_KEY nor SECRET_KEY_PREVIOUS opens it (or it is damaged). */
  open(sealed: string): Opened | null {
    const [iv, tag, body, extra] = sealed.split('.').map((part) => Buffer.from(part, 'base64'));
    if (!iv || !tag || !body || extra || iv.length !== 12 || tag.length !== 16) {
      return null;
    }
    for (const [index, key] of this.#keys.entries()) {
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv);
        decipher.setAuthTag(tag);
        return { plain: Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8'), stale: index > 0 };
      } catch {
        // GCM's tag check refuses every key but the one that sealed it: try the next.
      }
    }
    return null;
  }
}
