import type { SsoMatchField } from '../platforms/platform.js';
import { withSsoMembers } from './sso-roster.js';
import { randomUUID } from 'node:crypto';
import { SYSTEM } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import type { Logger } from '../logger.js';
import { candidateAudit, present } from './candidate-audit.js';
import { CandidateIdAllocator, anonymousId, candidateIdFor, cleanText } from './candidate-ids.js';
import type { CandidateRepository, NewCandidate } from './candidate.repository.js';
import type { Candidate, LmsPerson } from './candidate.js';
import { sameLeftOut, type LeftOutRepository } from './left-out.repository.js';
import { isEmptyPlan, planRosterChanges, RosterUnavailableError, type RosterMember, type RosterPlan, type RosterSource } from './roster.js';

export const ROSTER_SYNC_JOB = 'roster-sync';

const NO_ROSTER_SERVICE =
  'The LMS did not offer its roster service (Names and Role Provisioning) in any launch from this course. ' +
  'Ask your LMS administrator to enable it for examgate: in Moodle, the tool\'s "IMS LTI Names and Role Provisioning" ' +
  'service; in Canvas, the developer key\'s "Can retrieve user data associated with the context the tool is installed in" scope. ' +
  'Then open examgate from the course again.';

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

/**
 * Learners only by default: the context (membership) role Learner, its sub-roles, and the
 * short form the certification suite sends. An institution role Learner does not count: an
 * instructor of this course may well be a learner elsewhere in the institution.
 */
export function isLearner(roles: string[]): boolean {
  return roles.some(
    (role) =>
      role === 'Learner' ||
      role === 'http://purl.imsglobal.org/vocab/lis/v2/membership#Learner' ||
      role.startsWith('http://purl.imsglobal.org/vocab/lis/v2/membership/Learner#'),
  );
}

/** Syncs a test's candidates with its course roster. All-or-nothing: a broken fetch writes nothing. */
export class RosterSyncService {
  constructor(
    private readonly exams: ExamService,
    private readonly candidates: CandidateRepository,
    private readonly leftOut: LeftOutRepository,
    private readonly source: RosterSource,
    private readonly audit: AuditService,
    private readonly log: Logger,
    /** The platform's SSO match field: SSO candidates a member matches are theirs (sso-roster.ts). */
    private readonly ssoMatchFieldOf: (platformId: string) => Promise<SsoMatchField | null> = async () => null,
  ) {}

  async sync(examId: string, onProgress: (membersSoFar: number) => void = () => undefined): Promise<RosterSyncSummary> {
    const found = await this.exams.findForSystem(examId);
    if (!found) {
      throw new RosterUnavailableError('failed', 'The test no longer exists.');
    }
    const { exam, course } = found;
    if (!course.nrpsUrl) {
      throw new RosterUnavailableError('disabled', NO_ROSTER_SERVICE);
    }
    // Everything is fetched before anything is written, so an error midway leaves the list as it was.
    const fetched = await this.source.fetchRoster({ platformId: course.platformId, nrpsUrl: course.nrpsUrl }, onProgress);
    // Compared in the form they are stored in, so an unchanged roster plans no writes.
    const members = fetched.map((m) => ({ ...m, ...cleanPerson(m) }));
    // A first plan without locks: when nothing changed, nothing is written at all.
    const waiting = await this.leftOut.list(exam.id);
    const ssoField = await this.ssoMatchFieldOf(course.platformId);
    let plan = this.plan(exam, members, withSsoMembers(await this.candidates.all(exam.id), members, ssoField), waiting);
    let fellBack = 0;
    if (!isEmptyPlan(plan) || !sameLeftOut(plan.leftOut, waiting)) {
      ({ plan, fellBack } = await this.apply(exam, members, ssoField));
    }
    const summary: RosterSyncSummary = {
      members: members.length,
      added: plan.add.length,
      withdrawn: plan.withdraw.length,
      restored: plan.restore.length,
      updated: plan.refresh.length,
      overCap: plan.leftOut.length,
      ignored: plan.ignored,
      fellBack,
    };
    await this.exams.recordRosterSync(exam.id, JSON.stringify(summary));
    this.log.info({ examId, ...summary }, 'roster synced');
    return summary;
  }

  private plan(exam: Exam, members: RosterMember[], existing: Candidate[], waiting: LmsPerson[]): RosterPlan {
    const active = existing.filter((c) => c.status === 'active').length;
    return planRosterChanges(existing, members, {
      isEligible: (m: RosterMember) => exam.rosterRoles === 'all' || isLearner(m.roles),
      seatsFree: exam.maxCandidates - active,
      waiting: waiting.map((person) => person.userId),
    });
  }

  /**
   * Plans again and writes in one transaction, under the test's lock: a learner enrolled on
   * launch or a candidate added by hand since the first plan is seen, and the cap holds.
   */
  private async apply(
    exam: Exam,
    members: RosterMember[],
    ssoField: SsoMatchField | null,
  ): Promise<{ plan: RosterPlan; fellBack: number }> {
    return this.candidates.transaction(async (transaction) => {
      await this.candidates.lockExam(exam.id, transaction);
      const existing = withSsoMembers(await this.candidates.all(exam.id, transaction), members, ssoField);
      const waiting = await this.leftOut.list(exam.id, transaction);
      const plan = this.plan(exam, members, existing, waiting);
      const allocator = new CandidateIdAllocator(existing.map((c) => c.candidateId));
      let fellBack = 0;
      let nextNumber =
        exam.candidateIdPolicy === 'anonymous' && plan.add.length > 0
          ? await this.exams.reserveAnonymousNumbers(exam.id, plan.add.length, transaction)
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
      if (!sameLeftOut(plan.leftOut, waiting)) {
        await this.leftOut.replace(exam.id, plan.leftOut.map(cleanPerson), transaction);
      }
      // One entry per changed candidate, in one statement, committed with the changes themselves.
      await this.audit.record({ actor: SYSTEM, via: 'roster-sync' }, auditOf(plan, existing, added), transaction);
      return { plan, fellBack };
    });
  }
}

/** The audit entries of an applied plan, one per candidate it changes. */
function auditOf(plan: RosterPlan, existing: Candidate[], added: NewCandidate[]) {
  const byId = new Map(existing.map((c) => [c.id, c]));
  const changed = (action: string, id: string, change: Partial<Candidate>) => {
    const before = byId.get(id);
    return before ? candidateAudit(action, before, { ...before, ...change }) : null;
  };
  return present([
    ...added.map((candidate) => candidateAudit('add', null, candidate)),
    ...plan.withdraw.map(({ id, reason }) => changed('withdraw', id, { status: 'withdrawn', withdrawnReason: reason })),
    ...plan.restore.map((id) => changed('restore', id, { status: 'active', withdrawnReason: null })),
    ...plan.refresh.map(({ id, person }) => {
      const clean = cleanPerson(person);
      return changed('refresh', id, { name: clean.name, email: clean.email, sisId: clean.sisId });
    }),
  ]);
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
