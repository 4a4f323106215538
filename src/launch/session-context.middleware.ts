import type { NextFunction, Request, Response } from 'express';
import type { AuditBy, AuditVia } from '../audit/audit.js';
import { EXAM_CUSTOM_PARAMETER, type Actor, type LaunchPlacement } from '../exams/exam.service.js';
import type { LaunchContext } from '../lti/launch-context.js';
import type { Session, SessionService } from '../sessions/session.service.js';
import { asyncHandler } from '../web/async-handler.js';
import { csrfTokenFor } from '../web/csrf.js';
import { HttpError } from '../web/http-error.js';
import type { SecretKeys } from '../config.js';
import { signedInFromLaunch } from '../web/signed-in.js';

export const SESSION_COOKIE = 'examgate_session';

/** Refuses requests without a live launch session; puts the session in res.locals. */
export function requireSession(sessions: SessionService) {
  return asyncHandler(async (req: Request, res: Response, next: NextFunction) => {
    const session = await sessions.resume(req.cookies?.[SESSION_COOKIE]);
    if (!session) {
      throw new HttpError(401, 'no_session', 'Your examgate session has ended or was never started. Open examgate again from your course.');
    }
    res.locals.session = session;
    res.locals.signedIn = signedInFromLaunch(session.launch);
    next();
  });
}

export function launchOf(res: Response): LaunchContext {
  return (res.locals.session as Session).launch;
}

export function csrfOf(res: Response, secrets: SecretKeys): string {
  return csrfTokenFor(secrets, (res.locals.session as Session).idHash);
}

export function actorOf(launch: LaunchContext): Actor {
  return { platformId: launch.platformId, contextId: launch.context?.id ?? null, audience: launch.audience };
}

/** The LMS user of the launch as the audit trail names them (platform + `sub`, and a name where the LMS sent one). */
export function auditByOf(launch: LaunchContext, via: AuditVia = 'page'): AuditBy {
  const name = launch.user.name ?? ([launch.user.givenName, launch.user.familyName].filter(Boolean).join(' ') || undefined);
  return { actor: { kind: 'lms-user', platformId: launch.platformId, sub: launch.user.sub, ...(name ? { name } : {}) }, via };
}

/** Staff pages: learners never reach them, whatever URL they type. */
export function requireStaff(_req: Request, res: Response, next: NextFunction): void {
  const launch = launchOf(res);
  if (launch.audience === 'learner') {
    next(new HttpError(403, 'forbidden', 'This page is for the staff of the course.'));
    return;
  }
  if (!launch.context) {
    next(new HttpError(400, 'no_course', 'Open examgate from inside a course to manage its tests.'));
    return;
  }
  next();
}

export function placementOf(launch: LaunchContext): LaunchPlacement {
  return {
    platformId: launch.platformId,
    context: launch.context,
    resourceLinkId: launch.resourceLink?.id ?? null,
    examIdFromLink: launch.custom[EXAM_CUSTOM_PARAMETER] ?? null,
    nrpsUrl: launch.services.nrpsUrl,
    ags: { lineItemsUrl: launch.services.agsLineItemsUrl, lineItemUrl: launch.services.agsLineItemUrl },
  };
}
