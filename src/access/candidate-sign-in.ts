import { randomBytes } from 'node:crypto';
// The interface the lead specified sets a cookie on the response: a type, nothing of express runs here.
// eslint-disable-next-line @typescript-eslint/no-restricted-imports
import type express from 'express';
import type { CandidatePrincipal } from '../sessions/candidate-principal.js';

export interface CandidateSignIn {
  /** Starts a candidate session for `principal`, sets its first-party cookie on `res`, records the sign-in in the audit trail, and returns the URL to send the browser to (the test's lobby). */
  signIn(res: express.Response, principal: CandidatePrincipal): Promise<string>;
}

/**
 * PLACEHOLDER — the lead replaces this file with the real candidate sessions (issue 8, item 1).
 * It only lets direct links and entry codes be built and tested before those exist: it sets a
 * random `examgate_candidate` cookie that no page reads, stores nothing, audits nothing, and
 * sends the browser to the lobby's future address.
 */
export class PlaceholderCandidateSignIn implements CandidateSignIn {
  constructor(private readonly secureCookies: boolean) {}

  signIn(res: express.Response, principal: CandidatePrincipal): Promise<string> {
    res.cookie('examgate_candidate', randomBytes(32).toString('base64url'), {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.secureCookies,
      path: '/',
    });
    return Promise.resolve(`/my/tests/${principal.examId}`);
  }
}
