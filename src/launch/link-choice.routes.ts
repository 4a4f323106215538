import express, { type Response, type Router } from 'express';
import type { SecretKeys } from '../config.js';
import type { InvalidExamError } from '../exams/exam.errors.js';
import { EXAM_CUSTOM_PARAMETER, type ExamService } from '../exams/exam.service.js';
import type { LaunchContext } from '../lti/launch-context.js';
import { asyncHandler } from '../web/async-handler.js';
import { verifyCsrf } from '../web/csrf.js';
import { HttpError } from '../web/http-error.js';
import { actorOf, auditByOf, csrfOf, launchOf, placementOf, requireStaff } from './session-context.middleware.js';
import { blankEssentials, chooseTest, type NewTestEssentials } from './test-choice.js';

/** Where staff land from a link that leads to no test yet. */
export const LINK_CHOICE_PATH = '/app/link';

function linkLaunch(res: Response): LaunchContext & { resourceLink: { id: string; title?: string } } {
  const launch = launchOf(res);
  if (launch.messageType !== 'LtiResourceLinkRequest' || !launch.resourceLink) {
    throw new HttpError(400, 'no_link', 'This page is reached by opening an examgate link in your course.');
  }
  return launch as LaunchContext & { resourceLink: { id: string; title?: string } };
}

/**
 * "Choose the test for this link": a link added to the course without "select content" (or
 * copied from another course) leads to no test; staff pick one of the course's tests or
 * create one, and the link is bound to it as a placed link is. Learners never reach it.
 */
export function linkChoiceRoutes(deps: { exams: ExamService; secret: SecretKeys }): Router {
  const router = express.Router();
  router.use(requireStaff);
  const render = async (res: Response, launch: LaunchContext, values: NewTestEssentials, error: InvalidExamError | null) => {
    const course = launch.context;
    res.status(error ? 400 : 200).render('link-choice.njk', {
      linkTitle: launch.resourceLink?.title ?? null,
      courseTitle: course?.title ?? course?.id,
      // The LMS still echoes the custom parameter of the course this link was copied from.
      copied: Boolean(launch.custom[EXAM_CUSTOM_PARAMETER]),
      exams: (await deps.exams.list(actorOf(launch))).map((exam) => ({ id: exam.id, title: exam.title, status: exam.status })),
      values,
      error,
      action: LINK_CHOICE_PATH,
      title: 'Choose the test for this link',
      csrf: csrfOf(res, deps.secret),
    });
  };

  router.get(
    '/',
    asyncHandler(async (_req, res) => {
      const launch = linkLaunch(res);
      const placed = await deps.exams.examForLaunch(placementOf(launch));
      if (placed) {
        res.redirect(303, `/app/exams/${placed.id}`);
        return;
      }
      await render(res, launch, await blankEssentials(deps.exams, actorOf(launch)), null);
    }),
  );

  router.post(
    '/',
    express.urlencoded({ extended: false, limit: '16kb' }),
    verifyCsrf(deps.secret),
    asyncHandler(async (req, res) => {
      const launch = linkLaunch(res);
      const actor = actorOf(launch);
      const choice = await chooseTest(deps.exams, actor, req.body, auditByOf(launch));
      if ('error' in choice) {
        await render(res, launch, choice.values, choice.error);
        return;
      }
      const placement = { ...placementOf(launch), resourceLinkTitle: launch.resourceLink.title ?? null };
      const exam = await deps.exams.placeLink(actor, placement, choice.exam.id, auditByOf(launch));
      res.redirect(303, `/app/exams/${exam.id}?done=placed`);
    }),
  );
  return router;
}
