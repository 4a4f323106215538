import express, { type Router } from 'express';
import type { SecretKeys } from '../config.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import type { ExamService } from '../exams/exam.service.js';
import { csrfOf, launchOf, placementOf } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { HttpError } from '../web/http-error.js';
import { StartRefusedError } from './attempt.errors.js';
import type { AttemptService } from './attempt.service.js';
import { lobbyFor, presentLobby } from './lobby.js';

export interface LobbyDeps {
  exams: ExamService;
  candidates: CandidateService;
  attempts: AttemptService;
  secret: SecretKeys;
}

/** The learner's lobby for the test their resource link opens, and Start. Everything comes from the session's launch, never the form. */
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

  router.get(
    '/',
    asyncHandler(async (_req, res) => {
      const launch = launchOf(res);
      const exam = await deps.exams.examForLaunch(placementOf(launch));
      if (!exam) {
        res.render('lobby-no-test.njk', { title: launch.resourceLink?.title ?? 'examgate', name: launch.user.name });
        return;
      }
      const lobby = await lobbyFor(deps.candidates, exam, launch);
      res.render('lobby.njk', { title: exam.title, lobby: presentLobby(lobby), csrf: csrfOf(res, deps.secret) });
    }),
  );

  router.post(
    '/start',
    express.urlencoded({ extended: false, limit: '4kb' }),
    verifyCsrf(deps.secret),
    asyncHandler(async (_req, res) => {
      const launch = launchOf(res);
      const exam = await deps.exams.examForLaunch(placementOf(launch));
      if (!exam) {
        throw new HttpError(404, 'no_test', 'This link does not lead to a test.');
      }
      const lobby = await lobbyFor(deps.candidates, exam, launch);
      if (!lobby.candidate) {
        throw new HttpError(403, 'not_candidate', 'You are not a candidate on this test.');
      }
      try {
        const handoff = await deps.attempts.start(exam, lobby.candidate);
        res.render('handoff.njk', { title: `Starting ${exam.title}`, ...handoff });
      } catch (err) {
        if (err instanceof StartRefusedError) {
          res
            .status(409)
            .render('lobby.njk', { title: exam.title, lobby: presentLobby(lobby), error: err.message, csrf: csrfOf(res, deps.secret) });
          return;
        }
        throw err;
      }
    }),
  );
  return router;
}
