import type { Candidate } from '../candidates/candidate.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import { CandidateNotFoundError } from '../candidates/candidate.errors.js';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import type { CandidatePrincipal } from '../sessions/candidate-principal.js';

export interface OwnTest {
  exam: Exam;
  candidate: Candidate;
}

/**
 * What a candidate session outside the LMS may reach: the one candidate of the one test its
 * principal names, inside the principal's platform. Nothing here takes a test or candidate id
 * from a request; a page for any other test answers 404 because this finds nothing else.
 */
export class CandidateTests {
  constructor(
    private readonly exams: ExamService,
    private readonly candidates: CandidateService,
  ) {}

  /** The principal's test and candidate; null when either is gone (deleted, or its platform moved). */
  async own(principal: CandidatePrincipal): Promise<OwnTest | null> {
    const found = await this.exams.findForSystem(principal.examId);
    if (!found || found.course.platformId !== principal.platformId) {
      return null;
    }
    try {
      return { exam: found.exam, candidate: await this.candidates.get(found.exam, principal.candidateId) };
    } catch (err) {
      if (err instanceof CandidateNotFoundError) {
        return null;
      }
      throw err;
    }
  }
}
