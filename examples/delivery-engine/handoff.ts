import { DeliveryError } from './errors.js';

export interface ExamWindow {
  /** ISO 8601 instants, or null when the window is open on that side. */
  start: string | null;
  end: string | null;
  /** IANA zone the candidate should see times in. */
  timeZone: string;
}

export interface HandoffExam {
  id: string;
  title: string;
  /** null: no time limit of its own (the window decides). */
  durationMinutes: number | null;
  window: ExamWindow;
}

export interface HandoffCandidate {
  /** The candidate ID label graders and monitors see (1..500 characters). */
  id: string;
  extraTimeMinutes: number;
}

/** A verified hand-off, narrowed from the token's claims. */
export interface Handoff {
  /** Opaque candidate reference (`sub`). */
  candidateRef: string;
  tokenId: string;
  exam: HandoffExam;
  candidate: HandoffCandidate;
  /** Opaque attempt reference: the `sub` of every report about this attempt. */
  attempt: string;
  reportUrl: string;
  returnUrl: string;
}

type Claims = Record<string, unknown>;

/** Narrows the verified payload field by field; any missing or ill-typed claim refuses the hand-off by name. */
export function parseHandoff(payload: Claims): Handoff {
  const exam = record(payload, 'exam');
  const window = record(exam, 'window', 'exam.');
  const candidate = record(payload, 'candidate');
  return {
    candidateRef: text(payload.sub, 'sub', 1, 255),
    tokenId: text(payload.jti, 'jti', 1, 255),
    exam: {
      id: text(exam.id, 'exam.id', 1, 255),
      title: text(exam.title, 'exam.title', 1, 1000),
      durationMinutes: exam.durationMinutes === null ? null : minutes(exam.durationMinutes, 'exam.durationMinutes'),
      window: {
        start: instantOrNull(window.start, 'exam.window.start'),
        end: instantOrNull(window.end, 'exam.window.end'),
        timeZone: timeZone(window.timeZone, 'exam.window.timeZone'),
      },
    },
    candidate: {
      id: text(candidate.id, 'candidate.id', 1, 500),
      extraTimeMinutes: minutes(candidate.extraTimeMinutes, 'candidate.extraTimeMinutes'),
    },
    attempt: text(payload.attempt, 'attempt', 1, 255),
    reportUrl: httpUrl(payload.report_url, 'report_url'),
    returnUrl: httpUrl(payload.return_url, 'return_url'),
  };
}

export function invalidClaim(name: string, why = 'is missing or invalid'): DeliveryError {
  return new DeliveryError(
    'invalid_claims',
    `The hand-off is malformed: its "${name}" claim ${why}. Go back to examgate and start the test again.`,
  );
}

function record(parent: Claims, key: string, prefix = ''): Claims {
  const value = parent[key];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidClaim(prefix + key);
  }
  return value as Claims;
}

/** Lengths count characters (code points), not UTF-16 units, so "1..500 characters" means what people think. */
function text(value: unknown, name: string, min: number, max: number): string {
  if (typeof value !== 'string') {
    throw invalidClaim(name);
  }
  const length = [...value].length;
  if (length < min || length > max) {
    throw invalidClaim(name, `must be ${min} to ${max} characters long`);
  }
  return value;
}

function minutes(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw invalidClaim(name, 'must be a number of minutes (0 or more)');
  }
  return value;
}

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:\d{2})$/;

function instantOrNull(value: unknown, name: string): string | null {
  if (value === null) {
    return null;
  }
  if (typeof value !== 'string' || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    throw invalidClaim(name, 'must be an ISO 8601 instant or null');
  }
  return new Date(value).toISOString();
}

function timeZone(value: unknown, name: string): string {
  if (typeof value !== 'string' || value === '') {
    throw invalidClaim(name);
  }
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
  } catch {
    throw invalidClaim(name, `names no known time zone ("${value}")`);
  }
  return value;
}

function httpUrl(value: unknown, name: string): string {
  if (typeof value !== 'string' || !URL.canParse(value)) {
    throw invalidClaim(name, 'must be an absolute URL');
  }
  const url = new URL(value);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalidClaim(name, 'must be an http(s) URL');
  }
  return url.toString();
}
