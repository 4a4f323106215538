import { randomBytes } from 'node:crypto';
import type { Exam } from '../exams/exam.js';
import type { AttemptState, AttemptWay, Candidate, GradeStatus } from './candidate.js';
import { AttemptStateError } from './candidate.errors.js';
import type { CandidateRepository } from './candidate.repository.js';
import type { UnitOfWork } from '../db/unit-of-work.js';

/** Handed off or started: the engine has (or may have) the attempt, so a new hand-off resumes it. */
const RUNNING: AttemptState[] = ['handed_off', 'started'];

export function isRunning(state: AttemptState): boolean {
  return RUNNING.includes(state);
}

/** A candidate's attempt: handed off, started, re-entered, finished, and its grade's way to the LMS. */
export class CandidateAttempts {
  constructor(private readonly repository: CandidateRepository) {}

  /**
   * Records a fresh hand-off of the candidate's attempt and returns the attempt with its opaque
   * reference. A running attempt handed to the same engine again keeps its reference and its
   * state, so an engine can resume after a lost tab; a first hand-off, one to another engine,
   * or (on a demo test) one after a finish is a new attempt, handed off but not started.
   */
  async handOffAttempt(
    exam: Exam,
    candidate: Candidate,
    target: { deliveryUrl: string; returnUrl: string | null; way: AttemptWay },
    now = new Date(),
  ): Promise<Candidate> {
    const { deliveryUrl, returnUrl, way } = target;
    const { state } = candidate.attempt;
    if (state === 'finished' && !exam.isDemo) {
      throw new AttemptStateError('You have already finished this test.');
    }
    const resumes = isRunning(state) && candidate.attempt.deliveryUrl === deliveryUrl;
    const moved = resumes
      ? await this.repository.moveAttempt(candidate.id, RUNNING, { handed_off_at: now, attempt_return_url: returnUrl, attempt_way: way })
      : await this.repository.moveAttempt(candidate.id, [state], {
          attempt_state: 'handed_off',
          attempt_ref: randomBytes(24).toString('base64url'),
          attempt_delivery_url: deliveryUrl,
          attempt_return_url: returnUrl,
          attempt_way: way,
          handed_off_at: now,
          started_at: null,
          finished_at: null,
          score_given: null,
          score_maximum: null,
          grade_status: null,
        });
    const current = await this.repository.findById(exam.id, candidate.id);
    // Not moved: another window handed it off at the same moment (fine), or it finished meanwhile.
    if (!current || (!moved && !isRunning(current.attempt.state))) {
      throw new AttemptStateError('Your attempt changed in another window. Reload the page.');
    }
    return current;
  }

  /** The engine got the hand-off: handed off → started, once; false when the attempt was not waiting for its start. */
  markStarted(candidate: Candidate, unit: UnitOfWork, now = new Date()): Promise<boolean> {
    return this.repository.moveAttempt(candidate.id, ['handed_off'], { attempt_state: 'started', started_at: now }, unit);
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
   * handed off). An engine may report the finish without reporting the start first. Within
   * `unit`, it commits with whatever else the unit writes (the grade's job).
   */
  async finishAttempt(
    candidate: Candidate,
    score: { given: number; maximum: number } | null,
    unit?: UnitOfWork,
    now = new Date(),
  ): Promise<boolean> {
    return this.repository.moveAttempt(
      candidate.id,
      RUNNING,
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
