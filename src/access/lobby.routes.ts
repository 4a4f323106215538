import express, { type Response, type Router } from 'express';
import type { ExamService } from '../exams/exam.service.js';
import { launchOf, placementOf } from '../launch/session-context.middleware.js';
import type { Session } from '../sessions/session.service.js';
import { asyncHandler } from '../web/async-handler.js';
import { HttpError } from '../web/http-error.js';
import { looksFramed, lobbyFor, presentLobby, type Lobby, type LobbyMatching } from './lobby.js';
import type { TicketedHandOff } from './ticketed-handoff.js';

export interface LobbyDeps extends LobbyMatching {
  exams: ExamService;
  handOffs: TicketedHandOff;
}

/**
 * The learner's lobby for the test their resource link opens. Everything comes from the
 * session's launch, never the form. Start itself is POST /handoff (handoff.routes.ts), which
 * the lobby's form reaches with a start ticket instead of the session cookie.
 */
export function lobbyRoutes(deps: LobbyDeps): Router {
  const router = express.Router();
  // Only learners become candidates by opening a lobby; staff see the test from its own page.
  router.use((_req, res, next) => {
    next(
      launchOf(res).audience === 'learner'
        ? undefined
        : new HttpError(
            403,
            'staff_not_candidate',
            'The lobby is where candidates start their test. Staff manage it from the test’s page.',
          ),
    );
  });

  const ticketOf = (res: Response, lobby: Lobby): string | null =>
    lobby.candidate ? deps.handOffs.ticketFor(res.locals.session as Session, lobby.exam, lobby.candidate) : null;

  router.get(
    '/',
    asyncHandler(async (req, res) => {
      const launch = launchOf(res);
      const exam = await deps.exams.examForLaunch(placementOf(launch));
      if (!exam) {
        res.render('lobby-no-test.njk', { title: launch.resourceLink?.title ?? 'examgate', name: launch.user.name });
        return;
      }
      const lobby = await lobbyFor(deps, exam, launch);
      // The page carries a ticket and changes with the attempt: never from a cache.
      res.set('cache-control', 'no-store');
      res.render('lobby.njk', {
        title: exam.title,
        lobby: presentLobby(lobby, looksFramed(req.get('sec-fetch-dest'))),
        ticket: ticketOf(res, lobby),
      });
    }),
  );

  // The lobby's script, in the frame that holds the session cookie: is the test handed off yet (did
  // the new tab open?), and a fresh ticket so Start still works after the page sat open a while.
  router.get(
    '/state',
    asyncHandler(async (_req, res) => {
      const launch = launchOf(res);
      const exam = await deps.exams.examForLaunch(placementOf(launch));
      if (!exam) {
        throw new HttpError(404, 'no_test', 'This link does not lead to a test.');
      }
      const lobby = await lobbyFor(deps, exam, launch);
      res.set('cache-control', 'no-store').json({
        state: lobby.state,
        handedOffAt: lobby.candidate?.attempt.handedOffAt?.toISOString() ?? '',
        ticket: ticketOf(res, lobby),
      });
    }),
  );
  return router;
}
