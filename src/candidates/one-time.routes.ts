import express, { type Response, type Router } from 'express';
import { InvalidUsernameError } from '../access/username-rules.js';
import { UsernameTakenError } from '../access/one-time-user.errors.js';
import { actorOf, auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { field } from '../web/form.js';
import { withDone } from '../web/done-message.js';
import { CandidateBatchError, CandidateCapError, InvalidCandidateError } from './candidate.errors.js';
import { renderCandidateEdit } from './candidate-edit.pages.js';
import { candidatesPage, type CandidateRouteDeps, type OneTimeProblem } from './candidates.pages.js';
import type { ExamRequest } from './candidate.routes.js';
import { regenerateConfirmation } from './candidate-confirm.js';
import { oneTimeRows, generatedRows } from './one-time-input.js';
import type { BatchRow } from './candidate-batch.js';
import { mountImport } from '../imports/import.routes.js';
import { formatInZone } from '../exams/time-zone.js';

/** The problems a refused one-time form shows, each naming its field; null for errors that are not the form's. */
function problemsOf(err: unknown, capField: string): OneTimeProblem['errors'] | null {
  if (err instanceof CandidateBatchError) {
    return [...err.problems];
  }
  if (err instanceof InvalidCandidateError) {
    return [{ field: err.field, message: err.message }];
  }
  if (err instanceof CandidateCapError) {
    return [{ field: capField, message: err.message }];
  }
  return null;
}

/**
 * One-time users on a test's candidates page, mounted at /app/exams/:examId/candidates/one-time:
 * add one, generate N, import a file; and per candidate, a new username or password.
 */
export function oneTimeRoutes(deps: CandidateRouteDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const csrf = verifyCsrf(deps.secret);
  const examOf = (req: ExamRequest, res: Response) => deps.exams.get(actorOf(launchOf(res)), req.params.examId);
  const renderPage = candidatesPage(deps);
  const list = (examId: string) => `/app/exams/${examId}/candidates?source=one-time`;

  /** Runs one of the three ways in; a refusal re-renders the page with the form's values and problems. */
  const adding = (kind: OneTimeProblem['form'], done: string, rowsOf: (req: ExamRequest, res: Response, room: number) => BatchRow[]) =>
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const values = {
        candidateId: field(req.body, 'candidateId'),
        extraTimeMinutes: field(req.body, 'extraTimeMinutes'),
        count: field(req.body, 'count'),
      };
      try {
        const { active } = await deps.candidates.counts(exam);
        await deps.oneTimeUsers.add(exam, rowsOf(req, res, Math.max(0, exam.maxCandidates - active)), auditByOf(launchOf(res)));
      } catch (err) {
        const errors = problemsOf(err, kind === 'generate' ? 'count' : 'candidateId');
        if (!errors) {
          throw err;
        }
        await renderPage(req, res, exam, { oneTime: { form: kind, errors, values } });
        return;
      }
      res.redirect(303, withDone(list(exam.id), done));
    });

  router.post(
    '/',
    form,
    csrf,
    adding('one-time-add', 'one-time-added', (req) => oneTimeRows(req.body)),
  );
  router.post(
    '/generate',
    form,
    csrf,
    adding('generate', 'one-time-generated', (req, _res, room) => generatedRows(req.body, room)),
  );
  // Import from file: the engine's upload → preview → commit → report (src/imports).
  mountImport(router, deps.imports, deps.oneTimeImport, {
    targetOf: async (req, res) => ({ exam: await examOf(req as ExamRequest, res), platformId: launchOf(res).platformId }),
    pathOf: ({ exam }) => `/app/exams/${exam.id}/candidates/one-time`,
    backOf: ({ exam }) => list(exam.id),
    titleOf: ({ exam }) => exam.title,
    formatTime:
      ({ exam }) =>
      (at) =>
        formatInZone(at, exam.window.timeZone),
    byOf: (res) => auditByOf(launchOf(res)),
    csrf,
    csrfTokenOf: (res) => csrfOf(res, deps.secret),
    refuse: (req, res, { exam }, message) =>
      renderPage(req, res, exam, { oneTime: { form: 'import', errors: [{ field: 'file', message }], values: {} } }),
  });

  router.post(
    '/:candidateId/username',
    form,
    csrf,
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const id = req.params.candidateId ?? '';
      const username = field(req.body, 'username');
      try {
        await deps.oneTimeUsers.changeUsername(exam, id, username, auditByOf(launchOf(res)));
      } catch (err) {
        if (err instanceof InvalidUsernameError || err instanceof UsernameTakenError) {
          const refused = { values: { username }, problems: [{ field: 'username', message: err.message }] };
          await renderCandidateEdit(deps, res, exam, await deps.candidates.get(exam, id), refused);
          return;
        }
        throw err;
      }
      res.redirect(303, withDone(list(exam.id), 'username-saved'));
    }),
  );

  router.get(
    '/:candidateId/password',
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const candidate = await deps.candidates.get(exam, req.params.candidateId ?? '');
      // Refuses a draft test or a candidate who is not a one-time user before asking anything.
      await deps.oneTimeUsers.requireAccount(exam, candidate.id);
      res.render('confirm.njk', { ...regenerateConfirmation(exam, candidate), csrf: csrfOf(res, deps.secret) });
    }),
  );

  router.post(
    '/:candidateId/password',
    form,
    csrf,
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      await deps.oneTimeUsers.regeneratePassword(exam, req.params.candidateId ?? '', auditByOf(launchOf(res)));
      res.redirect(303, withDone(list(exam.id), 'password-regenerated'));
    }),
  );
  return router;
}
