import { createHmac, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import type { SecretKeys } from '../config.js';
import { HttpError } from './http-error.js';

function tokenUnder(secret: string, sessionIdHash: string): string {
  return createHmac('sha256', secret).update(`csrf:${sessionIdHash}`).digest('base64url');
}

/**
 * Synchroniser tokens without server state: an HMAC of the session id under the server
 * secret, so any process can check a form posted to another. New tokens use SECRET_KEY.
 */
export function csrfTokenFor(secrets: SecretKeys, sessionIdHash: string): string {
  return tokenUnder(secrets[0], sessionIdHash);
}

/** True when `sent` is this session's token under any of the secrets (a page rendered before a rotation still posts). */
function isTokenOf(secrets: SecretKeys, sessionIdHash: string, sent: string): boolean {
  const given = Buffer.from(sent);
  return secrets
    .map((secret) => Buffer.from(tokenUnder(secret, sessionIdHash)))
    .some((expected) => expected.length === given.length && timingSafeEqual(expected, given));
}

export function verifyCsrf(secrets: SecretKeys) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const session = res.locals.session as { idHash: string } | undefined;
    const sent: unknown = (req.body as { _csrf?: unknown } | undefined)?._csrf ?? req.get('x-csrf-token');
    if (!session || typeof sent !== 'string' || !isTokenOf(secrets, session.idHash, sent)) {
      next(new HttpError(403, 'csrf_failed', 'This form has expired or did not come from examgate. Reload the page and try again.'));
      return;
    }
    next();
  };
}
