import { CANDIDATE_ID_POLICIES, OPEN_IN, type CandidateIdPolicy, type ExamInput, type OpenIn, type RosterRoles } from './exam.js';
import { InvalidExamError, type FieldProblem } from './exam.errors.js';
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
  accessExpiresAt: Date | null;
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
 * Collects the problems of a form: each check runs even when an earlier one failed, so the page can
 * show every error at once. A check that fails gives `fallback` for the fields that depend on it.
 */
class Problems {
  readonly list: FieldProblem[] = [];

  check<T>(fallback: T, parse: () => T): T {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof InvalidExamError)) {
        throw err;
      }
      this.list.push(...err.problems);
      return fallback;
    }
  }

  fail(field: string, message: string): void {
    this.list.push({ field, message });
  }

  throwAny(): void {
    const [first, ...more] = this.list;
    if (first) {
      throw InvalidExamError.of([first, ...more]);
    }
  }
}

/**
 * Checks every field and throws one error holding every problem found, each naming its field. An
 * empty time zone is `defaultTimeZone`: the platform's, which an administrator chose.
 */
export function parseExamInput(input: ExamInput, options: { allowHttp: boolean; defaultTimeZone?: string }): ExamFields {
  const problems = new Problems();
  const title = input.title.trim();
  if (title.length < 1 || title.length > 255) {
    problems.fail('title', 'Give the test a title of 1 to 255 characters.');
  }
  if (input.description.length > 10_000) {
    problems.fail('description', 'The description is longer than 10 000 characters.');
  }
  const timeZone = input.timeZone.trim() || options.defaultTimeZone || 'UTC';
  const zoneKnown = isTimeZone(timeZone);
  if (!zoneKnown) {
    problems.fail('timeZone', `"${timeZone.slice(0, 64)}" is not a time zone; use a name like Europe/Oslo or UTC.`);
  }
  // Wall times are still checked for their form against UTC when the zone is unknown, so those errors show too.
  const zone = zoneKnown ? timeZone : 'UTC';
  const opensAt = problems.check(null, () => parseWindowTime(input.opensAt, zone, 'opensAt', 'Opens at'));
  const closesAt = problems.check(null, () => parseWindowTime(input.closesAt, zone, 'closesAt', 'Closes at'));
  if (opensAt && closesAt && closesAt <= opensAt) {
    problems.fail('closesAt', 'The window must close after it opens.');
  }
  const accessExpiresAt = problems.check(null, () =>
    parseWindowTime(input.accessExpiresAt ?? '', zone, 'accessExpiresAt', 'Links and codes expire at'),
  );
  if (accessExpiresAt && opensAt && accessExpiresAt <= opensAt) {
    problems.fail('accessExpiresAt', 'Links and codes must expire after the window opens, or no one could use them.');
  }
  const durationMinutes = problems.check(null, () => parseDuration(input.durationMinutes));
  const deliveryUrl = problems.check(null, () => parseWebUrl(input.deliveryUrl, 'deliveryUrl', 'The delivery URL', options.allowHttp));
  const finishRedirectUrl = problems.check(null, () =>
    parseWebUrl(input.finishRedirectUrl, 'finishRedirectUrl', 'The finish redirect URL', options.allowHttp),
  );
  if (!(CANDIDATE_ID_POLICIES as readonly string[]).includes(input.candidateIdPolicy)) {
    problems.fail('candidateIdPolicy', `Choose how candidate IDs are made: ${CANDIDATE_ID_POLICIES.join(', ')}.`);
  }
  if (input.rosterRoles !== 'learners' && input.rosterRoles !== 'all') {
    problems.fail('rosterRoles', 'Choose whether the roster sync takes learners only or every role.');
  }
  if (!(OPEN_IN as readonly string[]).includes(input.openIn)) {
    problems.fail('openIn', 'Choose where the test opens when examgate runs inside the course page: a new tab or the whole window.');
  }
  problems.throwAny();
  return {
    title,
    description: input.description,
    opensAt,
    closesAt,
    timeZone,
    durationMinutes,
    deliveryUrl,
    finishRedirectUrl,
    candidateIdPolicy: input.candidateIdPolicy as CandidateIdPolicy,
    rosterRoles: input.rosterRoles as RosterRoles,
    enrolOnLaunch: input.enrolOnLaunch,
    openIn: input.openIn as OpenIn,
    isDemo: input.isDemo,
    accessExpiresAt,
  };
}
