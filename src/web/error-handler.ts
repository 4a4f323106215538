import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { Logger } from '../logger.js';
import { mapError } from './error-table.js';

function wantsHtml(req: Request): boolean {
  return !req.path.includes('/api/') && req.accepts(['html', 'json']) === 'html';
}

/**
 * The request's path as it may be written to the log. A registration URL carries its
 * single-use token as the last path segment (registration.routes.ts), and a failed attempt
 * leaves the token usable, so whoever reads the log must not get it.
 */
function loggablePath(path: string): string {
  // A direct link (/go/<token>) opens a candidate's test until it expires, a reset link (/login/reset/<token>) an account: the same holds for them.
  return path
    .replace(/^(\/lti\/register\/)[^/]+/i, '$1[token]')
    .replace(/^(\/go\/)[^/]+/i, '$1[token]')
    .replace(/^(\/login\/reset\/)[^/]+/i, '$1[token]');
}

/**
 * The one error handler: maps through the error table (error-table.ts), renders views/error
 * for browsers and JSON `{ error: { code, message } }` for API clients; unknown errors become
 * a generic 500, logged with a reference the page shows.
 */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, _next) => renderError(log, err, req, res);
}

/** The handler's work, for code that answers outside express's error chain (ltijs's callbacks). */
export function renderError(log: Logger, err: unknown, req: Request, res: Response): void {
  const mapped = mapError(err);
  const requestId = randomUUID();
  const { status, code, message } = mapped ?? {
    status: 500,
    code: 'internal_error',
    message: `Something went wrong on our side (reference ${requestId}).`,
  };
  if (!mapped) {
    log.error({ err, requestId, method: req.method, path: loggablePath(req.path) }, 'unhandled error');
  }
  if (res.headersSent) {
    return;
  }
  res.status(status);
  if (mapped?.retryAfterSeconds !== undefined) {
    res.set('Retry-After', String(mapped.retryAfterSeconds));
  }
  if (wantsHtml(req)) {
    res.render(mapped?.view ?? 'error.njk', {
      title: mapped?.title ?? (status >= 500 ? 'Something went wrong' : 'This request could not be completed'),
      message,
      code,
      status,
      ...mapped?.locals,
    });
  } else {
    res.json({ error: { code, message } });
  }
}
