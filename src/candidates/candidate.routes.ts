import express, { type Request, type Response, type Router } from 'express';
import { actorOf, auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { optionalField } from '../web/form.js';
import { HttpError } from '../web/http-error.js';
import { CandidateCapError, DuplicateCandidateIdError, InvalidCandidateError, LeftOutChoiceError } from './candidate.errors.js';
import type { CandidateInput } from './candidate-input.js';
import { ROSTER_SYNC_JOB } from './roster-sync.service.js';
import { withDone } from '../web/done-message.js';
import { withdrawConfirmation } from './candidate-confirm.js';
import { candidatesPage, type CandidateRouteDeps } from './candidates.pages.js';
import { renderCandidateEdit } from './candidate-edit.pages.js';
import { answerPhoto } from '../permanent/photos/photo.routes.js';

export type { CandidateRouteDeps } from './candidates.pages.js';

export type ExamRequest = Request<{ examId: string; candidateId?: string }>;

const CANDIDATE_FIELDS = ['candidateId', 'extraTimeMinutes', 'building', 'room'] as const;

/** The candidate fields the form sent; absent ones stay absent, so an edit changes only those. */
function candidateInputFrom(body: unknown): CandidateInput {
  return Object.fromEntries(CANDIDATE_FIELDS.map((name) => [name, optionalField(body, name)]).filter((entry) => entry[1] !== undefined));
}

/** The candidates page of one test, mounted at /app/exams/:examId/candidates. */
export function candidateRoutes(deps: CandidateRouteDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const csrf = verifyCsrf(deps.secret);
  const examOf = (req: ExamRequest, res: Response) => deps.exams.get(actorOf(launchOf(res)), req.params.examId);

  const renderPage = candidatesPage(deps);

  router.get(
    '/',
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      await deps.roster.syncIfStale(exam);
      await renderPage(req, res, exam, null);
    }),
  );

  router.post(
    '/',
    form,
    csrf,
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const values = candidateInputFrom(req.body);
      try {
        await deps.candidates.addManual(exam, values, auditByOf(launchOf(res)));
      } catch (err) {
        if (err instanceof InvalidCandidateError || err instanceof DuplicateCandidateIdError || err instanceof CandidateCapError) {
          await renderPage(req, res, exam, { add: { message: err.message, values } });
          return;
        }
        throw err;
      }
      res.redirect(303, withDone(`/app/exams/${exam.id}/candidates`, 'added'));
    }),
  );

  // Before '/:candidateId', which would otherwise take "left-out" for a candidate.
  router.post(
    '/left-out',
    form,
    csrf,
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const userId = optionalField(req.body, 'userId')?.trim() ?? '';
      const inPlaceOf = optionalField(req.body, 'inPlaceOf')?.trim() ?? '';
      try {
        await deps.candidates.addLeftOut(exam, userId, inPlaceOf || null, auditByOf(launchOf(res)));
      } catch (err) {
        if (err instanceof LeftOutChoiceError) {
          await renderPage(req, res, exam, { leftOut: { message: err.message, userId, inPlaceOf } });
          return;
        }
        throw err;
      }
      res.redirect(303, `/app/exams/${exam.id}/candidates#left-out-heading`);
    }),
  );

  // The permanent user's photo, for this course's staff only: the test is found through the course first, the
  // candidate and the photo within that test (404 for anyone else's). The list and the slips load it once per candidate.
  router.get(
    '/:candidateId/photo',
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const photos = deps.photos;
      const candidateId = req.params.candidateId ?? '';
      const platformId = launchOf(res).platformId;
      await answerPhoto(req, res, {
        sha: async () => (photos ? photos.shaOfCandidate(platformId, exam.id, candidateId) : null),
        photo: async () => (photos ? photos.ofCandidate(platformId, exam.id, candidateId) : null),
      });
    }),
  );

  router.get(
    '/:candidateId/edit',
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const candidate = await deps.candidates.get(exam, req.params.candidateId ?? '');
      await renderCandidateEdit(deps, res, exam, candidate);
    }),
  );

  router.post(
    '/:candidateId',
    form,
    csrf,
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const id = req.params.candidateId ?? '';
      const input = candidateInputFrom(req.body);
      try {
        await deps.candidates.edit(exam, id, input, auditByOf(launchOf(res)));
      } catch (err) {
        if (err instanceof InvalidCandidateError || err instanceof DuplicateCandidateIdError) {
          const field = err instanceof InvalidCandidateError ? err.field : 'candidateId';
          const values = Object.fromEntries(Object.entries(input).filter((entry): entry is [string, string] => entry[1] !== undefined));
          await renderCandidateEdit(deps, res, exam, await deps.candidates.get(exam, id), {
            values,
            problems: [{ field, message: err.message }],
          });
          return;
        }
        throw err;
      }
      res.redirect(303, withDone(`/app/exams/${exam.id}/candidates`, 'saved'));
    }),
  );

  router.get(
    '/:candidateId/withdraw',
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const candidate = await deps.candidates.get(exam, req.params.candidateId ?? '');
      if (candidate.status !== 'active') {
        res.redirect(303, `/app/exams/${exam.id}/candidates`);
        return;
      }
      res.render('confirm.njk', { ...withdrawConfirmation(exam, candidate), csrf: csrfOf(res, deps.secret) });
    }),
  );

  for (const action of ['withdraw', 'restore'] as const) {
    router.post(
      `/:candidateId/${action}`,
      form,
      csrf,
      asyncHandler(async (req: ExamRequest, res) => {
        const exam = await examOf(req, res);
        await deps.candidates[action](exam, req.params.candidateId ?? '', auditByOf(launchOf(res)));
        res.redirect(303, withDone(`/app/exams/${exam.id}/candidates`, action === 'withdraw' ? 'withdrawn' : 'restored'));
      }),
    );
  }
  return router;
}

/** Roster sync: start one now, and watch its progress (JSON, polled by the page). */
export function rosterSyncRoutes(deps: CandidateRouteDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  router.post(
    '/',
    express.urlencoded({ extended: false, limit: '4kb' }),
    verifyCsrf(deps.secret),
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await deps.exams.get(actorOf(launchOf(res)), req.params.examId);
      const job = await deps.roster.enqueue(exam);
      if (req.accepts(['html', 'json']) === 'json') {
        res.status(202).json({ job: job.id });
        return;
      }
      res.redirect(303, withDone(`/app/exams/${exam.id}/candidates`, 'sync-queued'));
    }),
  );
  router.get(
    '/:jobId',
    asyncHandler(async (req: Request<{ examId: string; jobId: string }>, res) => {
      const exam = await deps.exams.get(actorOf(launchOf(res)), req.params.examId);
      const job = await deps.jobs.find(req.params.jobId);
      if (!job || job.kind !== ROSTER_SYNC_JOB || job.subjectId !== exam.id) {
        throw new HttpError(404, 'not_found', 'No such roster sync for this test.');
      }
      res.json({
        status: job.status,
        membersRead: job.progress.done,
        result: job.result,
        error: job.error,
        attempts: job.attempts,
        maxAttempts: job.maxAttempts,
        nextTryAt: job.status === 'retrying' ? (job.runAfter?.toISOString() ?? null) : null,
      });
    }),
  );
  return router;
}
