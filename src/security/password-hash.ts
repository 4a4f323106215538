import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Passwords people choose (institution admins, permanent users) are stored as scrypt hashes
 * (RFC 7914): N = 2^15, r = 8, p = 1, a 16-byte random salt, a 32-byte key — about 50–100 ms
 * and 32 MiB per hash on this machine, and run on libuv's thread pool so the event loop goes on.
 * The stored string carries its parameters (`scrypt$15$8$1$salt$key`), so raising them later
 * needs no migration: old hashes still verify, `needsRehash` says which to renew.
 */
export interface ScryptParameters {
  log2N: number;
  r: number;
  p: number;
}

export const SCRYPT_DEFAULTS: ScryptParameters = Object.freeze({ log2N: 15, r: 8, p: 1 });
/** The lowest N (as log2) production accepts (config's PASSWORD_HASH_COST); tests go lower to save time. */
export const PRODUCTION_MIN_LOG2N = SCRYPT_DEFAULTS.log2N;
const SALT_BYTES = 16;
const KEY_BYTES = 32;

function derive(password: string, salt: Buffer, params: ScryptParameters): Promise<Buffer> {
  const N = 2 ** params.log2N;
  // scrypt needs 128·N·r bytes; Node's default ceiling (32 MiB) is exactly that at 2^15, 8.
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** A new salted hash of `password`, in the stored format. */
export async function hashPassword(password: string, params: ScryptParameters = SCRYPT_DEFAULTS): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, params);
  return ['scrypt', params.log2N, params.r, params.p, salt.toString('base64'), key.toString('base64')].join('$');
}

interface Parsed {
  params: ScryptParameters;
  salt: Buffer;
  key: Buffer;
}

function parse(stored: string): Parsed | null {
  const [scheme, log2N, r, p, salt, key, extra] = stored.split('$');
  const numbers = [log2N, r, p].map(Number);
  if (scheme !== 'scrypt' || extra !== undefined || !salt || !key || numbers.some((n) => !Number.isInteger(n) || n < 1)) {
    return null;
  }
  const [n, rr, pp] = numbers as [number, number, number];
  if (n > 20 || rr > 32 || pp > 16) {
    return null;
  }
  return { params: { log2N: n, r: rr, p: pp }, salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
}

/** True when `password` is the one `stored` was made from; compared in constant time. A damaged hash never matches. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parsed = parse(stored);
  if (!parsed || parsed.key.length !== KEY_BYTES) {
    return false;
  }
  const key = await derive(password, parsed.salt, parsed.params);
  return timingSafeEqual(key, parsed.key);
}

/** True when `stored` was made with weaker parameters than today's (renew it at the next right sign-in). */
export function needsRehash(stored: string, params: ScryptParameters = SCRYPT_DEFAULTS): boolean {
  const parsed = parse(stored);
  return !parsed || parsed.params.log2N < params.log2N || parsed.params.r < params.r || parsed.params.p < params.p;
}

/**
 * Hashing at the configured cost (PASSWORD_HASH_COST = log2 N; r and p stay the defaults'):
 * what the services use, so one setting decides the cost of every new hash, of the rehash
 * check, and of the stand-in verification for an unknown username.
 */
export class PasswordHasher {
  readonly params: ScryptParameters;
  #dummy: Promise<string> | null = null;

  constructor(log2N: number = SCRYPT_DEFAULTS.log2N) {
    this.params = Object.freeze({ ...SCRYPT_DEFAULTS, log2N });
  }

  hash(password: string): Promise<string> {
    return hashPassword(password, this.params);
  }

  verify(password: string, stored: string): Promise<boolean> {
    return verifyPassword(password, stored);
  }

  needsRehash(stored: string): boolean {
    return needsRehash(stored, this.params);
  }

  /**
   * Spends the time of one verification when there is no account to verify against, so an
   * unknown username answers no faster than a wrong password.
   */
  async verifyNothing(password: string): Promise<false> {
    this.#dummy ??= this.hash('examgate-no-such-account');
    await verifyPassword(password, await this.#dummy);
    return false;
  }
}
