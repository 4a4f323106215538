/**
 * Assembles the LMS's express Router. Body parsers are scoped to this router
 * so mounting it in the demo app does not change how the host app parses bodies.
 */
import express from 'express';
import type { NextFunction, Request, RequestHandler, Response as ExpressResponse, Router } from 'express';
import { CLAIM_DL_CONTENT_ITEMS, ROLE_INSTRUCTOR, ROLE_LEARNER } from './claims.js';
import { registerCoursePages } from './course-page.js';
import { escapeHtml, htmlPage } from './html.js';
import { stringParam } from './http-util.js';
import { publicJwk } from './keys.js';
import { registerPlatformStorage } from './platform-storage.js';
import type { LmsState } from './state.js';

const MAX_LOGGED_REQUESTS = 100_000;

export interface RouteHandlers {
  auth: RequestHandler;
  token: RequestHandler;
  deepLinkReturn: RequestHandler;
  /** LTI Dynamic Registration: the platform's OpenID configuration and registration endpoint. */
  openidConfiguration: RequestHandler;
  register: RequestHandler;
  services: (router: Router) => void;
}

/** The custom parameters and title of the first content item of deep-linking response `index` (an activity placed on the course). */
function placedActivity(state: LmsState, index: number): { title: string; custom: Record<string, string> } | null {
  const items = state.deepLinkResponses[index]?.claims[CLAIM_DL_CONTENT_ITEMS];
  const item: unknown = Array.isArray(items) ? items[0] : undefined;
  if (typeof item !== 'object' || item === null) {
    return null;
  }
  const { title, custom } = item as Record<string, unknown>;
  const strings = Object.entries(typeof custom === 'object' && custom !== null ? custom : {}).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
  return { title: typeof title === 'string' ? title : 'Activity', custom: Object.fromEntries(strings) };
}

/**
 * Demo convenience: GET /launch?role=instructor|learner&user=… sends the browser into a launch
 * (without `role`, a member of the demo roster launches in their roster role); &activity=N
 * launches the activity the Nth deep-linking response placed, &add=1 (instructor) is the Deep
 * Linking request of "Add examgate activity", and &open=embedded shows the activity inside the
 * course page's frame (course-page.ts), as Moodle's "Embed" container does, instead of top level.
 */
function demoLaunch(state: LmsState): RequestHandler {
  return (req: Request, res: ExpressResponse): void => {
    if (!state.tool) {
      res.status(409).type('text/plain').send('no tool is registered with the simulated LMS');
      return;
    }
    const role = stringParam(req.query, 'role');
    const named = stringParam(req.query, 'user');
    // A member of the course's roster launches under their roster name, so the lobby greets them as NRPS listed them.
    const member = named ? state.rosters.get('demo-course')?.find((m) => m.user_id === named) : undefined;
    const instructor = role ? role === 'instructor' : (member?.roles.includes(ROLE_INSTRUCTOR) ?? false);
    const sub = named || (instructor ? 'demo-instructor' : 'demo-learner');
    const givenName = member?.given_name ?? 'Demo';
    const familyName = member?.family_name ?? (instructor ? 'Instructor' : 'Learner');
    const activityIndex = Number(stringParam(req.query, 'activity'));
    const activity = Number.isInteger(activityIndex) && activityIndex >= 0 ? placedActivity(state, activityIndex) : null;
    const adding = instructor && stringParam(req.query, 'add') === '1';
    const placement = adding
      ? { messageType: 'LtiDeepLinkingRequest' as const, resourceLink: null }
      : activity
        ? { resourceLink: { id: `demo-activity-${activityIndex}`, title: activity.title }, custom: activity.custom }
        : {};
    const request = {
      ...placement,
      user: {
        sub,
        name: member?.name ?? `${givenName} ${familyName}`,
        givenName,
        familyName,
        email: member?.email ?? `${sub}@example.invalid`,
      },
      roles: [instructor ? ROLE_INSTRUCTOR : ROLE_LEARNER],
      context: { id: 'demo-course', title: 'Demo course', label: 'DEMO' },
    };
    if (activity && stringParam(req.query, 'open') === 'embedded') {
      // One course page per activity and person, so opening it again reuses the page instead of piling up new ones.
      const page = `demo-${activityIndex}-${encodeURIComponent(sub)}`;
      state.placements.set(page, { request, newWindowLink: true });
      res.redirect(302, state.url(`/course/${page}`));
      return;
    }
    res.redirect(302, state.registerLaunch(request));
  };
}

/** Where launch_presentation.return_url points; shows the tool's lti_msg/lti_errormsg. */
function returnPage(req: Request, res: ExpressResponse): void {
  const lines = ['lti_msg', 'lti_errormsg']
    .map((name) => stringParam(req.query, name))
    .filter((text): text is string => Boolean(text))
    .map((text) => `<p>${escapeHtml(text)}</p>`);
  res.type('text/html').send(htmlPage('Back in the LMS', `<h1>Back in the LMS</h1>${lines.join('')}`));
}

/** Unexpected failures answer as plain text, keeping a body-parser's 4xx status. */
function errorHandler(error: unknown, _req: Request, res: ExpressResponse, next: NextFunction): void {
  if (res.headersSent) {
    next(error);
    return;
  }
  const status = typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number' ? error.status : 500;
  res
    .status(status)
    .type('text/plain')
    .send(error instanceof Error ? error.message : 'internal error');
}

/** Builds the router serving every LMS endpoint relative to its mount point. */
export function buildRouter(state: LmsState, handlers: RouteHandlers): Router {
  const router = express.Router();
  router.use((req, _res, next) => {
    state.requestLog.push({ method: req.method, path: req.path });
    // The demo runs for days; keep the log bounded (tests stay far below this).
    if (state.requestLog.length > MAX_LOGGED_REQUESTS) {
      state.requestLog.shift();
    }
    next();
  });
  const form = express.urlencoded({ extended: false });
  const json = express.json({ type: ['application/json', 'application/*+json'] });
  router.get('/jwks', (_req, res) => {
    res.set('Cache-Control', 'no-store').json({ keys: [publicJwk(state.key)] });
  });
  router.get('/auth', handlers.auth);
  router.post('/auth', form, handlers.auth);
  router.post('/token', form, (_req, res, next) => {
    if (!state.tokenStalled) {
      next();
      return;
    }
    // Hangs like an overloaded LMS; answers (too late) only so the socket is not left open forever.
    setTimeout(() => res.status(504).end(), 60_000).unref();
  });
  router.post('/token', form, handlers.token);
  router.post('/deep-link-return', form, handlers.deepLinkReturn);
  router.get('/return', returnPage);
  router.get('/launch', demoLaunch(state));
  router.get('/autopost.js', (_req, res) => {
    res.type('application/javascript').send('document.getElementById("lti-launch").submit();');
  });
  registerCoursePages(router, state);
  registerPlatformStorage(router, state);
  router.get('/openid-configuration', handlers.openidConfiguration);
  router.post('/register', json, handlers.register);
  router.use('/nrps', json);
  router.use('/ags', json);
  handlers.services(router);
  router.use(errorHandler);
  return router;
}
