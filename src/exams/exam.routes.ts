import express, { type Request, type Response, type Router } from 'express';
import { actorOf, auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { checkbox, field } from '../web/form.js';
import type { Exam, ExamInput } from './exam.js';
import { InvalidExamError } from './exam.errors.js';
import { examFormValues, openInOptions, policyOptions, presentExam } from './exam.presenter.js';
import type { ExamService } from './exam.service.js';
import type { SecretKeys } from '../config.js';
import { examConfirmation, type CandidateCounts } from './exam-confirm.js';
import { ExamStateError } from './exam.errors.js';
import { doneMessage, EXAM_DONE, EXAMS_DONE, withDone } from '../web/done-message.js';

export interface ExamRouteDeps {
  exams: ExamService;
  secret: SecretKeys;
  /** Called when an instructor opens a test: syncs its roster if the last sync is stale. */
  onExamOpened: (exam: Exam) => Promise<void>;
  /** The test's candidates, so a close or delete confirmation can say how many it affects. */
  countCandidates: (exam: Exam) => Promise<CandidateCounts>;
}

export function examInputFrom(body: unknown): ExamInput {
  return {
    title: field(body, 'title'),
    description: field(body, 'description'),
    opensAt: field(body, 'opensAt'),
    closesAt: field(body, 'closesAt'),
    timeZone: field(body, 'timeZone'),
    durationMinutes: field(body, 'durationMinutes'),
    deliveryUrl: field(body, 'deliveryUrl'),
    finishRedirectUrl: field(body, 'finishRedirectUrl'),
    candidateIdPolicy: field(body, 'candidateIdPolicy'),
    rosterRoles: field(body, 'rosterRoles') || 'learners',
    enrolOnLaunch: checkbox(body, 'enrolOnLaunch'),
    // A form from before this setting existed (an open page) still saves: the default applies.
    openIn: field(body, 'openIn') || 'new_tab',
    isDemo: checkbox(body, 'isDemo'),
    accessExpiresAt: field(body, 'accessExpiresAt'),
  };
}

/** What the test's page says after staff chose it for the link they opened (link-choice.routes.ts). */
const PLACED_MESSAGE = (linkTitle: string | undefined) =>
  `${linkTitle ? `The link “${linkTitle}”` : 'The link you opened'} now opens this test: students who open it land in its lobby.`;

/** Staff pages for the tests of the launching course: list, create, edit, activate, close, delete. */
export function examRoutes(deps: ExamRouteDeps): Router {
  const router = express.Router();
  router.use(requireStaff);
  const form = express.urlencoded({ extended: false, limit: '64kb' });
  const csrf = verifyCsrf(deps.secret);

  const renderForm = (res: Response, exam: Exam | null, values: ExamInput, error: InvalidExamError | null) => {
    res.status(error ? 400 : 200).render('exam-form.njk', {
      title: exam ? `Edit ${exam.title}` : 'New test',
      exam,
      values,
      error,
      policyOptions,
      openInOptions,
      csrf: csrfOf(res, deps.secret),
    });
  };

  router.get(
    '/',
    asyncHandler(async (_req, res) => {
      const exams = await deps.exams.list(actorOf(launchOf(res)));
      const course = launchOf(res).context;
      res.render('exams.njk', {
        title: 'Tests in this course',
        courseTitle: course?.title ?? course?.id,
        exams: exams.map(presentExam),
        done: doneMessage(EXAMS_DONE, _req.query),
      });
    }),
  );
  router.get(
    '/new',
    asyncHandler(async (_req, res) => {
      renderForm(res, null, examFormValues(null, await deps.exams.defaultTimeZone(actorOf(launchOf(res)))), null);
    }),
  );
  router.post(
    '/',
    form,
    csrf,
    asyncHandler(async (req, res) => {
      const values = examInputFrom(req.body);
      try {
        const exam = await deps.exams.create(actorOf(launchOf(res)), values, auditByOf(launchOf(res)));
        res.redirect(303, withDone(`/app/exams/${exam.id}`, 'created'));
      } catch (err) {
        if (!(err instanceof InvalidExamError)) {
          throw err;
        }
        renderForm(res, null, values, err);
      }
    }),
  );
  router.get(
    '/:examId',
    asyncHandler(async (req: Request<{ examId: string }>, res) => {
      const exam = await deps.exams.get(actorOf(launchOf(res)), req.params.examId);
      await deps.onExamOpened(exam);
      const done = req.query.done === 'placed' ? PLACED_MESSAGE(launchOf(res).resourceLink?.title) : doneMessage(EXAM_DONE, req.query);
      res.render('exam.njk', { title: exam.title, exam: presentExam(exam), done, csrf: csrfOf(res, deps.secret) });
    }),
  );
  router.get(
    '/:examId/edit',
    asyncHandler(async (req: Request<{ examId: string }>, res) => {
      const exam = await deps.exams.get(actorOf(launchOf(res)), req.params.examId);
      if (exam.status === 'closed') {
        // The page offers no Edit for a closed test; a typed or bookmarked URL gets the reason, not a form that cannot save.
        throw new ExamStateError(
          'This test is closed, so its settings can no longer be changed. Its candidates and history are still there.',
        );
      }
      renderForm(res, exam, examFormValues(exam), null);
    }),
  );
  router.post(
    '/:examId',
    form,
    csrf,
    asyncHandler(async (req: Request<{ examId: string }>, res) => {
      const actor = actorOf(launchOf(res));
      const values = examInputFrom(req.body);
      try {
        await deps.exams.update(actor, req.params.examId, values, auditByOf(launchOf(res)));
        res.redirect(303, withDone(`/app/exams/${req.params.examId}`, 'saved'));
      } catch (err) {
        if (!(err instanceof InvalidExamError)) {
          throw err;
        }
        renderForm(res, await deps.exams.get(actor, req.params.examId), values, err);
      }
    }),
  );
  for (const step of ['activate', 'close'] as const) {
    router.post(
      `/:examId/${step}`,
      form,
      csrf,
      asyncHandler(async (req: Request<{ examId: string }>, res) => {
        await deps.exams.transition(actorOf(launchOf(res)), req.params.examId, step, auditByOf(launchOf(res)));
        res.redirect(303, withDone(`/app/exams/${req.params.examId}`, step === 'activate' ? 'activated' : 'closed'));
      }),
    );
  }
  router.post(
    '/:examId/delete',
    form,
    csrf,
    asyncHandler(async (req: Request<{ examId: string }>, res) => {
      await deps.exams.delete(actorOf(launchOf(res)), req.params.examId, auditByOf(launchOf(res)));
      res.redirect(303, withDone('/app/exams', 'deleted'));
    }),
  );
  for (const step of ['close', 'delete'] as const) {
    router.get(
      `/:examId/${step}`,
      asyncHandler(async (req: Request<{ examId: string }>, res) => {
        const exam = await deps.exams.get(actorOf(launchOf(res)), req.params.examId);
        const allowed = step === 'close' ? exam.status === 'active' : exam.status !== 'active';
        if (!allowed) {
          throw new ExamStateError(
            step === 'close'
              ? `Only an active test can be closed. This one is ${exam.status}.`
              : 'Close the test before deleting it: candidates may be taking it.',
          );
        }
        const model = examConfirmation(exam, step, await deps.countCandidates(exam));
        res.render('confirm.njk', { ...model, csrf: csrfOf(res, deps.secret) });
      }),
    );
  }
  return router;
}
