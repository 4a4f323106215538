import express, { type Response, type Router } from 'express';
import { InvalidExamError } from '../exams/exam.errors.js';
import { examFormValues } from '../exams/exam.presenter.js';
import { EXAM_CUSTOM_PARAMETER, type ExamService } from '../exams/exam.service.js';
import type { LaunchContext } from '../lti/launch-context.js';
import type { PlacedLink } from '../lti/lti-services.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { field } from '../web/form.js';
import { HttpError } from '../web/http-error.js';
import { actorOf, auditByOf, csrfOf, launchOf } from './session-context.middleware.js';
import type { SecretKeys } from '../config.js';

/** Builds the LTI deep-linking response (a signed JWT for the LMS) for chosen content items. */
export type DeepLinkResponder = (launch: LaunchContext, items: PlacedLink[]) => Promise<{ returnUrl: string; jwt: string }>;

/** Scores are posted out of 100 unless an engine reports another maximum. */
const GRADEBOOK_MAXIMUM = 100;

function deepLinkingLaunch(res: Response): LaunchContext {
  const launch = launchOf(res);
  if (launch.messageType !== 'LtiDeepLinkingRequest') {
    throw new HttpError(400, 'not_deep_linking', 'This page is only reached when you add examgate to your course from the LMS.');
  }
  if (launch.audience === 'learner') {
    throw new HttpError(403, 'forbidden', 'Only instructors can place examgate in a course.');
  }
  return launch;
}

/**
 * "Select content" from the LMS: pick one of the course's tests or create one; the answer is
 * an LTI resource link carrying the test's id as a custom parameter.
 */
export function deepLinkRoutes(deps: { exams: ExamService; deepLink: DeepLinkResponder; secret: SecretKeys }): Router {
  const router = express.Router();
  const render = async (res: Response, launch: LaunchContext, error: string | null, status = 200) => {
    res.status(status).render('deep-link.njk', {
      courseTitle: launch.context?.title ?? launch.context?.id,
      exams: (await deps.exams.list(actorOf(launch))).map((exam) => ({ id: exam.id, title: exam.title, status: exam.status })),
      error,
      title: 'Place a test in your course',
      csrf: csrfOf(res, deps.secret),
    });
  };

  router.get(
    '/',
    asyncHandler(async (_req, res) => {
      await render(res, deepLinkingLaunch(res), null);
    }),
  );

  router.post(
    '/',
    express.urlencoded({ extended: false, limit: '16kb' }),
    verifyCsrf(deps.secret),
    asyncHandler(async (req, res) => {
      const launch = deepLinkingLaunch(res);
      const actor = actorOf(launch);
      const examId = field(req.body, 'examId');
      let exam;
      if (examId) {
        exam = await deps.exams.get(actor, examId);
      } else {
        try {
          exam = await deps.exams.create(actor, { ...examFormValues(null), title: field(req.body, 'title') }, auditByOf(launch));
        } catch (err) {
          if (err instanceof InvalidExamError) {
            await render(res, launch, err.message, 400);
            return;
          }
          throw err;
        }
      }
      const response = await deps.deepLink(launch, [
        { title: exam.title, custom: { [EXAM_CUSTOM_PARAMETER]: exam.id }, scoreMaximum: GRADEBOOK_MAXIMUM },
      ]);
      res.render('deep-link-return.njk', { ...response, title: 'Returning to your course' });
    }),
  );
  return router;
}
