import type { Request, Response } from 'express';
import type { AuditService } from '../audit/audit.service.js';
import type { RunWritesTogether } from '../db/write-batch.js';
import { candidateActor, type CandidatePrincipal } from '../sessions/candidate-principal.js';
import type { SessionService } from '../sessions/session.service.js';
import { candidateCookieOptions } from './cookie-policy.js';

export const CANDIDATE_COOKIE = 'examgate_candidate';

/** Where a signed-in candidate's own test waits for them. */
export function lobbyPathOf(examId: string): string {
  return `/my/tests/${encodeURIComponent(examId)}`;
}

/**
 * The one door every way in outside the LMS goes through once it has checked its secret
 * (login page, direct link, entry code): a fresh session for the principal in a first-party
 * cookie, any earlier candidate session of this browser ended, and the sign-in in the audit
 * trail with its way in.
 */
export class CandidateSignIn {
  constructor(
    private readonly sessions: SessionService,
    private readonly audit: AuditService,
    private readonly cookie: { secure: boolean; maxAgeMs: number },
    private readonly together: RunWritesTogether,
  ) {}

  /**
   * Starts the session, sets its cookie on `res`; returns the lobby of the principal's test.
   * The earlier session's end, the new session and the audit entry are written together (one
   * statement on PostgreSQL): a sign-in storm pays one round trip for them, and no session
   * exists without its entry.
   */
  async signIn(req: Request, res: Response, principal: CandidatePrincipal): Promise<string> {
    const { token } = await this.together(async (batch) => {
      await this.sessions.end(cookieOf(req), batch);
      const started = await this.sessions.startCandidate(principal, batch);
      await this.audit.record(
        { actor: candidateActor(principal), via: 'sign-in' },
        {
          entityType: 'sign-in',
          entityId: principal.candidateId,
          action: 'succeeded',
          platformId: principal.platformId,
          examId: principal.examId,
          changes: { way: { from: null, to: principal.way } },
        },
        batch,
      );
      return started;
    });
    res.cookie(CANDIDATE_COOKIE, token, candidateCookieOptions(this.cookie.secure, this.cookie.maxAgeMs));
    return lobbyPathOf(principal.examId);
  }

  /**
   * A wrong username or password at the login page. Which it was is not known (the check
   * answers the same for both, on purpose), nor whether a one-time or a permanent user was
   * meant, so the way in is the page itself; what was typed is never recorded. Refused
   * direct links and entry codes are recorded by their own service (ways-in.service.ts).
   */
  async loginFailed(): Promise<void> {
    await this.audit.record(
      { actor: { kind: 'anonymous' }, via: 'sign-in' },
      {
        entityType: 'sign-in',
        entityId: '(unknown)',
        action: 'failed',
        changes: { way: { from: null, to: 'login-page' }, reason: { from: null, to: 'wrong-credentials' } },
      },
    );
  }

  /** Sign out: the session ends on every process and the cookie goes. */
  async signOut(req: Request, res: Response): Promise<void> {
    await this.sessions.end(cookieOf(req));
    // Express's clearCookie must not be given a maxAge (it would set the cookie again).
    res.clearCookie(CANDIDATE_COOKIE, { httpOnly: true, secure: this.cookie.secure, sameSite: 'lax', path: '/' });
  }
}

export function cookieOf(req: Request): string | undefined {
  const value: unknown = (req.cookies as Record<string, unknown> | undefined)?.[CANDIDATE_COOKIE];
  return typeof value === 'string' ? value : undefined;
}
