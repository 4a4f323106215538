import express, { type Request, type Response, type Router } from 'express';
import type { SecretKeys } from '../config.js';
import type { ExamService } from '../exams/exam.service.js';
import { formatInZone } from '../exams/time-zone.js';
import { actorOf, auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { doneMessage, WAYS_IN_DONE, withDone } from '../web/done-message.js';
import type { ExamScope } from './way-in-audit.js';
import { candidateWayInConfirmation, wholeTestWayInConfirmation } from './ways-in-confirm.js';
import type { CandidateWaysIn, WaysIn } from './ways-in.service.js';

export interface WaysInRouteDeps {
  exams: ExamService;
  waysIn: WaysIn;
  secret: SecretKeys;
}

type WaysInRequest = Request<{ examId: string; candidateId?: string }>;

function presentRow(row: CandidateWaysIn, zone: string) {
  return {
    ...row,
    expires: row.expiresAt ? formatInZone(row.expiresAt, zone) : 'when the test is closed',
    withdrawn: row.status !== 'active',
  };
}

/** Each candidate's direct link and entry code, for staff of the test's course: mounted at /app/exams/:examId/ways-in. */
export function waysInRoutes(deps: WaysInRouteDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const csrf = verifyCsrf(deps.secret);
  const scopeOf = async (req: WaysInRequest, res: Response): Promise<ExamScope> => {
    const actor = actorOf(launchOf(res));
    return { exam: await deps.exams.get(actor, req.params.examId), platformId: actor.platformId };
  };
  const listOf = (scope: ExamScope) => `/app/exams/${scope.exam.id}/ways-in`;

  router.get(
    '/',
    asyncHandler(async (req: WaysInRequest, res) => {
      const scope = await scopeOf(req, res);
      const { exam } = scope;
      // A draft shows nothing: links and codes are issued once the test is active (DESIGN: after activation).
      const result = exam.status === 'draft' ? null : await deps.waysIn.page(scope, Number(req.query.page) || 1, auditByOf(launchOf(res)));
      res.render('ways-in.njk', {
        title: `Links and codes · ${exam.title}`,
        exam: { id: exam.id, title: exam.title, status: exam.status },
        result: result && { ...result, candidates: result.candidates.map((row) => presentRow(row, exam.window.timeZone)) },
        zone: exam.window.timeZone,
        done: doneMessage(WAYS_IN_DONE, req.query),
      });
    }),
  );

  for (const action of ['revoke-all', 'reissue-all'] as const) {
    router.get(
      `/${action}`,
      asyncHandler(async (req: WaysInRequest, res) => {
        const scope = await scopeOf(req, res);
        const live = await deps.waysIn.liveCounts(scope);
        res.render('confirm.njk', { ...wholeTestWayInConfirmation(scope.exam, action, live.link), csrf: csrfOf(res, deps.secret) });
      }),
    );
    router.post(
      `/${action}`,
      form,
      csrf,
      asyncHandler(async (req: WaysInRequest, res) => {
        const scope = await scopeOf(req, res);
        const by = auditByOf(launchOf(res));
        await (action === 'revoke-all' ? deps.waysIn.revokeAll(scope, by) : deps.waysIn.reissueAll(scope, by));
        res.redirect(303, withDone(listOf(scope), action === 'revoke-all' ? 'revoked-all' : 'reissued-all'));
      }),
    );
  }

  for (const action of ['revoke', 'reissue'] as const) {
    router.get(
      `/:candidateId/${action}`,
      asyncHandler(async (req: WaysInRequest, res) => {
        const scope = await scopeOf(req, res);
        const candidate = await deps.waysIn.candidate(scope, req.params.candidateId ?? '');
        res.render('confirm.njk', { ...candidateWayInConfirmation(scope.exam, candidate, action), csrf: csrfOf(res, deps.secret) });
      }),
    );
    router.post(
      `/:candidateId/${action}`,
      form,
      csrf,
      asyncHandler(async (req: WaysInRequest, res) => {
        const scope = await scopeOf(req, res);
        const by = auditByOf(launchOf(res));
        await deps.waysIn[action](scope, req.params.candidateId ?? '', by);
        res.redirect(303, withDone(listOf(scope), action === 'revoke' ? 'revoked' : 'reissued'));
      }),
    );
  }
  return router;
}
