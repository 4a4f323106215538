import { createHash, randomBytes } from 'node:crypto';
import type { LaunchContext } from '../lti/launch-context.js';
import type { SessionRepository } from './session.repository.js';

export interface Session {
  /** Hash of the cookie value: safe to log, and what CSRF tokens are bound to. */
  idHash: string;
  launch: LaunchContext;
}

function hash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/**
 * A session is created by a validated launch and carries that launch. The browser holds a
 * random token; the database holds only its hash, so a leaked table opens no session.
 */
export class SessionService {
  constructor(
    private readonly repository: SessionRepository,
    private readonly ttlMs: number,
  ) {}

  /** Returns the token to put in the cookie. */
  async start(launch: LaunchContext): Promise<{ token: string; session: Session }> {
    const token = randomBytes(32).toString('base64url');
    const idHash = hash(token);
    await this.repository.insert(idHash, {
      platformId: launch.platformId,
      userSub: launch.user.sub,
      launch: JSON.stringify(launch),
      expiresAt: new Date(Date.now() + this.ttlMs),
    });
    return { token, session: { idHash, launch } };
  }

  async resume(token: string | undefined): Promise<Session | null> {
    if (!token || token.length > 100) {
      return null;
    }
    return this.resumeByIdHash(hash(token));
  }

  /**
   * The live session whose token hashes to `idHash`, for a request that proves it acts for that
   * session in another way than the cookie (a signed start ticket, which names the hash): a new
   * top-level tab opened from the LMS's iframe does not carry the iframe's cookie.
   */
  async resumeByIdHash(idHash: string): Promise<Session | null> {
    if (!/^[0-9a-f]{64}$/.test(idHash)) {
      return null;
    }
    const record = await this.repository.findLive(idHash);
    return record ? { idHash, launch: JSON.parse(record.launch) as LaunchContext } : null;
  }
}
