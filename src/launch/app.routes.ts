import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { LaunchContext } from '../lti/launch-context.js';
import type { SessionService } from '../sessions/session.service.js';
import { asyncHandler } from '../web/async-handler.js';
import { csrfTokenFor, verifyCsrf } from '../web/csrf.js';
import { HttpError } from '../web/http-error.js';
import { SESSION_COOKIE } from './launch.controller.js';

/** Builds the LTI deep-linking response (a signed JWT for the LMS) for chosen content items. */
export type DeepLinkResponder = (
  launch: LaunchContext,
  items: Array<{ title: string; text?: string }>,
) => Promise<{ returnUrl: string; jwt: string }>;

function requireSession(sessions: SessionService) {
  return asyncHandler(async (req: Request, res: Response, next: NextFunction) => {
    const session = await sessions.resume(req.cookies?.[SESSION_COOKIE]);
    if (!session) {
      throw new HttpError(401, 'no_session', 'Your examgate session has ended or was never started. Open examgate again from your course.');
    }
    res.locals.session = session;
    next();
  });
}

function launchOf(res: Response): LaunchContext {
  return (res.locals.session as { launch: LaunchContext }).launch;
}

/** Pages reached after a launch: the role-aware landing page and deep-linking content selection. */
export function appRoutes(deps: { sessions: SessionService; secret: string; deepLink: DeepLinkResponder }): Router {
  const router = express.Router();
  router.use(requireSession(deps.sessions));

  router.get('/', (_req, res) => {
    const launch = launchOf(res);
    const view = { admin: 'landing-admin.njk', staff: 'landing-staff.njk', learner: 'landing-learner.njk' }[launch.audience];
    res.render(view, { launch, title: launch.resourceLink?.title ?? 'examgate' });
  });

  router.get('/deep-link', (_req, res) => {
    const launch = launchOf(res);
    if (launch.messageType !== 'LtiDeepLinkingRequest') {
      throw new HttpError(400, 'not_deep_linking', 'This page is only reached when you add examgate to your course from the LMS.');
    }
    if (launch.audience === 'learner') {
      throw new HttpError(403, 'forbidden', 'Only instructors can place examgate in a course.');
    }
    res.render('deep-link.njk', {
      launch,
      title: 'Place a test in your course',
      csrf: csrfTokenFor(deps.secret, (res.locals.session as { idHash: string }).idHash),
    });
  });

  router.post(
    '/deep-link',
    express.urlencoded({ extended: false, limit: '16kb' }),
    verifyCsrf(deps.secret),
    asyncHandler(async (req, res) => {
      const launch = launchOf(res);
      if (launch.messageType !== 'LtiDeepLinkingRequest' || launch.audience === 'learner') {
        throw new HttpError(403, 'forbidden', 'Only instructors can place examgate in a course.');
      }
      const title = typeof req.body.title === 'string' ? req.body.title.trim() : '';
      if (title.length === 0 || title.length > 255) {
        throw new HttpError(400, 'invalid_title', 'Give the activity a title of 1 to 255 characters.');
      }
      const response = await deps.deepLink(launch, [{ title }]);
      res.render('deep-link-return.njk', { ...response, title: 'Returning to your course' });
    }),
  );
  return router;
}
