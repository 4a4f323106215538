import { randomUUID } from 'node:crypto';
import type { ErrorRequestHandler, Request, Response } from 'express';
import type { Logger } from '../logger.js';
import {
  DeploymentNotAllowedError,
  InvalidPlatformError,
  JwksUnreachableError,
  PlatformExistsError,
  PlatformNotFoundError,
} from '../platforms/platform.errors.js';
import { HttpError } from './http-error.js';
import { DatabaseUnavailableError } from '../db/database.js';
import { asDatabaseOutage } from '../db/outage.js';
import { InvalidExamError, ExamNotFoundError, ExamStateError } from '../exams/exam.errors.js';
import {
  AttemptStateError,
  CandidateCapError,
  CandidateNotFoundError,
  DuplicateCandidateIdError,
  InvalidCandidateError,
} from '../candidates/candidate.errors.js';
import { StartRefusedError } from '../access/attempt.errors.js';

interface Mapped {
  status: number;
  code: string;
  message: string;
}

/** How long a client should wait before asking again while the database is out of reach. */
const OUTAGE_RETRY_AFTER_SECONDS = 30;

/** The one table from domain errors to HTTP. Anything not listed is an unexpected 500. */
function mapError(raw: unknown): Mapped | null {
  // A lost database shows up as whatever the driver threw; it is an outage, not a bug.
  const err = asDatabaseOutage(raw) ?? raw;
  if (err instanceof HttpError) {
    return { status: err.status, code: err.code, message: err.message };
  }
  const table: Array<[new (...args: never[]) => Error, number, string]> = [
    [InvalidPlatformError, 400, 'invalid_platform'],
    [JwksUnreachableError, 422, 'jwks_unreachable'],
    [PlatformExistsError, 409, 'platform_exists'],
    [PlatformNotFoundError, 404, 'not_found'],
    [DeploymentNotAllowedError, 403, 'deployment_not_allowed'],
    [InvalidExamError, 400, 'invalid_test'],
    [ExamNotFoundError, 404, 'not_found'],
    [ExamStateError, 409, 'test_state'],
    [InvalidCandidateError, 400, 'invalid_candidate'],
    [CandidateNotFoundError, 404, 'not_found'],
    [CandidateCapError, 409, 'candidate_cap'],
    [DuplicateCandidateIdError, 409, 'duplicate_candidate_id'],
    [AttemptStateError, 409, 'attempt_state'],
    [StartRefusedError, 409, 'start_refused'],
    [DatabaseUnavailableError, 503, 'database_unavailable'],
  ];
  for (const [type, status, code] of table) {
    if (err instanceof type) {
      return { status, code, message: err.message };
    }
  }
  const bodyError = err as { type?: string; status?: number } | null;
  if (bodyError?.type === 'entity.parse.failed' || bodyError?.type === 'entity.too.large') {
    return { status: bodyError.status ?? 400, code: 'bad_request', message: 'The request body could not be read.' };
  }
  return null;
}

function wantsHtml(req: Request): boolean {
  return !req.path.includes('/api/') && req.accepts(['html', 'json']) === 'html';
}

/** Renders views/error for browsers and JSON for API clients; unknown errors become a logged generic 500. */
export function errorHandler(log: Logger): ErrorRequestHandler {
  return (err: unknown, req, res: Response, _next) => {
    const mapped = mapError(err);
    const requestId = randomUUID();
    const { status, code, message } = mapped ?? {
      status: 500,
      code: 'internal_error',
      message: `Something went wrong on our side (reference ${requestId}).`,
    };
    if (!mapped) {
      log.error({ err, requestId, method: req.method, path: req.path }, 'unhandled error');
    }
    if (res.headersSent) {
      return;
    }
    res.status(status);
    if (status === 503) {
      res.set('Retry-After', String(OUTAGE_RETRY_AFTER_SECONDS));
    }
    if (wantsHtml(req)) {
      res.render('error.njk', {
        title:
          status === 503
            ? 'examgate is temporarily unavailable'
            : status >= 500
              ? 'Something went wrong'
              : 'This request could not be completed',
        message,
        code,
        status,
      });
    } else {
      res.json({ error: { code, message } });
    }
  };
}
