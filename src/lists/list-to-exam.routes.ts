import express, { type Request, type Response, type Router } from 'express';
import type { SecretKeys } from '../config.js';
import { CandidateBatchError, CandidateCapError } from '../candidates/candidate.errors.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import type { ExamService } from '../exams/exam.service.js';
import { actorOf, auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { withDone } from '../web/done-message.js';
import { field } from '../web/form.js';
import { roomAfter } from './list.js';
import { InvalidListError, ListNotFoundError } from './list.errors.js';
import { instructorViewer } from './list-areas.middleware.js';
import { presentList } from './list.presenter.js';
import type { PermanentLists } from './list.service.js';

export interface ListToExamDeps {
  exams: ExamService;
  candidates: CandidateService;
  lists: PermanentLists;
  secret: SecretKeys;
}

type ExamRequest = Request<{ examId: string }>;
type Problem = { field: string; message: string };

/**
 * /app/exams/:examId/candidates/lists: "Add a list…". Staff choose one of their lists (or one
 * shared with them), see how it splits for this test (to add, already candidates, deleted, not
 * eligible) against the cap, choose how candidate IDs are made, and confirm: all or nothing.
 */
export function listToExamRoutes(deps: ListToExamDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  const csrf = verifyCsrf(deps.secret);

  const page = async (req: ExamRequest, res: Response, status: number, chosen: string, errors: Problem[] = []) => {
    const launch = launchOf(res);
    const exam = await deps.exams.get(actorOf(launch), req.params.examId);
    const viewer = instructorViewer(launch);
    const index = await deps.lists.index(viewer);
    const lists = [...index.mine, ...index.sharedWithMe].map((l) => presentList(l, viewer));
    let preview = null;
    if (chosen) {
      const active = (await deps.candidates.counts(exam)).active;
      const { list, plan } = await deps.lists.planFor(viewer, chosen, exam, active);
      preview = { list: presentList(list, viewer), ...plan, toAdd: plan.toAdd.length, room: roomAfter(plan) };
    }
    res.status(status).render('lists/add-to-test.njk', {
      title: 'Add a list',
      exam,
      lists,
      chosen,
      preview,
      policy: field(req.body, 'policy') === 'anonymous' ? 'anonymous' : 'name',
      errors,
      csrf: csrfOf(res, deps.secret),
    });
  };

  router.get(
    '/',
    asyncHandler(async (req: ExamRequest, res) => {
      const chosen = typeof req.query.list === 'string' ? req.query.list.slice(0, 36) : '';
      await page(req, res, 200, chosen);
    }),
  );
  router.post(
    '/',
    express.urlencoded({ extended: false, limit: '16kb' }),
    csrf,
    asyncHandler(async (req: ExamRequest, res) => {
      const launch = launchOf(res);
      const exam = await deps.exams.get(actorOf(launch), req.params.examId);
      const listId = field(req.body, 'list').slice(0, 36);
      const policy = field(req.body, 'policy') === 'anonymous' ? 'anonymous' : 'name';
      if (!listId) {
        await page(req, res, 400, '', [{ field: 'list', message: 'Choose the list to add.' }]);
        return;
      }
      try {
        const active = (await deps.candidates.counts(exam)).active;
        await deps.lists.addToExam(instructorViewer(launch), listId, exam, active, policy, auditByOf(launch));
      } catch (err) {
        const problems = problemsOf(err);
        if (!problems) {
          throw err;
        }
        await page(req, res, err instanceof CandidateCapError ? 409 : 400, listId, problems);
        return;
      }
      res.redirect(303, withDone(`/app/exams/${exam.id}/candidates?source=permanent`, 'list-added'));
    }),
  );
  return router;
}

/** The refusals the page shows on the field (a list gone meanwhile is a 404 page, like any wall). */
function problemsOf(err: unknown): Problem[] | null {
  if (err instanceof ListNotFoundError) {
    return null;
  }
  if (err instanceof CandidateBatchError) {
    return err.problems.map((p) => ({ field: 'list', message: `${p.message} Nothing was added.` }));
  }
  if (err instanceof CandidateCapError || err instanceof InvalidListError) {
    return [{ field: 'list', message: `${err.message} Nothing was added.` }];
  }
  return null;
}
