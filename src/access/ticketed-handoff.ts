import type { Candidate } from '../candidates/candidate.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import { placementOf } from '../launch/session-context.middleware.js';
import type { AnySession, SessionService } from '../sessions/session.service.js';
import type { AttemptService, HandOffOrigin } from './attempt.service.js';
import type { CandidateTests, OwnTest } from './candidate-tests.js';
import { StartTicketError, type StartTickets } from './start-ticket.js';

/**
 * Start, Continue and Reopen without the session cookie. The lobby (inside the LMS's iframe,
 * where the cookie lives, or a candidate's own page outside the LMS) hands its page a ticket
 * for this session's candidate on this test;
 * the tab the form opens posts it back. The ticket proves whose Start it is; the session it
 * names must still be live and must still lead to the same test and candidate.
 */
export class TicketedHandOff {
  constructor(
    private readonly tickets: StartTickets,
    private readonly sessions: SessionService,
    private readonly exams: ExamService,
    private readonly candidates: CandidateService,
    private readonly attempts: AttemptService,
    private readonly candidateTests: CandidateTests,
  ) {}

  ticketFor(session: AnySession, exam: Exam, candidate: Candidate): string {
    return this.tickets.issue({ sessionIdHash: session.idHash, examId: exam.id, candidateId: candidate.id });
  }

  /** A fresh hand-off (its own jti) for each use of a good ticket; StartTicketError or StartRefusedError otherwise. */
  async handOff(token: unknown): Promise<{ exam: Exam; deliveryUrl: string; token: string }> {
    const ticket = this.tickets.read(token);
    const session = await this.sessions.resumeByIdHash(ticket.sessionIdHash);
    if (!session) {
      throw new StartTicketError('session_ended');
    }
    const target = await this.targetOf(session, ticket.examId);
    if (!target || target.exam.id !== ticket.examId || target.candidate.id !== ticket.candidateId) {
      throw new StartTicketError('mismatch');
    }
    const { exam, candidate, from } = target;
    return { exam, ...(await this.attempts.handOff(exam, candidate, from)) };
  }

  /** The test and candidate a session leads to today (a ticket names what it led to when the page was loaded). */
  private async targetOf(session: AnySession, examId: string): Promise<(OwnTest & { from: HandOffOrigin }) | null> {
    if (session.kind === 'candidate') {
      const own = await this.candidateTests.find(session.principal, examId);
      return own ? { ...own, from: { way: session.principal.way, returnUrl: null } } : null;
    }
    const { launch } = session;
    const exam = launch.audience === 'learner' ? await this.exams.examForLaunch(placementOf(launch)) : null;
    const candidate = exam ? await this.candidates.findByLmsUser(exam, launch.user.sub) : null;
    return exam && candidate ? { exam, candidate, from: { way: 'lms', returnUrl: launch.returnUrl ?? null } } : null;
  }
}
