/**
 * A deliberately simple cookie store: one bucket per host (host:port, because
 * the LMS and the tool under test share 127.0.0.1 and must not see each
 * other's cookies). Domain is ignored and Path is recorded but not used for
 * matching; Secure is ignored because everything runs on plain http.
 */

interface StoredCookie {
  value: string;
  path: string;
  /** Epoch ms, or null for a session cookie. */
  expiresAt: number | null;
}

export interface ParsedSetCookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number | null;
}

/** Accepts either a bare host ("127.0.0.1:3000") or any absolute URL. */
export function hostKey(hostOrUrl: string): string {
  return hostOrUrl.includes('://') ? new URL(hostOrUrl).host : hostOrUrl.toLowerCase();
}

/**
 * Parses one Set-Cookie header (RFC 6265 §5.2). Max-Age wins over Expires;
 * an expiry at or before `now` means "delete".
 */
export function parseSetCookie(header: string, now: number): ParsedSetCookie | null {
  const [pair = '', ...attributes] = header.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) {
    return null;
  }
  const cookie: ParsedSetCookie = { name: pair.slice(0, eq).trim(), value: pair.slice(eq + 1).trim(), path: '/', expiresAt: null };
  let maxAge: number | null = null;
  for (const attribute of attributes) {
    const [rawKey = '', ...rest] = attribute.split('=');
    const key = rawKey.trim().toLowerCase();
    const value = rest.join('=').trim();
    if (key === 'path' && value) {
      cookie.path = value;
    }
    if (key === 'expires' && !Number.isNaN(Date.parse(value))) {
      cookie.expiresAt = Date.parse(value);
    }
    if (key === 'max-age' && /^-?\d+$/.test(value)) {
      maxAge = Number(value);
    }
  }
  if (maxAge !== null) {
    cookie.expiresAt = maxAge <= 0 ? now : now + maxAge * 1000;
  }
  return cookie;
}

export class CookieJar {
  readonly #hosts = new Map<string, Map<string, StoredCookie>>();

  /** Applies one Set-Cookie header received from `host`. */
  store(host: string, setCookie: string, now = Date.now()): void {
    const parsed = parseSetCookie(setCookie, now);
    if (!parsed) {
      return;
    }
    const bucket = this.#bucket(host);
    if (parsed.expiresAt !== null && parsed.expiresAt <= now) {
      bucket.delete(parsed.name);
      return;
    }
    bucket.set(parsed.name, { value: parsed.value, path: parsed.path, expiresAt: parsed.expiresAt });
  }

  /** Live cookies of `host` as name → value, dropping any that expired meanwhile. */
  snapshot(host: string, now = Date.now()): Record<string, string> {
    const result: Record<string, string> = {};
    const bucket = this.#hosts.get(hostKey(host));
    if (!bucket) {
      return result;
    }
    for (const [name, cookie] of bucket) {
      if (cookie.expiresAt !== null && cookie.expiresAt <= now) {
        bucket.delete(name);
      } else {
        result[name] = cookie.value;
      }
    }
    return result;
  }

  /** The Cookie request header for `host`, or undefined when there is nothing to send. */
  header(host: string): string | undefined {
    const pairs = Object.entries(this.snapshot(host)).map(([name, value]) => `${name}=${value}`);
    return pairs.length > 0 ? pairs.join('; ') : undefined;
  }

  /** Forgets the cookies of one host, or of every host. */
  clear(host?: string): void {
    if (host === undefined) {
      this.#hosts.clear();
    } else {
      this.#hosts.delete(hostKey(host));
    }
  }

  #bucket(host: string): Map<string, StoredCookie> {
    const key = hostKey(host);
    let bucket = this.#hosts.get(key);
    if (!bucket) {
      bucket = new Map();
      this.#hosts.set(key, bucket);
    }
    return bucket;
  }
}
