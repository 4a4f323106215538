import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { InvalidRegistrationUrlError, RegistrationTokenError, RegistrationUrlNotFoundError } from './registration.errors.js';
import type { RegistrationTokenRepository, StoredRegistrationToken } from './registration-token.repository.js';

/** Failed or abandoned attempts a registration URL survives before it is spent. */
export const MAX_REGISTRATION_ATTEMPTS = 5;
/** An attempt still marked as under way after this long belongs to a process that died. */
const ATTEMPT_LEASE_MS = 2 * 60_000;
export const MAX_REGISTRATION_URL_HOURS = 30 * 24;

export type RegistrationUrlStatus = 'open' | 'used' | 'expired' | 'revoked' | 'exhausted';

/** A registration URL as the admin pages and the CLI list it (the URL itself is shown only once, at creation). */
export interface RegistrationUrlSummary {
  id: string;
  createdAt: Date;
  expiresAt: Date;
  status: RegistrationUrlStatus;
  attempts: number;
  usedAt: Date | null;
  usedByPlatformName: string | null;
}

export interface CreatedRegistrationUrl {
  id: string;
  url: string;
  expiresAt: Date;
}

const hashOf = (token: string) => createHash('sha256').update(token).digest('hex');

function statusOf(token: StoredRegistrationToken, now: Date): RegistrationUrlStatus {
  if (token.usedAt) {
    return 'used';
  }
  if (token.revokedAt) {
    return 'revoked';
  }
  if (token.expiresAt <= now) {
    return 'expired';
  }
  return token.attempts >= MAX_REGISTRATION_ATTEMPTS ? 'exhausted' : 'open';
}

/**
 * Single-use, expiring registration URLs for LTI Dynamic Registration. The token is 256 bits
 * from the CSPRNG and travels only in the URL handed to the admin; the database keeps its
 * SHA-256. A token is spent by a successful registration only; a failed one may be retried
 * until it expires or fails MAX_REGISTRATION_ATTEMPTS times, one attempt at a time.
 */
export class RegistrationTokenService {
  constructor(
    private readonly repository: RegistrationTokenRepository,
    private readonly options: { registerUrl: string; defaultHours: number },
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Creates a registration URL valid for `hours` (default REGISTRATION_URL_HOURS). */
  async create(hours: number = this.options.defaultHours): Promise<CreatedRegistrationUrl> {
    if (!Number.isInteger(hours) || hours < 1 || hours > MAX_REGISTRATION_URL_HOURS) {
      throw new InvalidRegistrationUrlError(`A registration URL lives 1 to ${MAX_REGISTRATION_URL_HOURS} whole hours, got "${hours}".`);
    }
    const token = randomBytes(32).toString('base64url');
    const expiresAt = new Date(this.now().getTime() + hours * 3_600_000);
    const stored = await this.repository.insert(randomUUID(), hashOf(token), expiresAt);
    return { id: stored.id, url: `${this.options.registerUrl}/${token}`, expiresAt };
  }

  /** The most recent registration URLs, newest first, with what became of each. */
  async list(limit = 50): Promise<RegistrationUrlSummary[]> {
    const now = this.now();
    return (await this.repository.list(limit)).map((token) => ({
      id: token.id,
      createdAt: token.createdAt,
      expiresAt: token.expiresAt,
      status: statusOf(token, now),
      attempts: token.attempts,
      usedAt: token.usedAt,
      usedByPlatformName: token.usedByPlatformName,
    }));
  }

  async revoke(id: string): Promise<void> {
    if (!(await this.repository.revoke(id, this.now()))) {
      throw new RegistrationUrlNotFoundError(id);
    }
  }

  /**
   * Starts one registration attempt with `token`; returns the id to complete or release it with.
   * Throws RegistrationTokenError saying why the token cannot be used now.
   */
  async claim(token: string | undefined): Promise<string> {
    if (!token) {
      throw new RegistrationTokenError('missing');
    }
    const stored = await this.repository.findByHash(hashOf(token));
    if (!stored) {
      throw new RegistrationTokenError('unknown');
    }
    const now = this.now();
    const status = statusOf(stored, now);
    if (status !== 'open') {
      throw new RegistrationTokenError(status);
    }
    if (!(await this.repository.claim(stored.id, now, new Date(now.getTime() - ATTEMPT_LEASE_MS), MAX_REGISTRATION_ATTEMPTS))) {
      // Between the read and the update another attempt took it, or it just ran out.
      const again = await this.repository.findByHash(hashOf(token));
      const after = again ? statusOf(again, this.now()) : 'open';
      throw new RegistrationTokenError(after === 'open' ? 'busy' : after);
    }
    return stored.id;
  }

  /** Spends the token on the platform it registered. */
  complete(id: string, platform: { id: string; name: string }): Promise<void> {
    return this.repository.markUsed(id, platform, this.now());
  }

  /** Ends a failed attempt; the token may be tried again while it lasts. */
  release(id: string): Promise<void> {
    return this.repository.release(id);
  }
}
