import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { reasonOf } from './errors.js';
import type { EngineKeys } from './keys.js';

export const REPORT_PURPOSE = 'examgate-delivery-report';
const REPORT_LIFETIME_SECONDS = 60;
const MAX_MESSAGE_LENGTH = 500;

export type ReportEvent = 'started' | 'finished';

export interface Score {
  given: number;
  maximum: number;
}

export interface Report {
  reportUrl: string;
  attempt: string;
  event: ReportEvent;
  score?: Score;
}

export type ReportOutcome = { accepted: true } | { accepted: false; status: number | null; error: string; message: string };

export interface ReportClientOptions {
  keys: EngineKeys;
  /** This engine's origin: examgate finds the engine's JWKS there. */
  issuer: string;
  /** The examgate URL (the hand-off's `iss`). */
  audience: string;
  fetch: typeof fetch;
  timeoutMs?: number;
}

/** Tells examgate that an attempt started or finished: a signed bearer token, no body. Never throws. */
export class ReportClient {
  constructor(private readonly options: ReportClientOptions) {}

  /** The report JWT: RS256 under the engine's key, `sub` = the attempt, valid for 60 s. */
  token(report: Omit<Report, 'reportUrl'>): string {
    const { keys, issuer, audience } = this.options;
    const claims = { purpose: REPORT_PURPOSE, event: report.event, ...(report.score ? { score: report.score } : {}) };
    return jwt.sign(claims, keys.privateKey, {
      algorithm: 'RS256',
      keyid: keys.kid,
      issuer,
      audience,
      subject: report.attempt,
      jwtid: randomUUID(),
      expiresIn: REPORT_LIFETIME_SECONDS,
    });
  }

  async send(report: Report): Promise<ReportOutcome> {
    let response: Response;
    try {
      response = await this.options.fetch(report.reportUrl, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.token(report)}`, accept: 'application/json' },
        // A redirect would carry the bearer token somewhere examgate did not name.
        redirect: 'manual',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
    } catch (err) {
      return {
        accepted: false,
        status: null,
        error: 'unreachable',
        message: `examgate could not be reached (${reasonOf(err)}). Try again in a moment.`,
      };
    }
    if (response.status >= 200 && response.status < 300) {
      await response.arrayBuffer();
      return { accepted: true };
    }
    return refusal(response);
  }
}

/** examgate answers 4xx with `{ error: { code, message } }`; anything else still gets a readable message. */
async function refusal(response: Response): Promise<ReportOutcome> {
  let body: unknown = null;
  try {
    body = JSON.parse(await response.text());
  } catch {
    // Not JSON: fall back to the status below.
  }
  const envelope = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : null;
  const fields = typeof envelope === 'object' && envelope !== null ? (envelope as { code?: unknown; message?: unknown }) : {};
  const error = typeof fields.code === 'string' ? fields.code : `http_${response.status}`;
  const message =
    typeof fields.message === 'string' && fields.message.trim() !== ''
      ? fields.message.slice(0, MAX_MESSAGE_LENGTH)
      : `examgate refused the report (HTTP ${response.status}).`;
  return { accepted: false, status: response.status, error, message };
}
