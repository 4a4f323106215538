import express, { type Request, type Response, type Router } from 'express';
import type { AuditBy } from '../audit/audit.js';
import type { SecretKeys } from '../config.js';
import { candidateActor } from '../sessions/candidate-principal.js';
import type { SessionService } from '../sessions/session.service.js';
import { asyncHandler } from '../web/async-handler.js';
import { csrfTokenFor, verifyCsrf } from '../web/csrf.js';
import { HttpError } from '../web/http-error.js';
import { candidateSessionOf, ownTestOf, requireCandidateSession } from './candidate-session.middleware.js';
import type { CandidateSignIn } from '../web/candidate-sign-in.js';
import { lobbyPathOf } from '../web/candidate-sign-in.js';
import type { CandidateTests } from './candidate-tests.js';
import { presentDashboard } from './dashboard.presenter.js';
import { looksFramed, presentLobby, stateOf, type Lobby } from './lobby.js';
import type { TicketedHandOff } from './ticketed-handoff.js';

/** A permanent user choosing their own new password (permanent/permanent-user.service.ts). */
export interface OwnPasswordChange {
  changeOwnPassword(platformId: string, permanentUserId: string, password: string, by: AuditBy): Promise<void>;
}

export interface CandidateAreaDeps {
  permanentUsers: OwnPasswordChange;
  sessions: SessionService;
  candidateTests: CandidateTests;
  candidateSignIn: CandidateSignIn;
  handOffs: TicketedHandOff;
  secret: SecretKeys;
}

/**
 * A candidate's own pages outside the LMS, mounted at /my: the dashboard, the lobby of their
 * test, the archive of finished tests, and sign out. Everything comes from the session's
 * principal; a test id in a URL is only compared with it, so any other test is a 404.
 */
export function candidateAreaRoutes(deps: CandidateAreaDeps): Router {
  const router = express.Router();
  router.use(requireCandidateSession(deps.sessions, deps.candidateTests));
  router.use((_req, res, next) => {
    // Every page carries the header's Sign out form, and none may come from a cache after it.
    res.locals.csrf = csrfTokenFor(deps.secret, candidateSessionOf(res).idHash);
    res.set('cache-control', 'no-store');
    next();
  });

  const lobbyOf = async (req: Request<{ examId: string }>, res: Response): Promise<Lobby> => {
    const { principal } = candidateSessionOf(res);
    const by: AuditBy = { actor: candidateActor(principal), via: 'page' };
    const test = await deps.candidateTests.open(ownTestOf(res), principal, req.params.examId, by);
    if (!test) {
      throw new HttpError(404, 'not_found', `Nothing lives at ${req.originalUrl.split('?')[0]}.`);
    }
    return { state: stateOf(test.exam, test.candidate), exam: test.exam, candidate: test.candidate };
  };
  const reachable = (res: Response) => deps.candidateTests.reachable(ownTestOf(res), candidateSessionOf(res).principal);
  const ticketOf = (res: Response, lobby: Lobby) =>
    lobby.candidate ? deps.handOffs.ticketFor(candidateSessionOf(res), lobby.exam, lobby.candidate) : null;

  router.get(
    '/',
    asyncHandler(async (_req, res) => {
      res.render('dashboard.njk', { title: 'Your tests', dashboard: presentDashboard(await reachable(res)) });
    }),
  );
  router.get(
    '/archive',
    asyncHandler(async (_req, res) => {
      const mine = await deps.candidateTests.mine(ownTestOf(res), candidateSessionOf(res).principal);
      res.render('archive.njk', { title: 'Archive', dashboard: presentDashboard(mine.map((test) => ({ ...test, demo: false }))) });
    }),
  );
  mountPasswordChange(router, deps);
  router.get(
    '/tests/:examId',
    asyncHandler(async (req: Request<{ examId: string }>, res) => {
      const lobby = await lobbyOf(req, res);
      res.render('lobby.njk', {
        title: lobby.exam.title,
        lobby: presentLobby(lobby, looksFramed(req.get('sec-fetch-dest')), {
          via: 'candidate',
          stateUrl: `${lobbyPathOf(lobby.exam.id)}/state`,
        }),
        ticket: ticketOf(res, lobby),
      });
    }),
  );
  router.get(
    '/tests/:examId/state',
    asyncHandler(async (req: Request<{ examId: string }>, res) => {
      const lobby = await lobbyOf(req, res);
      res.json({
        state: lobby.state,
        handedOffAt: lobby.candidate?.attempt.handedOffAt?.toISOString() ?? '',
        ticket: ticketOf(res, lobby),
      });
    }),
  );
  router.post(
    '/sign-out',
    express.urlencoded({ extended: false, limit: '4kb' }),
    verifyCsrf(deps.secret),
    asyncHandler(async (req, res) => {
      await deps.candidateSignIn.signOut(req, res);
      res.redirect(303, '/login?done=signed-out');
    }),
  );
  return router;
}

/** The forced password change of a permanent user: the new password must keep the seed 002 rule; then a fresh session without the flag. */
function mountPasswordChange(router: Router, deps: CandidateAreaDeps): void {
  const page = (res: Response, status: number, error: string | null) =>
    res.status(status).render('change-password.njk', {
      title: 'Choose a new password',
      errors: error ? [{ field: 'password', message: error }] : [],
    });
  const principalOf = (res: Response) => {
    const { principal } = candidateSessionOf(res);
    if (!principal.permanentUserId) {
      throw new HttpError(404, 'not_found', 'Nothing lives at /my/password.');
    }
    return { principal, permanentUserId: principal.permanentUserId };
  };
  router.get('/password', (_req, res) => {
    principalOf(res);
    page(res, 200, null);
  });
  router.post(
    '/password',
    express.urlencoded({ extended: false, limit: '4kb' }),
    verifyCsrf(deps.secret),
    asyncHandler(async (req, res) => {
      const { principal, permanentUserId } = principalOf(res);
      const password = typeof req.body?.password === 'string' ? (req.body.password as string) : '';
      const again = typeof req.body?.again === 'string' ? (req.body.again as string) : '';
      if (password !== again) {
        page(res, 400, 'The two passwords are not the same. Type the new password twice.');
        return;
      }
      try {
        await deps.permanentUsers.changeOwnPassword(principal.platformId, permanentUserId, password, {
          actor: candidateActor(principal),
          via: 'page',
        });
      } catch (err) {
        if (err instanceof Error && 'field' in err) {
          page(res, 400, err.message);
          return;
        }
        throw err;
      }
      const { mustChangePassword: _done, ...rest } = principal;
      await deps.candidateSignIn.signIn(req, res, rest);
      res.redirect(303, '/my');
    }),
  );
}
