import express, { type Request, type Response, type Router } from 'express';
import type { SideRead } from '../db/side-read.js';
import type { SessionService } from '../sessions/session.service.js';
import type { CandidatePrincipal } from '../sessions/candidate-principal.js';
import type { LoginThrottle } from '../throttle/login-throttle.js';
import { asyncHandler } from '../web/async-handler.js';
import { doneMessage, type DoneMessages } from '../web/done-message.js';
import { optionalField } from '../web/form.js';
import { HttpError } from '../web/http-error.js';
import { postedFromOwnOrigin } from '../web/same-origin.js';
import { clientAddress } from '../web/throttle.js';
import { cookieOf, type CandidateSignIn } from '../web/candidate-sign-in.js';

/**
 * Checks a username and password in two steps: `lookup` names the read of the account (sent with
 * the throttle's statement, one round trip for both), `verify` checks the password against what
 * it found; null for anything wrong (unknown username, wrong password), in the same time.
 */
export interface CredentialCheck<A> {
  lookup(username: string): SideRead<A>;
  verify(found: A, username: string, password: string): Promise<CandidatePrincipal | null>;
}

export const LOGIN_PATH = '/login';

const LOGIN_DONE: DoneMessages = {
  finished: 'Your test is finished and your answers are saved. You can close this window.',
  'signed-out': 'You have signed out. Close the browser window if this is a shared computer.',
  'password-reset': 'Your new password is saved. Sign in with it now.',
};

/** One message for every wrong sign-in, so the page never tells which usernames exist. */
const WRONG = 'The username or password is not right. Check both against your login slip and try again.';

const MAX_FIELD = 500;

export interface CandidateLoginDeps<A> {
  credentials: CredentialCheck<A>;
  sessions: SessionService;
  candidateSignIn: CandidateSignIn;
  throttle: LoginThrottle;
  publicOrigin: string;
}

/**
 * The candidate login page: one-time usernames and passwords (permanent users later) lead to
 * the candidate's dashboard. Throttled per username on failures and per address; every
 * sign-in, right or wrong, is in the audit trail.
 */
export function candidateLoginRoutes<A>(deps: CandidateLoginDeps<A>): Router {
  const router = express.Router();

  const viewOf = (req: Request, values: { username: string; error: string | null }, stillSignedIn: boolean) => ({
    title: 'Sign in to your test',
    values,
    errors: values.error ? [{ field: 'username', message: values.error }] : [],
    done: values.error ? null : doneMessage(LOGIN_DONE, req.query),
    signedIn: null,
    stillSignedIn,
  });
  const render = async (req: Request, res: Response, status: number, values: { username: string; error: string | null }) => {
    const session = await deps.sessions.resumeCandidate(cookieOf(req));
    res
      .status(status)
      .set('cache-control', 'no-store')
      .render('candidate-login.njk', viewOf(req, values, Boolean(session)));
  };

  // The page as nearly every candidate of an exam morning first gets it (empty form, no message,
  // nobody signed in) is the same for all: rendered once per process, not once per candidate.
  // It holds no token (the POST checks its origin instead) and no script, so no nonce either;
  // the headers, CSP included, are still set per response.
  let plainPage: string | null = null;
  const plain = (req: Request, res: Response): Promise<string> =>
    plainPage !== null
      ? Promise.resolve(plainPage)
      : new Promise((resolve, reject) => {
          res.app.render('candidate-login.njk', viewOf(req, { username: '', error: null }, false), (err, html) => {
            if (err) {
              reject(err);
            } else {
              plainPage = html;
              resolve(html);
            }
          });
        });

  router.get(
    LOGIN_PATH,
    asyncHandler(async (req, res) => {
      const session = await deps.sessions.resumeCandidate(cookieOf(req));
      if (session || doneMessage(LOGIN_DONE, req.query) !== null) {
        res.set('cache-control', 'no-store').render('candidate-login.njk', viewOf(req, { username: '', error: null }, Boolean(session)));
        return;
      }
      res
        .set('cache-control', 'no-store')
        .type('html')
        .send(await plain(req, res));
    }),
  );

  router.post(
    LOGIN_PATH,
    express.urlencoded({ extended: false, limit: '4kb' }),
    asyncHandler(async (req, res) => {
      // No session yet, so no CSRF token: a page of another site must not sign this browser in as someone else.
      if (!postedFromOwnOrigin(req, deps.publicOrigin)) {
        throw new HttpError(403, 'cross_site', 'Sign in on examgate’s own login page.');
      }
      const username = (optionalField(req.body, 'username') ?? '').trim().slice(0, MAX_FIELD);
      const password = (optionalField(req.body, 'password') ?? '').trim().slice(0, MAX_FIELD);
      if (!username || !password) {
        await render(req, res, 400, { username, error: 'Enter the username and the password from your login slip.' });
        return;
      }
      const attempt = { account: username, address: clientAddress(req) };
      const { seen, found } = await deps.throttle.beforeAttemptWith(attempt, deps.credentials.lookup(username));
      const principal = await deps.credentials.verify(found, username, password);
      if (!principal) {
        await deps.throttle.failed(attempt);
        await deps.candidateSignIn.loginFailed();
        await render(req, res, 401, { username, error: WRONG });
        return;
      }
      await deps.throttle.succeeded(attempt, seen);
      await deps.candidateSignIn.signIn(req, res, principal);
      res.redirect(303, '/my');
    }),
  );
  return router;
}
