import type { ErrorRequestHandler, RequestHandler } from 'express';
import { DeliveryError } from './errors.js';
import type { Views } from './views.js';

const HEADINGS: Partial<Record<number, string>> = {
  400: 'This hand-off cannot be used',
  401: 'You cannot enter this test from here',
  403: 'This form cannot be accepted',
  404: 'Page not found',
  502: 'examgate could not be reached or said no',
};

/**
 * No scripts at all. No `frame-ancestors` (examgate itself may run inside an LMS iframe) and no
 * `form-action` (browsers apply it to the 303 back to examgate after Finish).
 */
export const securityHeaders: RequestHandler = (_req, res, next) => {
  res.set({
    'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'",
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  next();
};

export const notFound: RequestHandler = (_req, _res, next) => {
  next(new DeliveryError('not_found', 'There is no page at this address.'));
};

/** Every refusal is an HTML page with its status and a message; unknown errors become a generic 500, never a stack trace. */
export function errorHandler(views: Views, log: (err: unknown) => void): ErrorRequestHandler {
  return (err: unknown, _req, res, _next) => {
    let status = 500;
    let message = 'Something went wrong in the delivery engine. Go back to examgate and try again.';
    let code: string | null = null;
    if (err instanceof DeliveryError) {
      ({ status, message, code } = err);
    } else if (isClientError(err)) {
      status = err.status;
      message = 'The request could not be read.';
    } else {
      log(err);
    }
    const heading = HEADINGS[status] ?? 'Something went wrong';
    res
      .status(status)
      .type('html')
      .send(views.render('error.njk', { pageTitle: heading, heading, message, code }));
  };
}

/** body-parser's own errors (too large, bad encoding) carry a 4xx status. */
function isClientError(err: unknown): err is { status: number } {
  const status = typeof err === 'object' && err !== null ? (err as { status?: unknown }).status : undefined;
  return typeof status === 'number' && status >= 400 && status < 500;
}
