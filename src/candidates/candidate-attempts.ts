import { randomBytes } from 'node:crypto';
import type { Exam } from '../exams/exam.js';
import type { Candidate, GradeStatus } from './candidate.js';
import { AttemptStateError } from './candidate.errors.js';
import type { CandidateRepository } from './candidate.repository.js';
import type { UnitOfWork } from '../db/unit-of-work.js';

/** A candidate's attempt: started, re-entered, finished, and its grade's way to the LMS. */
export class CandidateAttempts {
  constructor(private readonly repository: CandidateRepository) {}

  /**
   * Starts (or re-enters) the candidate's attempt and returns it with its opaque reference.
   * Re-entry keeps the reference, so an engine can resume after a lost browser tab; a
   * finished attempt starts again only on a demo test.
   */
  async beginAttempt(exam: Exam, candidate: Candidate, deliveryUrl: string, now = new Date()): Promise<Candidate> {
    if (candidate.attempt.state === 'started' && candidate.attempt.deliveryUrl === deliveryUrl) {
      return candidate;
    }
    if (candidate.attempt.state === 'finished' && !exam.isDemo) {
      throw new AttemptStateError('You have already finished this test.');
    }
    // A re-entry after the test moved to another engine is a new attempt reference at the new engine.
    const moved = await this.repository.moveAttempt(candidate.id, [candidate.attempt.state], {
      attempt_state: 'started',
      attempt_ref: randomBytes(24).toString('base64url'),
      attempt_delivery_url: deliveryUrl,
      started_at: now,
      finished_at: null,
      score_given: null,
      score_maximum: null,
      grade_status: null,
    });
    const current = await this.repository.findById(exam.id, candidate.id);
    if (!current || (!moved && current.attempt.state !== 'started')) {
      throw new AttemptStateError('Your attempt changed in another window. Reload the page.');
    }
    return current;
  }

  /** For jobs, which act for the system rather than a person. */
  findForSystem(id: string): Promise<Candidate | null> {
    return this.repository.findAnyById(id);
  }

  findByAttemptRef(ref: string): Promise<Candidate | null> {
    return this.repository.findByAttemptRef(ref);
  }

  /**
   * Marks the attempt finished once; false when it was not running (already finished, or never
   * started). Within `unit`, it commits with whatever else the unit writes (the grade's job).
   */
  async finishAttempt(
    candidate: Candidate,
    score: { given: number; maximum: number } | null,
    unit?: UnitOfWork,
    now = new Date(),
  ): Promise<boolean> {
    return this.repository.moveAttempt(
      candidate.id,
      ['started'],
      {
        attempt_state: 'finished',
        finished_at: now,
        score_given: score?.given ?? null,
        score_maximum: score?.maximum ?? null,
        grade_status: score ? 'pending' : null,
      },
      unit,
    );
  }

  async setGradeStatus(candidateId: string, status: GradeStatus): Promise<void> {
    await this.repository.update(candidateId, { grade_status: status });
  }
}
