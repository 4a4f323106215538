import { randomUUID } from 'node:crypto';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import type { Logger } from '../logger.js';
import { CandidateIdAllocator, anonymousId, candidateIdFor, cleanText } from './candidate-ids.js';
import type { CandidateRepository, NewCandidate } from './candidate.repository.js';
import type { LmsPerson } from './candidate.js';
import { isEmptyPlan, planRosterChanges, RosterUnavailableError, type RosterMember, type RosterPlan, type RosterSource } from './roster.js';
import type { ExamRepository } from '../exams/exam.repository.js';

export const ROSTER_SYNC_JOB = 'roster-sync';

/** What a sync did, kept on the test and shown on its candidates page. */
export interface RosterSyncSummary {
  members: number;
  added: number;
  withdrawn: number;
  restored: number;
  updated: number;
  overCap: number;
  ignored: number;
  /** Added learners who lacked the field the ID policy asks for and got their LMS id instead. */
  fellBack: number;
}

/** Learners only by default: context role Learner in any of its spellings. */
export function isLearner(roles: string[]): boolean {
  return roles.some((role) => /(^|[/#])Learner$/.test(role) || /membership\/Learner#/.test(role));
}

/** Syncs a test's candidates with its course roster. All-or-nothing: a broken fetch writes nothing. */
export class RosterSyncService {
  constructor(
    private readonly exams: ExamService,
    private readonly examRepository: ExamRepository,
    private readonly candidates: CandidateRepository,
    private readonly source: RosterSource,
    private readonly log: Logger,
  ) {}

  async sync(examId: string, onProgress: (membersSoFar: number) => void = () => undefined): Promise<RosterSyncSummary> {
    const found = await this.exams.findForSystem(examId);
    if (!found) {
      throw new RosterUnavailableError('failed', 'The test no longer exists.');
    }
    const { exam, course } = found;
    if (!course.nrpsUrl) {
      throw new RosterUnavailableError(
        'disabled',
        'The LMS did not offer its roster service (Names and Role Provisioning) in any launch from this course. ' +
          'Ask your LMS administrator to enable it for examgate: in Moodle, the tool\'s "IMS LTI Names and Role Provisioning" ' +
          'service; in Canvas, the developer key\'s "Can retrieve user data associated with the context the tool is installed in" scope. ' +
          'Then open examgate from the course again.',
      );
    }
    // Everything is fetched before anything is written, so an error midway leaves the list as it was.
    const fetched = await this.source.fetchRoster({ platformId: course.platformId, nrpsUrl: course.nrpsUrl }, onProgress);
    // Compared in the form they are stored in, so an unchanged roster plans no writes.
    const members = fetched.map((m) => ({ ...m, ...cleanPerson(m) }));
    const existing = await this.candidates.all(exam.id);
    const active = existing.filter((c) => c.status === 'active').length;
    const plan = planRosterChanges(existing, members, {
      isEligible: (m: RosterMember) => exam.rosterRoles === 'all' || isLearner(m.roles),
      room: Math.max(0, exam.maxCandidates - active),
    });
    const summary: RosterSyncSummary = {
      members: members.length,
      added: plan.add.length,
      withdrawn: plan.withdraw.length,
      restored: plan.restore.length,
      updated: plan.refresh.length,
      overCap: plan.overCap,
      ignored: plan.ignored,
      fellBack: 0,
    };
    if (!isEmptyPlan(plan)) {
      summary.fellBack = await this.apply(
        exam,
        plan,
        existing.map((c) => c.candidateId),
      );
      summary.added = plan.add.length;
      summary.overCap = plan.overCap;
    }
    await this.exams.recordRosterSync(exam.id, JSON.stringify(summary));
    this.log.info({ examId, ...summary }, 'roster synced');
    return summary;
  }

  /** Writes a plan in one transaction; returns how many new candidates got a fallback ID. */
  private async apply(exam: Exam, plan: RosterPlan, takenIds: string[]): Promise<number> {
    return this.candidates.transaction(async (transaction) => {
      await this.candidates.lockExam(exam.id, transaction);
      // Someone may have added candidates by hand since the plan was made: the cap still holds.
      const room = exam.maxCandidates - (await this.candidates.countActive(exam.id, transaction)) - plan.restore.length;
      if (plan.add.length > Math.max(0, room)) {
        plan.overCap += plan.add.length - Math.max(0, room);
        plan.add = plan.add.slice(0, Math.max(0, room));
      }
      const allocator = new CandidateIdAllocator(takenIds);
      let fellBack = 0;
      let nextNumber =
        exam.candidateIdPolicy === 'anonymous' && plan.add.length > 0
          ? await this.examRepository.reserveAnonymousNumbers(exam.id, plan.add.length, transaction)
          : 0;
      const added: NewCandidate[] = plan.add.map((person) => {
        let base: string;
        if (exam.candidateIdPolicy === 'anonymous') {
          base = anonymousId(nextNumber);
          nextNumber += 1;
        } else {
          const made = candidateIdFor(exam.candidateIdPolicy, person);
          fellBack += made.fellBack ? 1 : 0;
          base = made.id;
        }
        return newRosterCandidate(exam.id, allocator.claim(base), person);
      });
      await this.candidates.insertMany(added, transaction);
      for (const { id, reason } of plan.withdraw) {
        await this.candidates.update(id, { status: 'withdrawn', withdrawn_reason: reason }, transaction);
      }
      for (const id of plan.restore) {
        await this.candidates.update(id, { status: 'active', withdrawn_reason: null }, transaction);
      }
      for (const { id, person } of plan.refresh) {
        await this.candidates.update(id, personColumns(person), transaction);
      }
      return fellBack;
    });
  }
}

/** LMS facts as stored: cleaned and cut to their column sizes. */
export function cleanPerson(person: LmsPerson): LmsPerson {
  return {
    userId: person.userId,
    name: cleanText(person.name, 2000),
    email: cleanText(person.email, 500),
    sisId: cleanText(person.sisId, 255),
  };
}

function personColumns(person: LmsPerson) {
  const clean = cleanPerson(person);
  return { name: clean.name, email: clean.email, sis_id: clean.sisId };
}

export function newRosterCandidate(examId: string, candidateId: string, person: LmsPerson): NewCandidate {
  const columns = personColumns(person);
  return {
    id: randomUUID(),
    examId,
    candidateId,
    source: 'roster',
    lmsUserId: person.userId,
    name: columns.name,
    email: columns.email,
    sisId: columns.sis_id,
    extraTimeMinutes: 0,
    building: null,
    room: null,
    status: 'active',
    withdrawnReason: null,
    editedFields: [],
    resourceLinkId: null,
  };
}
