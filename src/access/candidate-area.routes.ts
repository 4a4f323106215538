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

export interface CandidateAreaDeps {
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
  router.get('/archive', (_req, res) => {
    res.render('archive.njk', { title: 'Archive', dashboard: presentDashboard([{ ...ownTestOf(res), demo: false }]) });
  });
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
