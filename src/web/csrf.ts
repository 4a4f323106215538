import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { HttpError } from './http-error.js';

/**
 * Synchroniser tokens without server state: an HMAC of the session id under the server
 * secret, so any process can check a form posted to another.
 */
export function csrfTokenFor(secret: string, sessionIdHash: string): string {
  return createHmac('sha256', secret).update(`csrf:${sessionIdHash}`).digest('base64url');
}

export function verifyCsrf(secret: string) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const session = res.locals.session as { idHash: string } | undefined;
    const sent: unknown = (req.body as { _csrf?: unknown } | undefined)?._csrf ?? req.get('x-csrf-token');
    const expected = session ? csrfTokenFor(secret, session.idHash) : null;
    if (
      !expected ||
      typeof sent !== 'string' ||
      sent.length !== expected.length ||
      !timingSafeEqual(Buffer.from(sent), Buffer.from(expected))
    ) {
      next(new HttpError(403, 'csrf_failed', 'This form has expired or did not come from examgate. Reload the page and try again.'));
      return;
    }
    next();
  };
}
