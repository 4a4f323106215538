import { CANDIDATE_ID_POLICIES, OPEN_IN, type CandidateIdPolicy, type ExamInput, type OpenIn, type RosterRoles } from './exam.js';
import { InvalidExamError } from './exam.errors.js';
import { isTimeZone, wallTimeToUtc } from './time-zone.js';

/** Validated settings of a test, ready to store. */
export interface ExamFields {
  title: string;
  description: string;
  opensAt: Date | null;
  closesAt: Date | null;
  timeZone: string;
  durationMinutes: number | null;
  deliveryUrl: string | null;
  finishRedirectUrl: string | null;
  candidateIdPolicy: CandidateIdPolicy;
  rosterRoles: RosterRoles;
  enrolOnLaunch: boolean;
  openIn: OpenIn;
  isDemo: boolean;
}

const MAX_DURATION_MINUTES = 7 * 24 * 60;

/**
 * An absolute https URL (or http where allowed: development) or nothing; anything else
 * (javascript:, data:, relative) is refused. In production a hand-off carries personal data
 * and examgate trusts the engine's keys from that origin, so both must travel over TLS.
 */
export function parseWebUrl(value: string, field: string, label: string, allowHttp: boolean): string | null {
  const text = value.trim();
  if (text === '') {
    return null;
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new InvalidExamError(field, `${label} must be a full address starting with https:// (got "${text.slice(0, 80)}").`);
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw new InvalidExamError(field, `${label} must start with https://${allowHttp ? ' or http://' : ''}, not ${url.protocol}.`);
  }
  if (url.username || url.password) {
    throw new InvalidExamError(field, `${label} must not contain a user name or password.`);
  }
  if (text.length > 2000) {
    throw new InvalidExamError(field, `${label} is longer than 2000 characters.`);
  }
  return url.toString();
}

function parseWindowTime(value: string, zone: string, field: string, label: string): Date | null {
  if (value.trim() === '') {
    return null;
  }
  const instant = wallTimeToUtc(value.trim(), zone);
  if (!instant) {
    throw new InvalidExamError(field, `${label} must be a date and time like 2026-06-01T09:00.`);
  }
  return instant;
}

function parseDuration(value: string): number | null {
  const text = value.trim();
  if (text === '') {
    return null;
  }
  const minutes = Number(text);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > MAX_DURATION_MINUTES) {
    throw new InvalidExamError('durationMinutes', `Duration must be a whole number of minutes from 1 to ${MAX_DURATION_MINUTES}.`);
  }
  return minutes;
}

/**
 * Checks every field; the first problem found is thrown with a message naming the field. An
 * empty time zone is `defaultTimeZone`: the platform's, which an administrator chose.
 */
export function parseExamInput(input: ExamInput, options: { allowHttp: boolean; defaultTimeZone?: string }): ExamFields {
  const title = input.title.trim();
  if (title.length < 1 || title.length > 255) {
    throw new InvalidExamError('title', 'Give the test a title of 1 to 255 characters.');
  }
  if (input.description.length > 10_000) {
    throw new InvalidExamError('description', 'The description is longer than 10 000 characters.');
  }
  const timeZone = input.timeZone.trim() || options.defaultTimeZone || 'UTC';
  if (!isTimeZone(timeZone)) {
    throw new InvalidExamError('timeZone', `"${timeZone.slice(0, 64)}" is not a time zone; use a name like Europe/Oslo or UTC.`);
  }
  const opensAt = parseWindowTime(input.opensAt, timeZone, 'opensAt', 'Opens at');
  const closesAt = parseWindowTime(input.closesAt, timeZone, 'closesAt', 'Closes at');
  if (opensAt && closesAt && closesAt <= opensAt) {
    throw new InvalidExamError('closesAt', 'The window must close after it opens.');
  }
  if (!(CANDIDATE_ID_POLICIES as readonly string[]).includes(input.candidateIdPolicy)) {
    throw new InvalidExamError('candidateIdPolicy', `Choose how candidate IDs are made: ${CANDIDATE_ID_POLICIES.join(', ')}.`);
  }
  if (input.rosterRoles !== 'learners' && input.rosterRoles !== 'all') {
    throw new InvalidExamError('rosterRoles', 'Choose whether the roster sync takes learners only or every role.');
  }
  if (!(OPEN_IN as readonly string[]).includes(input.openIn)) {
    throw new InvalidExamError(
      'openIn',
      'Choose where the test opens when examgate runs inside the course page: a new tab or the whole window.',
    );
  }
  return {
    title,
    description: input.description,
    opensAt,
    closesAt,
    timeZone,
    durationMinutes: parseDuration(input.durationMinutes),
    deliveryUrl: parseWebUrl(input.deliveryUrl, 'deliveryUrl', 'The delivery URL', options.allowHttp),
    finishRedirectUrl: parseWebUrl(input.finishRedirectUrl, 'finishRedirectUrl', 'The finish redirect URL', options.allowHttp),
    candidateIdPolicy: input.candidateIdPolicy as CandidateIdPolicy,
    rosterRoles: input.rosterRoles,
    enrolOnLaunch: input.enrolOnLaunch,
    openIn: input.openIn as OpenIn,
    isDemo: input.isDemo,
  };
}
