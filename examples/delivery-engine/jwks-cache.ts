import { createPublicKey } from 'node:crypto';
import type { JsonWebKey, KeyObject } from 'node:crypto';
import { DeliveryError, reasonOf } from './errors.js';

export interface JwksCacheOptions {
  /** examgate's key set: `${examgateUrl}/.well-known/jwks.json`. */
  url: string;
  fetch: typeof fetch;
  /** An unknown kid refetches the key set at most this often (a flood of made-up kids must not hammer examgate). */
  unknownKidRefetchMs?: number;
  /** Keys older than this are refreshed on the next look-up, so a key examgate withdrew stops working. */
  maxAgeMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

/** examgate's public keys by kid, fetched once and refreshed when a new kid shows up. */
export class JwksCache {
  readonly #options: Required<JwksCacheOptions>;
  #keys = new Map<string, KeyObject>();
  #loaded = false;
  #checkedAt = 0;
  #unknownKidRefetchAt = Number.NEGATIVE_INFINITY;
  #inFlight: Promise<void> | null = null;

  constructor(options: JwksCacheOptions) {
    this.#options = { unknownKidRefetchMs: 30_000, maxAgeMs: 10 * 60_000, timeoutMs: 5_000, now: Date.now, ...options };
  }

  /** The key for `kid`, or undefined when examgate does not publish it. Throws `jwks_unavailable` when no key set was ever loaded. */
  async keyFor(kid: string): Promise<KeyObject | undefined> {
    const now = this.#options.now();
    const justLoaded = !this.#loaded || now - this.#checkedAt >= this.#options.maxAgeMs;
    if (justLoaded) {
      await this.#refresh();
    }
    const key = this.#keys.get(kid);
    if (key || justLoaded || now - this.#unknownKidRefetchAt < this.#options.unknownKidRefetchMs) {
      return key;
    }
    this.#unknownKidRefetchAt = now;
    await this.#refresh();
    return this.#keys.get(kid);
  }

  /** One fetch at a time; a failed refresh keeps the keys already known. */
  async #refresh(): Promise<void> {
    this.#inFlight ??= this.#load().finally(() => {
      this.#inFlight = null;
    });
    try {
      await this.#inFlight;
    } catch (err) {
      if (!this.#loaded) {
        throw err;
      }
    }
  }

  async #load(): Promise<void> {
    this.#checkedAt = this.#options.now();
    const { url, timeoutMs } = this.#options;
    let body: unknown;
    try {
      const response = await this.#options.fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
      if (!response.ok) {
        throw new Error(`HTTP ${response.status}`);
      }
      body = await response.json();
    } catch (err) {
      throw unavailable(url, reasonOf(err));
    }
    const keys = parseKeySet(body);
    if (!keys) {
      throw unavailable(url, 'it is not a JSON Web Key Set');
    }
    this.#keys = keys;
    this.#loaded = true;
  }
}

/** Keeps the RSA signing keys that carry a kid; skips everything else (encryption keys, other key types). */
function parseKeySet(body: unknown): Map<string, KeyObject> | null {
  const entries = isRecord(body) ? body.keys : undefined;
  if (!Array.isArray(entries)) {
    return null;
  }
  const keys = new Map<string, KeyObject>();
  for (const entry of entries) {
    if (!isRecord(entry) || entry.kty !== 'RSA' || typeof entry.kid !== 'string' || entry.kid === '') {
      continue;
    }
    if ((entry.use !== undefined && entry.use !== 'sig') || (entry.alg !== undefined && entry.alg !== 'RS256')) {
      continue;
    }
    try {
      keys.set(entry.kid, createPublicKey({ key: entry as JsonWebKey, format: 'jwk' }));
    } catch {
      // A broken entry must not take the good keys down with it.
    }
  }
  return keys;
}

function unavailable(url: string, reason: string): DeliveryError {
  return new DeliveryError(
    'jwks_unavailable',
    `examgate's public keys could not be fetched from ${url} (${reason}), so the hand-off cannot be checked. Try again in a moment.`,
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
