import express, { type Response, type Router } from 'express';
import type { InvalidExamError } from '../exams/exam.errors.js';
import { EXAM_CUSTOM_PARAMETER, type ExamService } from '../exams/exam.service.js';
import type { LaunchContext } from '../lti/launch-context.js';
import type { PlacedLink } from '../lti/lti-services.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { HttpError } from '../web/http-error.js';
import { actorOf, auditByOf, csrfOf, launchOf } from './session-context.middleware.js';
import { blankEssentials, chooseTest, type NewTestEssentials } from './test-choice.js';
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
 * "Select content" from the LMS: pick one of the course's tests or create one with its
 * essentials (title, window, time zone, duration); the answer is an LTI resource link
 * carrying the test's id as a custom parameter.
 */
export function deepLinkRoutes(deps: { exams: ExamService; deepLink: DeepLinkResponder; secret: SecretKeys }): Router {
  const router = express.Router();
  const render = async (res: Response, launch: LaunchContext, values: NewTestEssentials, error: InvalidExamError | null) => {
    res.status(error ? 400 : 200).render('deep-link.njk', {
      courseTitle: launch.context?.title ?? launch.context?.id,
      exams: (await deps.exams.list(actorOf(launch))).map((exam) => ({ id: exam.id, title: exam.title, status: exam.status })),
      values,
      error,
      action: '/app/deep-link',
      title: 'Place a test in your course',
      csrf: csrfOf(res, deps.secret),
    });
  };

  router.get(
    '/',
    asyncHandler(async (_req, res) => {
      const launch = deepLinkingLaunch(res);
      await render(res, launch, await blankEssentials(deps.exams, actorOf(launch)), null);
    }),
  );

  router.post(
    '/',
    express.urlencoded({ extended: false, limit: '16kb' }),
    verifyCsrf(deps.secret),
    asyncHandler(async (req, res) => {
      const launch = deepLinkingLaunch(res);
      const choice = await chooseTest(deps.exams, actorOf(launch), req.body, auditByOf(launch));
      if ('error' in choice) {
        await render(res, launch, choice.values, choice.error);
        return;
      }
      const { exam } = choice;
      const response = await deps.deepLink(launch, [
        { title: exam.title, custom: { [EXAM_CUSTOM_PARAMETER]: exam.id }, scoreMaximum: GRADEBOOK_MAXIMUM },
      ]);
      res.render('deep-link-return.njk', { ...response, title: 'Returning to your course' });
    }),
  );
  return router;
}
