import { expect } from 'chai';
import { presentCandidate, presentRoster } from '../../src/candidates/candidate.presenter.js';
import type { Candidate } from '../../src/candidates/candidate.js';
import { retryDelayMs } from '../../src/jobs/backoff.js';
import type { Job } from '../../src/jobs/job.js';
import { formatInZone } from '../../src/exams/time-zone.js';

function buildJob(overrides: Partial<Job> = {}): Job {
  return {
    id: 'job-1',
    kind: 'grade-passback',
    subjectId: 'cand-1',
    status: 'queued',
    progress: { done: 0, total: null },
    result: null,
    error: null,
    attempts: 0,
    maxAttempts: 5,
    runAfter: null,
    createdAt: new Date('2026-05-04T08:00:00Z'),
    startedAt: null,
    finishedAt: null,
    ...overrides,
  };
}

function buildCandidate(overrides: Partial<Candidate> = {}): Candidate {
  return {
    id: 'cand-1',
    examId: 'exam-1',
    candidateId: 'Seat 1',
    source: 'roster',
    lmsUserId: 'u-1',
    name: null,
    email: null,
    sisId: null,
    extraTimeMinutes: 0,
    building: null,
    room: null,
    status: 'active',
    withdrawnReason: null,
    editedFields: [],
    attempt: {
      state: 'finished',
      ref: 'r',
      deliveryUrl: null,
      returnUrl: null,
      way: null,
      handedOffAt: null,
      startedAt: null,
      finishedAt: null,
      score: { given: 7, maximum: 10 },
    },
    gradeStatus: 'pending',
    resourceLinkId: 'rl-1',
    ...overrides,
  };
}

const oslo = (d: Date) => formatInZone(d, 'Europe/Oslo');

describe('job state on the candidates page', () => {
  it('when a grade passback waits for its next try, then the candidate row says which try failed, why, and when the next is', () => {
    const job = buildJob({
      status: 'retrying',
      attempts: 2,
      error: 'The LMS gradebook answered HTTP 503 to POST /scores.',
      runAfter: new Date('2026-05-04T08:30:00Z'),
    });
    expect(presentCandidate(buildCandidate(), job, oslo).gradeText).to.equal(
      'grade not sent yet: try 2 of 5 failed (The LMS gradebook answered HTTP 503 to POST /scores.); next try: Mon 4 May 2026, 10:30 (Europe/Oslo)',
    );
  });

  it('when the grade was sent, failed for good, or has no gradebook, then the row says so in words', () => {
    expect(presentCandidate(buildCandidate({ gradeStatus: 'sent' }), buildJob({ status: 'succeeded' })).gradeText).to.equal(
      'grade sent to the LMS',
    );
    const failed = buildJob({ status: 'failed', attempts: 5, error: 'The LMS gradebook answered HTTP 503 to POST /scores.' });
    expect(presentCandidate(buildCandidate({ gradeStatus: 'failed' }), failed).gradeText).to.equal(
      'grade could not be sent to the LMS after 5 tries: The LMS gradebook answered HTTP 503 to POST /scores.',
    );
    expect(presentCandidate(buildCandidate({ gradeStatus: 'no_service' })).gradeText).to.equal('no LMS gradebook for this link');
    expect(presentCandidate(buildCandidate({ gradeStatus: null })).gradeText).to.equal(null);
  });

  it('when a roster sync waits for its next try, then the roster panel shows it as active with the retry', () => {
    const job = buildJob({
      kind: 'roster-sync',
      status: 'retrying',
      attempts: 1,
      maxAttempts: 3,
      error: 'HTTP 503',
      runAfter: new Date(0),
    });
    const roster = presentRoster(null, null, job, oslo);
    expect(roster.job).to.include({ active: true, status: 'retrying' });
    expect(roster.job!.retry).to.deep.equal({ failedTry: 1, of: 3, reason: 'HTTP 503', nextAt: oslo(new Date(0)) });
  });

  it('when runs keep failing, then the wait doubles up to an hour and stays between half and all of its ceiling', () => {
    expect(retryDelayMs(1, 1_000, () => 0)).to.equal(500);
    expect(retryDelayMs(1, 1_000, () => 1)).to.equal(1_000);
    expect(retryDelayMs(3, 1_000, () => 1)).to.equal(4_000);
    expect(retryDelayMs(30, 1_000, () => 1)).to.equal(3_600_000);
  });
});
