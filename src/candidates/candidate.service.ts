import { randomUUID } from 'node:crypto';
import { isUniqueViolation } from '../db/errors.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { AuditBy, AuditChange } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import type { Logger } from '../logger.js';
import {
  CANDIDATE_SOURCES,
  type Candidate,
  type CandidateSource,
  type CandidateStatus,
  type EditableField,
  type LmsPerson,
} from './candidate.js';
import { candidateAudit, editedValues as fieldsOf, present } from './candidate-audit.js';
import { CandidateIdAllocator, anonymousId, candidateIdFor } from './candidate-ids.js';
import { CandidateCapError, CandidateNotFoundError, DuplicateCandidateIdError, InvalidCandidateError } from './candidate.errors.js';
import { parseCandidateInput, type CandidateInput } from './candidate-input.js';
import type { CandidateChanges, CandidateRepository, NewCandidate } from './candidate.repository.js';
import { cleanPerson, newRosterCandidate } from './roster-sync.service.js';

export const PAGE_SIZE = 50;

export interface CandidateQuery {
  search?: string;
  source?: CandidateSource;
  status?: CandidateStatus;
  page: number;
}

/**
 * The candidate list of one test. Callers pass a test they have already been allowed to
 * see (ExamService.get); every change respects the test's candidate cap.
 */
export class CandidateService {
  constructor(
    private readonly repository: CandidateRepository,
    private readonly exams: ExamService,
    private readonly audit: AuditService,
    private readonly log: Logger,
  ) {}

  async page(exam: Exam, query: CandidateQuery) {
    const page = Math.max(1, Math.floor(query.page));
    const { candidates, total } = await this.repository.page(exam.id, {
      search: query.search?.trim() || undefined,
      source: query.source,
      status: query.status,
      offset: (page - 1) * PAGE_SIZE,
      limit: PAGE_SIZE,
    });
    const [counts, present] = await Promise.all([this.repository.counts(exam.id), this.repository.sources(exam.id)]);
    // The filter offers only sources some candidate of this test has (and one asked for, so the choice stays visible).
    const sources = CANDIDATE_SOURCES.filter((source) => present.includes(source) || source === query.source);
    return { candidates, total, page, pages: Math.max(1, Math.ceil(total / PAGE_SIZE)), counts, cap: exam.maxCandidates, sources };
  }

  /** How many candidates the test has, active and withdrawn (a confirmation says what would be lost). */
  counts(exam: Exam): Promise<Record<CandidateStatus, number>> {
    return this.repository.counts(exam.id);
  }

  /** Candidates on all tests of a platform's courses (the admin pages weigh a move or a removal by it). */
  countOnPlatform(platformId: string): Promise<number> {
    return this.repository.countOnPlatform(platformId);
  }

  async get(exam: Exam, id: string): Promise<Candidate> {
    const candidate = await this.repository.findById(exam.id, id);
    if (!candidate) {
      throw new CandidateNotFoundError();
    }
    return candidate;
  }

  /** Adds one candidate by hand (source `manual`). */
  async addManual(exam: Exam, input: CandidateInput, by: AuditBy): Promise<Candidate> {
    const fields = parseCandidateInput({ extraTimeMinutes: '', building: '', room: '', ...input });
    if (!fields.candidateId) {
      throw new InvalidCandidateError('candidateId', 'Give the candidate an ID of 1 to 500 characters.');
    }
    const candidateId = fields.candidateId;
    const id = randomUUID();
    await this.withinCap(exam, 1, async (transaction) => {
      if (await this.repository.isCandidateIdTaken(exam.id, candidateId, undefined, transaction)) {
        throw new DuplicateCandidateIdError(candidateId);
      }
      const candidate: NewCandidate = {
        ...newRosterCandidate(exam.id, candidateId, { userId: '', name: null, email: null, sisId: null }),
        id,
        source: 'manual',
        lmsUserId: null,
        extraTimeMinutes: fields.extraTimeMinutes ?? 0,
        building: fields.building ?? null,
        room: fields.room ?? null,
      };
      await this.repository.insertMany([candidate], transaction);
      await this.audit.record(by, present([candidateAudit('add', null, candidate)]), transaction);
    });
    return this.get(exam, id);
  }

