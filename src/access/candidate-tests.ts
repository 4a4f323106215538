import type { AuditBy } from '../audit/audit.js';
import type { Candidate } from '../candidates/candidate.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import type { CandidatePrincipal } from '../sessions/candidate-principal.js';
import type { OwnTestRepository } from './own-test.repository.js';

export interface OwnTest {
  exam: Exam;
  candidate: Candidate;
}

/** A line of the dashboard: the candidate's own test, or a demo test they may try (`candidate` null until they first open it). */
export interface ReachableTest {
  exam: Exam;
  candidate: Candidate | null;
  demo: boolean;
}

/**
 * What a candidate session outside the LMS may reach: the one candidate of the one test its
 * principal names, inside the principal's platform, and that platform's active demo tests
 * (seed 000). Nothing here takes a candidate from a request, and a test id from a request is
 * only compared with these, so a page of any other test answers 404 because this finds nothing.
 */
export class CandidateTests {
  constructor(
    private readonly exams: ExamService,
    private readonly candidates: CandidateService,
    private readonly ownTests: OwnTestRepository,
  ) {}

  /** The principal's test and candidate (one statement); null when either is gone (deleted, or its platform moved). */
  async own(principal: CandidatePrincipal): Promise<OwnTest | null> {
    const found = await this.ownTests.find(principal.examId, principal.candidateId);
    if (!found?.candidate || found.platformId !== principal.platformId) {
      return null;
    }
    return { exam: found.exam, candidate: found.candidate };
  }

  /** The dashboard's tests: the own one first, then the demo tests (none for a withdrawn candidate). */
  async reachable(own: OwnTest, principal: CandidatePrincipal): Promise<ReachableTest[]> {
    const mine: ReachableTest = { ...own, demo: false };
    if (own.candidate.status !== 'active') {
      return [mine];
    }
    const demos = (await this.exams.demoTestsOf(principal.platformId)).filter((exam) => exam.id !== own.exam.id);
    const tried = await Promise.all(demos.map((exam) => this.candidates.findDemoFor(exam, own.candidate)));
    return [mine, ...demos.map((exam, i) => ({ exam, candidate: tried[i] ?? null, demo: true }))];
  }

  /**
   * The test and candidate of `examId` for this principal: their own, or a demo test they
   * become a candidate of on first opening it (`by` records that). Null for anything else.
   */
  async open(own: OwnTest, principal: CandidatePrincipal, examId: string, by: AuditBy): Promise<OwnTest | null> {
    if (examId === own.exam.id) {
      return own;
    }
    const demo = await this.demoTest(own, principal, examId);
    const candidate = demo ? await this.candidates.demoCandidateFor(demo, own.candidate, by) : null;
    return demo && candidate ? { exam: demo, candidate } : null;
  }

  /** Like `open`, but never adds anyone: for a Start whose ticket names a candidate that already exists. */
  async find(principal: CandidatePrincipal, examId: string): Promise<OwnTest | null> {
    const own = await this.own(principal);
    if (!own || examId === own.exam.id) {
      return own;
    }
    const demo = await this.demoTest(own, principal, examId);
    const candidate = demo ? await this.candidates.findDemoFor(demo, own.candidate) : null;
    return demo && candidate ? { exam: demo, candidate } : null;
  }

  private async demoTest(own: OwnTest, principal: CandidatePrincipal, examId: string): Promise<Exam | null> {
    if (own.candidate.status !== 'active') {
      return null;
    }
    return (await this.exams.demoTestsOf(principal.platformId)).find((exam) => exam.id === examId) ?? null;
  }
}
