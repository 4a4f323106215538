import express, { type Request, type Response, type Router } from 'express';
import type { ExamScope } from '../access/way-in-audit.js';
import { actorOf, auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { doneMessage, withDone, type DoneMessages } from '../web/done-message.js';
import type { HandoutRouteDeps } from './handout.routes.js';
import { REGENERATE } from './handout.service.js';
import { detailsPath, regenerateHandoutConfirmation } from './regenerate-confirm.js';
import { placeName } from './room-order.js';
import { windowText } from './slips.presenter.js';

type CandidateRequest = Request<{ examId: string; candidateId: string }>;

const REGENERATED: DoneMessages = {
  'new-password': 'New password made: the old one no longer signs in.',
  'new-code': 'New entry code made: the old one now says it was withdrawn.',
  'new-link': 'New direct link made: the old one now says it was withdrawn.',
};

/**
 * One candidate's login details and a fresh password, entry code or direct link for them, each
 * through a confirmation; mounted at /app/exams/:examId/handout. After it, a fresh slip for that
 * candidate only is one link away.
 */
export function regenerateRoutes(deps: HandoutRouteDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const csrf = verifyCsrf(deps.secret);
  const scopeOf = async (req: CandidateRequest, res: Response): Promise<ExamScope> => {
    const actor = actorOf(launchOf(res));
    return { exam: await deps.exams.get(actor, req.params.examId), platformId: actor.platformId };
  };

  router.get(
    '/:candidateId',
    asyncHandler(async (req: CandidateRequest, res) => {
      const scope = await scopeOf(req, res);
      const { candidate, slip } = await deps.handout.slipOf(scope, req.params.candidateId, auditByOf(launchOf(res)));
      res.render('handout/login-details.njk', {
        title: `Login details of ${candidate.candidateId} · ${scope.exam.title}`,
        exam: { id: scope.exam.id, title: scope.exam.title, status: scope.exam.status, window: windowText(scope.exam) },
        candidate: {
          id: candidate.id,
          candidateId: candidate.candidateId,
          source: candidate.source,
          active: candidate.status === 'active',
        },
        slip,
        place: placeName(candidate),
        done: doneMessage(REGENERATED, req.query),
      });
    }),
  );

  for (const what of REGENERATE) {
    router.get(
      `/:candidateId/new-${what}`,
      asyncHandler(async (req: CandidateRequest, res) => {
        const scope = await scopeOf(req, res);
        const candidate = await deps.handout.regenerable(scope, req.params.candidateId, what);
        res.render('confirm.njk', { ...regenerateHandoutConfirmation(scope.exam, candidate, what), csrf: csrfOf(res, deps.secret) });
      }),
    );
    router.post(
      `/:candidateId/new-${what}`,
      form,
      csrf,
      asyncHandler(async (req: CandidateRequest, res) => {
        const scope = await scopeOf(req, res);
        await deps.handout.regenerate(scope, req.params.candidateId, what, auditByOf(launchOf(res)));
        res.redirect(303, withDone(detailsPath(scope.exam.id, req.params.candidateId), `new-${what}`));
      }),
    );
  }
  return router;
}
