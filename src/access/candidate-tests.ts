import type { AuditBy } from '../audit/audit.js';
import type { Candidate } from '../candidates/candidate.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import type { CandidatePrincipal } from '../sessions/candidate-principal.js';
import type { ReadBesideSession } from '../sessions/session.service.js';
import type { OwnTestRepository, OwnTestRow } from './own-test.repository.js';

/** The tests a permanent user is an active candidate of (permanent/), newest first. */
export interface PermanentCandidacies {
  of(permanentUserId: string): Promise<Array<{ examId: string; candidateId: string }>>;
}

export interface OwnTest {
  exam: Exam;
  candidate: Candidate;
  /** The platform's active demo tests, when they were read in the same statement as these (this request's own read). */
  demoTests?: Exam[];
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
    private readonly permanent: PermanentCandidacies | null = null,
  ) {}

  /**
   * Every test that is the principal's own: the one it names, and for a permanent user every
   * other test they are an active candidate of, each looked up inside the principal's platform.
   */
  async mine(own: OwnTest, principal: CandidatePrincipal): Promise<OwnTest[]> {
    if (!principal.permanentUserId || !this.permanent) {
      return [own];
    }
    const others = (await this.permanent.of(principal.permanentUserId)).filter((c) => c.examId !== own.exam.id);
    const found = await Promise.all(others.map((c) => this.own({ ...principal, examId: c.examId, candidateId: c.candidateId })));
    return [own, ...found.filter((t): t is OwnTest => t !== null)];
  }

  /** The principal's test and candidate (one statement); null when either is gone (deleted, or its platform moved). */
  async own(principal: CandidatePrincipal): Promise<OwnTest | null> {
    return ownOf(principal, await this.ownTests.find(principal.examId, principal.candidateId));
  }

  /**
   * The rows of `own`, read with the session itself (SessionService#resumeCandidateWith) when it
   * comes from the database: a candidate page then costs one statement for both. `ownIn` checks them.
   */
  readonly besideSession: ReadBesideSession<OwnTestRow | null> = {
    joined: async (idHash) => {
      const found = await this.ownTests.findWithSession(idHash);
      return found ? { record: found.record, beside: found.own } : null;
    },
    // The first page after a sign-in is the dashboard (login page) or the lobby (link, code): the demo tests come along.
    alone: ({ principal }) => this.ownTests.findWithDemoTests(principal.examId, principal.candidateId, principal.platformId),
  };

  /** What `own` answers, from rows read beside the principal's session (`besideSession`). */
  ownIn(principal: CandidatePrincipal, found: OwnTestRow | null): OwnTest | null {
    return ownOf(principal, found);
  }

  /** The dashboard's tests: the own one first, then the demo tests (none for a withdrawn candidate). */
  async reachable(own: OwnTest, principal: CandidatePrincipal): Promise<ReachableTest[]> {
    const mine: ReachableTest[] = (await this.mine(own, principal)).map((test) => ({ ...test, demo: false }));
    if (own.candidate.status !== 'active') {
      return mine;
    }
    const ids = new Set(mine.map((test) => test.exam.id));
    const demos = (await this.demoTestsFor(own, principal)).filter((exam) => !ids.has(exam.id));
    const tried = await Promise.all(demos.map((exam) => this.candidates.findDemoFor(exam, own.candidate)));
    return [...mine, ...demos.map((exam, i) => ({ exam, candidate: tried[i] ?? null, demo: true }))];
  }

  /**
   * The test and candidate of `examId` for this principal: their own, or a demo test they
   * become a candidate of on first opening it (`by` records that). Null for anything else.
   */
  async open(own: OwnTest, principal: CandidatePrincipal, examId: string, by: AuditBy): Promise<OwnTest | null> {
    if (examId === own.exam.id) {
      return own;
    }
    const other = await this.otherOwn(own, principal, examId);
    if (other) {
      return other;
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
    const other = await this.otherOwn(own, principal, examId);
    if (other) {
      return other;
    }
    const demo = await this.demoTest(own, principal, examId);
    const candidate = demo ? await this.candidates.findDemoFor(demo, own.candidate) : null;
    return demo && candidate ? { exam: demo, candidate } : null;
  }

  /** Another own test of a permanent user; null for anyone else. */
  private async otherOwn(own: OwnTest, principal: CandidatePrincipal, examId: string): Promise<OwnTest | null> {
    if (!principal.permanentUserId) {
      return null;
    }
    return (await this.mine(own, principal)).find((test) => test.exam.id === examId) ?? null;
  }

  private async demoTest(own: OwnTest, principal: CandidatePrincipal, examId: string): Promise<Exam | null> {
    if (own.candidate.status !== 'active') {
      return null;
    }
    return (await this.demoTestsFor(own, principal)).find((exam) => exam.id === examId) ?? null;
  }

  /** The platform's active demo tests: read with the own test in this request, or now. */
  private async demoTestsFor(own: OwnTest, principal: CandidatePrincipal): Promise<Exam[]> {
    return own.demoTests ?? (await this.exams.demoTestsOf(principal.platformId));
  }
}

/**
 * The principal's test and candidate in `found`, or null: the candidate must be the one the
 * principal names, of the test it names, on its platform. (A row read by ids matches them by
 * its statement; one read through the session's candidate is held to the same here.)
 */
function ownOf(principal: CandidatePrincipal, found: OwnTestRow | null): OwnTest | null {
  if (
    !found?.candidate ||
    found.platformId !== principal.platformId ||
    found.exam.id !== principal.examId ||
    found.candidate.id !== principal.candidateId
  ) {
    return null;
  }
  return found.demoTests
    ? { exam: found.exam, candidate: found.candidate, demoTests: found.demoTests }
    : { exam: found.exam, candidate: found.candidate };
}
