import express from 'express';
import type { CookieOptions, NextFunction, Request, RequestHandler, Response, Router } from 'express';
import { DeliveryError } from './errors.js';
import { grade, QUESTION_IDS } from './grading.js';
import type { Answers } from './grading.js';
import type { HandoffVerifier } from './handoff-verifier.js';
import type { ReportClient } from './report-client.js';
import { csrfMatches } from './session-store.js';
import type { DeliverySession, SessionStore } from './session-store.js';
import { presentTestPage } from './test-page.js';
import type { TestPageState } from './test-page.js';
import type { Views } from './views.js';

export const SESSION_COOKIE = 'delivery_engine_session';

export interface DeliveryRoutesDeps {
  verifier: HandoffVerifier;
  reports: ReportClient;
  sessions: SessionStore;
  views: Views;
  /** Absolute path the router is mounted at ("/" or "/deliver"): the delivery URL's path. */
  mountPath: string;
  secureCookies: boolean;
}

interface Context extends DeliveryRoutesDeps {
  finishAction: string;
  cookie: CookieOptions;
}

/**
 * POST mount: receive the hand-off, report `started`, open a session, 303 to the test.
 * GET mount: the test. POST mount/finish: grade the answers here, report `finished` with
 * that score, 303 back to examgate.
 */
export function deliveryRoutes(deps: DeliveryRoutesDeps): Router {
  const context: Context = {
    ...deps,
    finishAction: `${deps.mountPath === '/' ? '' : deps.mountPath}/finish`,
    cookie: { httpOnly: true, sameSite: 'lax', secure: deps.secureCookies, path: deps.mountPath },
  };
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '32kb' }));
  router.post('/', forwardErrors(receiveHandoff(context)));
  router.get('/', showTest(context));
  router.post('/finish', forwardErrors(finishTest(context)));
  return router;
}

function receiveHandoff({ verifier, reports, sessions, mountPath, cookie }: Context) {
  return async (req: Request, res: Response): Promise<void> => {
    const handoff = await verifier.verify(formField(req, 'handoff'));
    const outcome = await reports.send({ reportUrl: handoff.reportUrl, attempt: handoff.attempt, event: 'started' });
    if (!outcome.accepted) {
      throw new DeliveryError('start_refused', `examgate did not let this test start: ${outcome.message}`);
    }
    const session = sessions.create(handoff);
    res.cookie(SESSION_COOKIE, session.id, cookie).redirect(303, mountPath);
  };
}

function showTest(context: Context): RequestHandler {
  return (req, res) => {
    const session = currentSession(context, req);
    if (!session) {
      res.send(context.views.render('home.njk', { pageTitle: 'No test in progress' }));
      return;
    }
    renderTest(context, res, session, 200);
  };
}

function finishTest(context: Context) {
  return async (req: Request, res: Response): Promise<void> => {
    const session = currentSession(context, req);
    if (!session) {
      throw new DeliveryError('no_session', 'No test is in progress in this browser. Start your test from examgate.');
    }
    if (!csrfMatches(session, formField(req, '_csrf'))) {
      throw new DeliveryError('csrf_failed', 'This form did not come from your test page. Reload the test and press Finish again.');
    }
    // The score is computed here from the answers; any score the browser sends is ignored.
    const answers = readAnswers(req);
    const { handoff } = session;
    const outcome = await context.reports.send({
      reportUrl: handoff.reportUrl,
      attempt: handoff.attempt,
      event: 'finished',
      score: grade(answers),
    });
    if (!outcome.accepted) {
      // examgate has not recorded the finish: the candidate stays on the test, answers kept, and can press Finish again.
      renderTest(context, res, session, 502, { answers, error: `examgate did not accept the finish: ${outcome.message}` });
      return;
    }
    context.sessions.delete(session.id);
    res.clearCookie(SESSION_COOKIE, context.cookie).redirect(303, handoff.returnUrl);
  };
}

function renderTest(context: Context, res: Response, session: DeliverySession, status: number, extra: Partial<TestPageState> = {}): void {
  const page = presentTestPage(session.handoff, { csrfToken: session.csrfToken, finishAction: context.finishAction, ...extra });
  res.status(status).send(context.views.render('test.njk', { pageTitle: session.handoff.exam.title, ...page }));
}

function currentSession(context: Context, req: Request): DeliverySession | undefined {
  return context.sessions.get((req.cookies as Record<string, unknown>)[SESSION_COOKIE]);
}

function formField(req: Request, name: string): unknown {
  const body: unknown = req.body;
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** Only the questions' fields are read; a missing, repeated or non-text field is an empty answer. */
function readAnswers(req: Request): Answers {
  return Object.fromEntries(QUESTION_IDS.map((id) => [id, text(formField(req, id))])) as Answers;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** Express 4 does not catch rejected promises: hand them to the error handler. */
function forwardErrors(handler: (req: Request, res: Response) => Promise<void>): RequestHandler {
  return (req, res, next: NextFunction) => {
    handler(req, res).catch(next);
  };
}
