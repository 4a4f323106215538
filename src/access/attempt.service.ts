import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { AttemptWay, Candidate } from '../candidates/candidate.js';
import type { CandidateAttempts } from '../candidates/candidate-attempts.js';
import type { SingleUseIds } from '../db/single-use-ids.js';
import type { RunInUnitOfWork, UnitOfWork } from '../db/unit-of-work.js';
import { windowState, type Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import type { Logger } from '../logger.js';
import { isUniqueViolation } from '../db/errors.js';
import { ReportRejectedError, StartRefusedError } from './attempt.errors.js';
import type { EngineKeys } from './engine-keys.js';
import { verifyReport } from './report-verifier.js';
import type { SigningKeys } from './signing-keys.js';
import { PURPOSE, type DeliveryReport, type HandoffClaims } from './tokens.js';

export const GRADE_PASSBACK_JOB = 'grade-passback';

/** Where finished scores wait for their way to the LMS gradebook. */
export interface GradeQueue {
  /** Runs `work` so that what it writes and the grade jobs it queues commit together, or not at all. */
  inUnit: RunInUnitOfWork;
  /** Queues the candidate's grade passback inside the unit. */
  enqueue(candidateId: string, unit: UnitOfWork): Promise<unknown>;
  /** Called once the unit has committed: the job can be taken now. */
  committed(): void;
}

/** Where a Start came from: the LMS (and the course page it named) or a candidate session outside it. */
export interface HandOffOrigin {
  way: AttemptWay;
  /** The course page (launch_presentation.return_url) the finish page links back to; LMS launches only. */
  returnUrl: string | null;
}

const FROM_LMS_WITHOUT_RETURN: HandOffOrigin = { way: 'lms', returnUrl: null };

/**
 * Where a candidate from outside the LMS goes after a finish when neither the test nor the
 * installation names a finish redirect URL (seed 003: blank means the login page). The page
 * says the test is finished and, while their session lasts, leads to their archive.
 */
export const FINISHED_LOGIN_PATH = '/login?done=finished';

export interface AttemptSettings {
  publicUrl: string;
  defaultDeliveryUrl: string | null;
  /** The platform's finish redirect URL (system settings: its own, else the installation's, else FINISH_REDIRECT_URL). */
  finishRedirectOf: (platformId: string) => Promise<string | null>;
  handoffSeconds: number;
}

/** Hand-off → engine reports (started, finished) → back: the life of one attempt. */
export class AttemptService {
  constructor(
    private readonly settings: AttemptSettings,
    private readonly exams: ExamService,
    private readonly candidates: CandidateAttempts,
    private readonly keys: SigningKeys,
    private readonly engineKeys: EngineKeys,
    private readonly usedReportIds: SingleUseIds,
    private readonly grades: GradeQueue,
    private readonly log: Logger,
  ) {}

  deliveryUrlOf(exam: Exam): string | null {
    return exam.deliveryUrl ?? this.settings.defaultDeliveryUrl;
  }

  /**
   * Signs a fresh hand-off (a new jti each time) that carries the candidate to the engine, and
   * records the attempt as handed off; it counts as started only once the engine reports it.
   */
  async handOff(
    exam: Exam,
    candidate: Candidate,
    from: HandOffOrigin = FROM_LMS_WITHOUT_RETURN,
    now = new Date(),
  ): Promise<{ deliveryUrl: string; token: string }> {
    if (candidate.status !== 'active') {
      throw new StartRefusedError('You have been withdrawn from this test.');
    }
    const state = windowState(exam, candidate.extraTimeMinutes, now);
    if (state !== 'open') {
      throw new StartRefusedError(state === 'not_open' ? 'This test is not open yet.' : 'This test has closed.');
    }
    const deliveryUrl = this.deliveryUrlOf(exam);
    if (!deliveryUrl) {
      throw new StartRefusedError('This test has no delivery URL yet. Ask your instructor to set one.');
    }
    // The key first: if signing cannot happen, no hand-off is recorded.
    const key = await this.keys.current();
    const handedOff = await this.candidates.handOffAttempt(exam, candidate, { deliveryUrl, ...from }, now);
    const ref = handedOff.attempt.ref as string;
    const claims: HandoffClaims = {
      purpose: PURPOSE.handoff,
      exam: {
        id: exam.id,
        title: exam.title,
        durationMinutes: exam.durationMinutes,
        window: {
          start: exam.window.opensAt?.toISOString() ?? null,
          end: exam.window.closesAt?.toISOString() ?? null,
          timeZone: exam.window.timeZone,
        },
      },
      candidate: { id: handedOff.candidateId, extraTimeMinutes: handedOff.extraTimeMinutes },
      attempt: ref,
      report_url: `${this.settings.publicUrl}/api/delivery/v1/attempts/${ref}/events`,
      return_url: `${this.settings.publicUrl}/attempts/${ref}/return`,
    };
    const token = jwt.sign(claims, key.privateKey, {
      algorithm: 'RS256',
      keyid: key.kid,
      issuer: this.settings.publicUrl,
      audience: new URL(deliveryUrl).origin,
      subject: handedOff.id,
      jwtid: randomUUID(),
      expiresIn: this.settings.handoffSeconds,
    });
    this.log.info({ examId: exam.id, candidate: handedOff.id }, 'attempt handed off');
    return { deliveryUrl, token };
  }

  /** Applies an engine's report to the attempt it names; each report is accepted once. */
  async report(token: string, attemptRefInPath: string): Promise<void> {
    const report = await verifyReport(token, {
      publicUrl: this.settings.publicUrl,
      engineKeys: this.engineKeys,
      deliveryUrlOf: async (ref) => (await this.attempt(ref))?.candidate.attempt.deliveryUrl ?? null,
    });
    if (report.attemptRef !== attemptRefInPath) {
      throw new ReportRejectedError('malformed', 'The report is for another attempt than the URL names.');
    }
    const alreadyReceived = () => new ReportRejectedError('conflict', 'This report (jti) was already received.');
    const target = await this.attempt(report.attemptRef);
    if (!target) {
      throw new ReportRejectedError('unknown_attempt', 'No attempt with this reference exists.');
    }
    if (report.event === 'started') {
      await this.recordStart(target.candidate, report, alreadyReceived);
      return;
    }
    // The finish, its grade job and the report's id commit together: a crash between them cannot
    // leave a score that is never sent, and a finish that failed to commit can be reported again.
    let finished: boolean;
    try {
      finished = await this.grades.inUnit(async (unit) => {
        if (!(await this.usedReportIds.remember(report.jti, report.expiresAt, unit))) {
          throw alreadyReceived();
        }
        if (!(await this.candidates.finishAttempt(target.candidate, report.score, unit))) {
          return false;
        }
        if (report.score) {
          await this.grades.enqueue(target.candidate.id, unit);
        }
        return true;
      });
    } catch (err) {
      throw isUniqueViolation(err) ? alreadyReceived() : err;
    }
    if (!finished) {
      if (target.candidate.attempt.state === 'finished') {
        return;
      }
      throw new ReportRejectedError('conflict', 'This attempt is not running.');
    }
    this.grades.committed();
    this.log.info({ candidate: target.candidate.id, scored: Boolean(report.score) }, 'attempt finished');
  }

  /**
   * The engine got the hand-off: a handed-off attempt is started from now on. A start of an
   * attempt already started is a re-entry (Continue, Reopen) and changes nothing; a finished
   * attempt cannot start again. The report's id and the start commit together.
   */
  private async recordStart(candidate: Candidate, report: DeliveryReport, alreadyReceived: () => ReportRejectedError): Promise<void> {
    if (candidate.attempt.state === 'finished') {
      throw new ReportRejectedError('conflict', 'This attempt is finished: it cannot start again.');
    }
    let started: boolean;
    try {
      started = await this.grades.inUnit(async (unit) => {
        if (!(await this.usedReportIds.remember(report.jti, report.expiresAt, unit))) {
          throw alreadyReceived();
        }
        return this.candidates.markStarted(candidate, unit);
      });
    } catch (err) {
      throw isUniqueViolation(err) ? alreadyReceived() : err;
    }
    if (started) {
      this.log.info({ candidate: candidate.id }, 'attempt started');
    }
  }

  /**
   * Where a candidate goes on coming back from the engine: the test's finish redirect URL, else
   * the system setting's (the platform's, the installation's, FINISH_REDIRECT_URL); else, for a candidate from outside the LMS, the login page
   * (seed 003), and for one from the LMS examgate's own finish page (`redirectUrl` null), which
   * leads back to the course.
   */
  async destinationAfter(ref: string): Promise<{ finished: boolean; redirectUrl: string | null; exam: Exam; candidate: Candidate } | null> {
    const target = await this.attempt(ref);
    if (!target) {
      return null;
    }
    const outsideLms = target.candidate.attempt.way !== null && target.candidate.attempt.way !== 'lms';
    const system = target.exam.finishRedirectUrl ?? (await this.settings.finishRedirectOf(target.platformId));
    const redirectUrl = system ?? (outsideLms ? FINISHED_LOGIN_PATH : null);
    const { candidate, exam } = target;
    return { finished: candidate.attempt.state === 'finished', redirectUrl, candidate, exam };
  }

  private async attempt(ref: string): Promise<{ candidate: Candidate; exam: Exam; platformId: string } | null> {
    const candidate = ref.length <= 64 ? await this.candidates.findByAttemptRef(ref) : null;
    const found = candidate ? await this.exams.findForSystem(candidate.examId) : null;
    return candidate && found ? { candidate, exam: found.exam, platformId: found.course.platformId } : null;
  }
}
