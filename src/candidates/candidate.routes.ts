import express, { type Request, type Response, type Router } from 'express';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import type { JobRunner } from '../jobs/job.runner.js';
import { actorOf, auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { optionalField } from '../web/form.js';
import { HttpError } from '../web/http-error.js';
import { CANDIDATE_SOURCES, type CandidateStatus } from './candidate.js';
import { CandidateCapError, DuplicateCandidateIdError, InvalidCandidateError, LeftOutChoiceError } from './candidate.errors.js';
import { presentLeftOut } from './left-out.presenter.js';
import { presentCandidate, presentRoster } from './candidate.presenter.js';
import type { CandidateInput } from './candidate-input.js';
import type { CandidateService } from './candidate.service.js';
import type { RosterSchedule } from './roster-schedule.js';
import { ROSTER_SYNC_JOB } from './roster-sync.service.js';
import { GRADE_PASSBACK_JOB } from '../access/attempt.service.js';
import { formatInZone } from '../exams/time-zone.js';
import type { SecretKeys } from '../config.js';
import { CANDIDATES_DONE, doneMessage, withDone } from '../web/done-message.js';
import { withdrawConfirmation } from './candidate-confirm.js';

const STATUSES: CandidateStatus[] = ['active', 'withdrawn'];

type ExamRequest = Request<{ examId: string; candidateId?: string }>;

export interface CandidateRouteDeps {
  exams: ExamService;
  candidates: CandidateService;
  jobs: JobRunner;
  roster: RosterSchedule;
  secret: SecretKeys;
}

const CANDIDATE_FIELDS = ['candidateId', 'extraTimeMinutes', 'building', 'room'] as const;

/** The candidate fields the form sent; absent ones stay absent, so an edit changes only those. */
function candidateInputFrom(body: unknown): CandidateInput {
  return Object.fromEntries(CANDIDATE_FIELDS.map((name) => [name, optionalField(body, name)]).filter((entry) => entry[1] !== undefined));
}

function pick<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  return allowed.find((a) => a === value);
}

/** The candidates page of one test, mounted at /app/exams/:examId/candidates. */
export function candidateRoutes(deps: CandidateRouteDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  const form = express.urlencoded({ extended: false, limit: '16kb' });
  const csrf = verifyCsrf(deps.secret);
  const examOf = (req: ExamRequest, res: Response) => deps.exams.get(actorOf(launchOf(res)), req.params.examId);

  const renderPage = async (
    req: ExamRequest,
    res: Response,
    exam: Exam,
    problem: { message: string; values: CandidateInput } | null,
    leftOutProblem: { message: string; userId: string; inPlaceOf: string } | null = null,
  ) => {
    const query = {
      search: typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '',
      source: pick(req.query.source, CANDIDATE_SOURCES),
      status: pick(req.query.status, STATUSES),
      page: Number(req.query.page) || 1,
    };
    const result = await deps.candidates.page(exam, query);
    const job = await deps.jobs.latest(ROSTER_SYNC_JOB, exam.id);
    const gradeJobs = await deps.jobs.latestOfEach(
      GRADE_PASSBACK_JOB,
      result.candidates.filter((c) => c.gradeStatus).map((c) => c.id),
    );
    const formatTime = (instant: Date) => formatInZone(instant, exam.window.timeZone);
    const leftOutSearch = typeof req.query.lq === 'string' ? req.query.lq.slice(0, 200) : '';
    const leftOut = presentLeftOut(await deps.candidates.leftOut(exam), leftOutSearch, result.counts.active < exam.maxCandidates);
    res.status(problem || leftOutProblem ? 400 : 200).render('candidates.njk', {
      title: `Candidates · ${exam.title}`,
      exam: { id: exam.id, title: exam.title, status: exam.status },
      query,
      ...result,
      candidates: result.candidates.map((c) => presentCandidate(c, gradeJobs.get(c.id) ?? null, formatTime)),
      roster: presentRoster(exam.roster.syncedAt, exam.roster.summary, job, formatTime),
      problem,
      leftOut: { ...leftOut, problem: leftOutProblem },
      done: problem ? null : doneMessage(CANDIDATES_DONE, req.query),
      csrf: csrfOf(res, deps.secret),
    });
  };

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
          await renderPage(req, res, exam, { message: err.message, values });
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
          await renderPage(req, res, exam, null, { message: err.message, userId, inPlaceOf });
          return;
        }
        throw err;
      }
      res.redirect(303, `/app/exams/${exam.id}/candidates#left-out-heading`);
    }),
  );

  router.get(
    '/:candidateId/edit',
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const candidate = await deps.candidates.get(exam, req.params.candidateId ?? '');
      res.render('candidate-edit.njk', {
        title: `Edit ${candidate.candidateId}`,
        exam,
        candidate: presentCandidate(candidate),
        csrf: csrfOf(res, deps.secret),
      });
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
          const candidate = await deps.candidates.get(exam, id);
          res.status(400).render('candidate-edit.njk', {
            title: `Edit ${candidate.candidateId}`,
            exam,
            candidate: { ...presentCandidate(candidate), ...input },
            error: err.message,
            csrf: csrfOf(res, deps.secret),
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
