import express, { type Request, type Response, type Router } from 'express';
import type { SecretKeys } from '../config.js';
import { CandidateBatchError, CandidateCapError } from '../candidates/candidate.errors.js';
import type { ExamService } from '../exams/exam.service.js';
import { actorOf, auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { withDone } from '../web/done-message.js';
import { field } from '../web/form.js';
import type { PermanentCandidates } from './permanent-candidates.service.js';
import { presentUser } from './permanent-user.presenter.js';
import type { PermanentUsers } from './permanent-user.service.js';

export interface PermanentCandidateDeps {
  exams: ExamService;
  permanentUsers: PermanentUsers;
  permanentCandidates: PermanentCandidates;
  secret: SecretKeys;
}

type ExamRequest = Request<{ examId: string }>;

function chosenIds(body: unknown): string[] {
  const value = (body as Record<string, unknown> | undefined)?.users;
  const list = Array.isArray(value) ? value : [value];
  return list.filter((v): v is string => typeof v === 'string').slice(0, 2000);
}

/**
 * /app/exams/:examId/candidates/permanent: staff search the permanent users of their own
 * platform (the launch's, never one from the request) and add the chosen ones to the test.
 */
export function permanentCandidateRoutes(deps: PermanentCandidateDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  const csrf = verifyCsrf(deps.secret);

  const page = async (req: ExamRequest, res: Response, status: number, errors: Array<{ field: string; message: string }> = []) => {
    const launch = launchOf(res);
    const exam = await deps.exams.get(actorOf(launch), req.params.examId);
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : field(req.body, 'q').slice(0, 200);
    const found = await deps.permanentUsers.search(launch.platformId, q, 'active', Number(req.query.page) || 1);
    res.status(status).render('candidates-permanent.njk', {
      title: 'Add permanent users',
      exam,
      q,
      ...found,
      users: found.users.map(presentUser),
      policy: field(req.body, 'policy') || 'name',
      errors,
      csrf: csrfOf(res, deps.secret),
    });
  };

  router.get(
    '/',
    asyncHandler((req: ExamRequest, res) => page(req, res, 200)),
  );
  router.post(
    '/',
    express.urlencoded({ extended: false, limit: '128kb' }),
    csrf,
    asyncHandler(async (req: ExamRequest, res) => {
      const launch = launchOf(res);
      const exam = await deps.exams.get(actorOf(launch), req.params.examId);
      const policy = field(req.body, 'policy') === 'anonymous' ? 'anonymous' : 'name';
      try {
        await deps.permanentCandidates.add(exam, launch.platformId, chosenIds(req.body), policy, auditByOf(launch));
      } catch (err) {
        if (err instanceof CandidateBatchError) {
          await page(req, res, 400, [...err.problems]);
          return;
        }
        if (err instanceof CandidateCapError) {
          await page(req, res, 409, [{ field: 'users', message: err.message }]);
          return;
        }
        throw err;
      }
      res.redirect(303, withDone(`/app/exams/${exam.id}/candidates?source=permanent`, 'permanent-added'));
    }),
  );
  return router;
}
