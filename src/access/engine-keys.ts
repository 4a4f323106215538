import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';

const TTL_MS = 10 * 60_000;
const REFETCH_AFTER_MS = 30_000;
const TIMEOUT_MS = 5_000;
const MAX_BYTES = 64 * 1024;

/** Where a delivery engine publishes the keys it signs reports with: fixed by examgate's delivery protocol. */
export function engineJwksUrl(deliveryUrl: string): string {
  return `${new URL(deliveryUrl).origin}/.well-known/jwks.json`;
}

/**
 * Public keys of delivery engines, fetched from the origin of a test's delivery URL and
 * cached: an unknown kid triggers one refetch at most every 30 s, so a key rotation at the
 * engine is picked up and a flood of bad kids cannot make examgate hammer the engine.
 */
export class EngineKeys {
  private readonly cache = new Map<string, { keys: Map<string, KeyObject>; fetchedAt: number }>();

  async find(deliveryUrl: string, kid: string): Promise<KeyObject | null> {
    const url = engineJwksUrl(deliveryUrl);
    const cached = this.cache.get(url);
    const age = cached ? Date.now() - cached.fetchedAt : Infinity;
    if (cached?.keys.has(kid) && age < TTL_MS) {
      return cached.keys.get(kid) ?? null;
    }
    if (cached && age < REFETCH_AFTER_MS) {
      return null;
    }
    const keys = await this.fetchKeys(url);
    this.cache.set(url, { keys, fetchedAt: Date.now() });
    return keys.get(kid) ?? null;
  }

  private async fetchKeys(url: string): Promise<Map<string, KeyObject>> {
    const keys = new Map<string, KeyObject>();
    let body: unknown;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(TIMEOUT_MS), redirect: 'error' });
      const text = await response.text();
      if (!response.ok || text.length > MAX_BYTES) {
        return keys;
      }
      body = JSON.parse(text);
    } catch {
      return keys;
    }
    const list = (body as { keys?: unknown } | null)?.keys;
    for (const jwk of Array.isArray(list) ? list : []) {
      const key = jwk as { kid?: unknown; kty?: unknown; alg?: unknown };
      if (typeof key.kid !== 'string' || key.kty !== 'RSA' || (key.alg !== undefined && key.alg !== 'RS256')) {
        continue;
      }
      try {
        keys.set(key.kid, createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }));
      } catch {
        // A malformed key is skipped; the others still count.
      }
    }
    return keys;
  }
}
