import type { Job } from '../jobs/job.js';
import type { Candidate } from './candidate.js';
import type { RosterSyncSummary } from './roster-sync.service.js';

const ATTEMPT_LABELS = { not_started: 'not started', started: 'started', finished: 'finished' } as const;
const WITHDRAWN_LABELS = { manual: 'withdrawn by staff', left_course: 'left the course', inactive: 'inactive in the LMS' } as const;

export function presentCandidate(candidate: Candidate) {
  return {
    id: candidate.id,
    candidateId: candidate.candidateId,
    source: candidate.source,
    name: candidate.name,
    email: candidate.email,
    extraTimeMinutes: candidate.extraTimeMinutes,
    building: candidate.building ?? '',
    room: candidate.room ?? '',
    status: candidate.status,
    statusText: candidate.status === 'active' ? 'active' : WITHDRAWN_LABELS[candidate.withdrawnReason ?? 'manual'],
    attempt: ATTEMPT_LABELS[candidate.attempt.state],
    score: candidate.attempt.score ? `${candidate.attempt.score.given} / ${candidate.attempt.score.maximum}` : null,
    gradeStatus: candidate.gradeStatus,
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
export function presentRoster(syncedAt: Date | null, summaryJson: string | null, job: Job | null) {
  const summary = summaryJson ? (JSON.parse(summaryJson) as RosterSyncSummary) : null;
  return {
    syncedAt: syncedAt ? syncedAt.toISOString() : null,
    summary: summary ? summaryText(summary) : null,
    job: job
      ? {
          id: job.id,
          status: job.status,
          done: job.progress.done,
          error: job.status === 'failed' ? job.error : null,
          active: job.status === 'queued' || job.status === 'running',
        }
      : null,
  };
}
