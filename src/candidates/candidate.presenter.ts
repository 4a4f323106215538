import type { Job } from '../jobs/job.js';
import { presentJobState } from '../jobs/job.presenter.js';
import type { Candidate } from './candidate.js';
import type { RosterSyncSummary } from './roster-sync.service.js';

const ATTEMPT_LABELS = {
  not_started: 'not started',
  handed_off: 'handed off, not started yet',
  started: 'started',
  finished: 'finished',
} as const;
const WITHDRAWN_LABELS = { manual: 'withdrawn by staff', left_course: 'left the course', inactive: 'inactive in the LMS' } as const;

const GRADE_LABELS = {
  pending: 'grade waiting to be sent to the LMS',
  sent: 'grade sent to the LMS',
  failed: 'grade could not be sent to the LMS',
  no_service: 'no LMS gradebook for this link',
} as const;

/**
 * When the attempt got where it is. An attempt is started only once the engine says so, so a
 * hand-off the engine never confirmed shows as such, and so does a finish it reported without a start.
 */
function attemptWhen(candidate: Candidate, formatTime: (instant: Date) => string): string | null {
  const { state, handedOffAt, startedAt, finishedAt } = candidate.attempt;
  if (state === 'handed_off' && handedOffAt) {
    return `handed off ${formatTime(handedOffAt)}`;
  }
  if (state === 'started' && startedAt) {
    return `started ${formatTime(startedAt)}`;
  }
  if (state === 'finished' && finishedAt) {
    return `finished ${formatTime(finishedAt)}${startedAt ? '' : ' (the test system reported no start)'}`;
  }
  return null;
}

/** The grade's way to the LMS, with the passback job's retry state when it is waiting for another try. */
function gradeText(candidate: Candidate, gradeJob: Job | null, formatTime: (instant: Date) => string): string | null {
  if (!candidate.gradeStatus) {
    return null;
  }
  const state = gradeJob ? presentJobState(gradeJob, formatTime) : null;
  if (state?.retry) {
    const { failedTry, of, reason, nextAt } = state.retry;
    return `grade not sent yet: try ${failedTry} of ${of} failed (${reason}); next try: ${nextAt}`;
  }
  if (candidate.gradeStatus === 'failed' && state?.error) {
    return `grade could not be sent to the LMS after ${state.tries} ${state.tries === 1 ? 'try' : 'tries'}: ${state.error}`;
  }
  return GRADE_LABELS[candidate.gradeStatus];
}

export function presentCandidate(
  candidate: Candidate,
  gradeJob: Job | null = null,
  formatTime: (instant: Date) => string = (d) => d.toISOString(),
) {
  return {
    id: candidate.id,
    candidateId: candidate.candidateId,
    source: candidate.source,
    name: candidate.name,
    email: candidate.email,
    extraTimeMinutes: candidate.extraTimeMinutes,
    building: candidate.building ?? '',
    room: candidate.room ?? '',
    // How an SSO candidate signs in: the SSO user ID, and whether the LMS launch has linked them yet.
    sso: candidate.ssoUserId
      ? { userId: candidate.ssoUserId, viaLms: candidate.ssoAuthType === 'lms', linked: candidate.lmsUserId !== null }
      : null,
    status: candidate.status,
    statusText: candidate.status === 'active' ? 'active' : WITHDRAWN_LABELS[candidate.withdrawnReason ?? 'manual'],
    attempt: ATTEMPT_LABELS[candidate.attempt.state],
    attemptWhen: attemptWhen(candidate, formatTime),
    score: candidate.attempt.score ? `${candidate.attempt.score.given} / ${candidate.attempt.score.maximum}` : null,
    gradeStatus: candidate.gradeStatus,
    gradeText: gradeText(candidate, gradeJob, formatTime),
  };
}

function summaryText(summary: RosterSyncSummary): string {
  const parts = [
    `${summary.members} members read`,
    `${summary.added} added`,
    `${summary.withdrawn} withdrawn`,
    `${summary.restored} restored`,
    `${summary.updated} updated`,
  ];
  if (summary.overCap > 0) {
    parts.push(`${summary.overCap} not added because the test is full`);
  }
  if (summary.fellBack > 0) {
    parts.push(`${summary.fellBack} got their LMS id as candidate ID (the LMS did not send the field the policy asks for)`);
  }
  if (summary.ignored > 0) {
    parts.push(`${summary.ignored} roster entries ignored (no usable user id, or listed twice)`);
  }
  return parts.join(', ');
}

/** The roster panel: last sync and what it changed, and the job in progress or its failure. */
export function presentRoster(
  syncedAt: Date | null,
  summaryJson: string | null,
  job: Job | null,
  formatTime: (instant: Date) => string = (d) => d.toISOString(),
) {
  const summary = summaryJson ? (JSON.parse(summaryJson) as RosterSyncSummary) : null;
  return {
    // The machine-readable instant for <time datetime>, and the test's own zone for people.
    syncedAt: syncedAt ? { iso: syncedAt.toISOString(), text: formatTime(syncedAt) } : null,
    summary: summary ? summaryText(summary) : null,
    job: job ? { id: job.id, done: job.progress.done, ...presentJobState(job, formatTime) } : null,
  };
}
