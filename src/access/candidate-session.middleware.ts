import type { NextFunction, Request, Response } from 'express';
import type { CandidateSession, SessionService } from '../sessions/session.service.js';
import { WAY_IN_LABELS } from '../sessions/way-in-labels.js';
import { asyncHandler } from '../web/async-handler.js';
import { HttpError } from '../web/http-error.js';
import type { SignedIn } from '../web/signed-in.js';
import { cookieOf } from '../web/candidate-sign-in.js';
import type { CandidateTests, OwnTest } from './candidate-tests.js';

/**
 * Candidate pages (/my): a live candidate session and the test it is for, in res.locals. A
 * page asked for without one sends a browser to the login page; a script gets 401.
 */
export function requireCandidateSession(sessions: SessionService, tests: CandidateTests) {
  return asyncHandler(async (req: Request, res: Response, next: NextFunction) => {
    // One statement for the session and the candidate's own test (none for a session just started here).
    const resumed = await sessions.resumeCandidateWith(cookieOf(req), tests.besideSession);
    const session = resumed?.session;
    const own = resumed ? tests.ownIn(resumed.session.principal, resumed.beside) : null;
    if (!session || !own) {
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
        res.redirect(303, '/login');
        return;
      }
      throw new HttpError(401, 'no_session', 'Your examgate session has ended. Sign in again.');
    }
    res.locals.session = session;
    res.locals.ownTest = own;
    res.locals.signedIn = signedInAsCandidate(session, own);
    // A forced password change comes before anything else (only the change and sign-out pass).
    if (session.principal.mustChangePassword && !['/password', '/sign-out'].includes(req.path)) {
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
        res.redirect(303, '/my/password');
        return;
      }
      throw new HttpError(403, 'password_change_required', 'Choose a new password first, at /my/password.');
    }
    next();
  });
}

export function candidateSessionOf(res: Response): CandidateSession {
  return res.locals.session as CandidateSession;
}

export function ownTestOf(res: Response): OwnTest {
  return res.locals.ownTest as OwnTest;
}

function signedInAsCandidate(session: CandidateSession, own: OwnTest): SignedIn {
  return { name: `candidate ${own.candidate.candidateId}`, role: `by ${WAY_IN_LABELS[session.principal.way]}`, signOut: true };
}