  /** Changes what was sent; each changed field is marked so a roster sync keeps it. */
  async edit(exam: Exam, id: string, input: CandidateInput, by: AuditBy): Promise<Candidate> {
    const candidate = await this.get(exam, id);
    const fields = parseCandidateInput(input);
    const changes: CandidateChanges = {};
    const edited = new Set<EditableField>(candidate.editedFields);
    if (fields.candidateId !== undefined && fields.candidateId !== candidate.candidateId) {
      if (await this.repository.isCandidateIdTaken(exam.id, fields.candidateId, id)) {
        throw new DuplicateCandidateIdError(fields.candidateId);
      }
      changes.candidate_id = fields.candidateId;
      edited.add('candidateId');
    }
    if (fields.extraTimeMinutes !== undefined && fields.extraTimeMinutes !== candidate.extraTimeMinutes) {
      changes.extra_time_minutes = fields.extraTimeMinutes;
      edited.add('extraTimeMinutes');
    }
    for (const key of ['building', 'room'] as const) {
      if (fields[key] !== undefined && fields[key] !== candidate[key]) {
        changes[key] = fields[key];
        edited.add(key);
      }
    }
    if (Object.keys(changes).length > 0) {
      changes.edited_fields = [...edited].join(',');
      const after = { ...candidate, candidateId: changes.candidate_id ?? candidate.candidateId, ...fieldsOf(changes) };
      await this.updateUnique(id, changes, fields.candidateId ?? '', by, candidateAudit('edit', candidate, after));
    }
    return this.get(exam, id);
  }

  /** Withdrawn by hand, so a roster sync never restores them; the trail records only what changed. */
  async withdraw(exam: Exam, id: string, by: AuditBy): Promise<void> {
    const candidate = await this.get(exam, id);
    const edited = [...new Set([...candidate.editedFields, 'status'])].join(',');
    await this.repository.transaction(async (transaction) => {
      await this.repository.update(id, { status: 'withdrawn', withdrawn_reason: 'manual', edited_fields: edited }, transaction);
      const after = { ...candidate, status: 'withdrawn' as const, withdrawnReason: 'manual' as const };
      await this.audit.record(by, present([candidateAudit('withdraw', candidate, after)]), transaction);
    });
  }

  async restore(exam: Exam, id: string, by: AuditBy): Promise<void> {
    const candidate = await this.get(exam, id);
    if (candidate.status === 'active') {
      return;
    }
    const edited = [...new Set([...candidate.editedFields, 'status'])].join(',');
    await this.withinCap(exam, 1, async (transaction) => {
      await this.repository.update(id, { status: 'active', withdrawn_reason: null, edited_fields: edited }, transaction);
      const after = { ...candidate, status: 'active' as const, withdrawnReason: null };
      await this.audit.record(by, present([candidateAudit('restore', candidate, after)]), transaction);
    });
  }

  /** The candidate an LMS user is on this test (matched by platform + `sub`, never by name). */
  findByLmsUser(exam: Exam, sub: string): Promise<Candidate | null> {
    return this.repository.findByLmsUser(exam.id, sub);
  }

  /**
   * Adds a learner who launched before any roster sync, with the test's ID policy. Returns
   * null when the test is full. Safe against two launches of the same learner at once.
   */
  async enrolOnLaunch(exam: Exam, person: LmsPerson, by: AuditBy): Promise<Candidate | null> {
    const clean = cleanPerson(person);
    try {
      await this.withinCap(exam, 1, async (transaction) => {
        const base =
          exam.candidateIdPolicy === 'anonymous'
            ? anonymousId(await this.exams.reserveAnonymousNumbers(exam.id, 1, transaction))
            : candidateIdFor(exam.candidateIdPolicy, clean).id;
        // Only the IDs this one could clash with, not the whole list: launches arrive in bursts.
        const taken = await this.repository.candidateIdsClashingWith(exam.id, base, transaction);
        const candidate = newRosterCandidate(exam.id, new CandidateIdAllocator(taken).claim(base), clean);
        await this.repository.insertMany([candidate], transaction);
        await this.audit.record(by, present([candidateAudit('add', null, candidate)]), transaction);
      });
      this.log.info({ examId: exam.id }, 'learner enrolled on launch');
    } catch (err) {
      if (err instanceof CandidateCapError) {
        return null;
      }
      if (!isUniqueViolation(err)) {
        throw err;
      }
      // A second launch of the same learner won the race; theirs is the candidate.
    }
    return this.repository.findByLmsUser(exam.id, person.userId);
  }

  async noteResourceLink(candidate: Candidate, resourceLinkId: string | null): Promise<void> {
    if (resourceLinkId && candidate.resourceLinkId !== resourceLinkId) {
      await this.repository.update(candidate.id, { resource_link_id: resourceLinkId });
    }
  }

  private async withinCap<T>(exam: Exam, adding: number, work: (transaction: UnitOfWork) => Promise<T>): Promise<T> {
    return this.repository.transaction(async (transaction) => {
      await this.repository.lockExam(exam.id, transaction);
      const active = await this.repository.countActive(exam.id, transaction);
      if (active + adding > exam.maxCandidates) {
        throw new CandidateCapError(exam.maxCandidates, Math.max(0, exam.maxCandidates - active), adding);
      }
      return work(transaction);
    });
  }

  private async updateUnique(id: string, changes: CandidateChanges, candidateId: string, by: AuditBy, audit: AuditChange | null) {
    try {
      await this.repository.transaction(async (transaction) => {
        await this.repository.update(id, changes, transaction);
        await this.audit.record(by, present([audit]), transaction);
      });
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new DuplicateCandidateIdError(candidateId);
      }
      throw err;
    }
  }
}
