import { createPublicKey, type KeyObject } from 'node:crypto';

/** The platform's key set could not be fetched or read; the launch is refused as KEYSET_NOT_FOUND. */
export class KeySetUnavailableError extends Error {
  constructor(jwksUrl: string, reason: string) {
    super(`the key set at ${jwksUrl} could not be read: ${reason}`);
    this.name = 'KeySetUnavailableError';
  }
}

export interface PlatformKeySetOptions {
  /** How long a fetched key set is trusted before it is fetched again. */
  ttlMs: number;
  /** A kid missing from a fresh set refetches it (the LMS rotated its key), at most once per this interval per set. */
  unknownKidRefetchMs: number;
  timeoutMs: number;
}

export const DEFAULT_KEY_SET_OPTIONS: PlatformKeySetOptions = { ttlMs: 5 * 60_000, unknownKidRefetchMs: 10_000, timeoutMs: 5_000 };

interface KeySet {
  keys: Map<string, KeyObject>;
  fetchedAt: number;
}

/** The RSA signing keys of a JWKS, parsed once, by kid. Keys without a kid, for other uses or algorithms, or malformed, are left out. */
function parseKeySet(body: unknown): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const list = typeof body === 'object' && body !== null ? (body as { keys?: unknown }).keys : undefined;
  if (!Array.isArray(list)) {
    throw new Error('it has no "keys" array');
  }
  for (const jwk of list as Array<Record<string, unknown>>) {
    const usable =
      typeof jwk === 'object' &&
      jwk !== null &&
      jwk.kty === 'RSA' &&
      typeof jwk.kid === 'string' &&
      (jwk.use === undefined || jwk.use === 'sig') &&
      (jwk.alg === undefined || jwk.alg === 'RS256');
    if (!usable) {
      continue;
    }
    try {
      const key = createPublicKey({ key: { kty: 'RSA', n: String(jwk.n), e: String(jwk.e) }, format: 'jwk' });
      // RS256 keys are 2048 bits or more (RFC 7518 §3.3); anything shorter is not a key to trust.
      if ((key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048) {
        keys.set(jwk.kid as string, key);
      }
    } catch {
      // A malformed key cannot verify anything; the others in the set still can.
    }
  }
  return keys;
}

/**
 * The platforms' public keys, fetched from their JWKS URLs and kept for a short time, so a
 * launch does not fetch and re-parse the key set as ltijs does. A kid that is not in the set
 * refetches it (key rotation at the LMS), rate-limited so that made-up kids cannot turn
 * examgate into a fetch loop against the LMS. Only public keys are kept, so several
 * examgate processes may each hold their own copy.
 */
export class PlatformKeySets {
  readonly #sets = new Map<string, KeySet>();
  readonly #loading = new Map<string, Promise<KeySet>>();
  readonly #lastUnknownKidFetch = new Map<string, number>();

  constructor(
    private readonly options: PlatformKeySetOptions = DEFAULT_KEY_SET_OPTIONS,
    private readonly fetchJson: (url: string, timeoutMs: number) => Promise<unknown> = fetchJsonOverHttp,
  ) {}

  /** The key `kid` of the set at `jwksUrl`, or null when the set does not hold it. Throws KeySetUnavailableError. */
  async key(jwksUrl: string, kid: string, now = Date.now()): Promise<KeyObject | null> {
    const cached = this.#sets.get(jwksUrl);
    const fresh = !cached || now - cached.fetchedAt >= this.options.ttlMs;
    const set = fresh ? await this.#load(jwksUrl) : cached;
    const key = set.keys.get(kid);
    if (key) {
      return key;
    }
    // An unknown kid may mean the LMS rotated its key: look again, unless the set was just
    // fetched (now, or for another unknown kid within the interval).
    const last = this.#lastUnknownKidFetch.get(jwksUrl) ?? Number.NEGATIVE_INFINITY;
    if (fresh || now - last < this.options.unknownKidRefetchMs) {
      if (fresh) {
        this.#lastUnknownKidFetch.set(jwksUrl, now);
      }
      return null;
    }
    this.#lastUnknownKidFetch.set(jwksUrl, now);
    return (await this.#load(jwksUrl)).keys.get(kid) ?? null;
  }

  /** Forgets every set: the next launch fetches afresh. */
  clear(): void {
    this.#sets.clear();
    this.#lastUnknownKidFetch.clear();
  }

  /** Concurrent launches share one fetch of the same set. */
  #load(jwksUrl: string): Promise<KeySet> {
    let loading = this.#loading.get(jwksUrl);
    if (!loading) {
      loading = this.#fetch(jwksUrl).finally(() => this.#loading.delete(jwksUrl));
      this.#loading.set(jwksUrl, loading);
    }
    return loading;
  }

  async #fetch(jwksUrl: string): Promise<KeySet> {
    let body: unknown;
    try {
      body = await this.fetchJson(jwksUrl, this.options.timeoutMs);
    } catch (err) {
      throw new KeySetUnavailableError(jwksUrl, err instanceof Error ? err.message : String(err));
    }
    let keys: Map<string, KeyObject>;
    try {
      keys = parseKeySet(body);
    } catch (err) {
      throw new KeySetUnavailableError(jwksUrl, err instanceof Error ? err.message : String(err));
    }
    const set = { keys, fetchedAt: Date.now() };
    this.#sets.set(jwksUrl, set);
    return set;
  }
}

async function fetchJsonOverHttp(url: string, timeoutMs: number): Promise<unknown> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`it answered HTTP ${response.status}`);
  }
  return response.json();
}
