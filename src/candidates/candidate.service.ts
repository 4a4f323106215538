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
import {
  CandidateBatchError,
  CandidateCapError,
  CandidateNotFoundError,
  DuplicateCandidateIdError,
  InvalidCandidateError,
  LeftOutChoiceError,
} from './candidate.errors.js';
import type { LeftOutRepository } from './left-out.repository.js';
import { parseCandidateInput, type CandidateInput } from './candidate-input.js';
import { batchCandidate, nextSeries, type BatchRow } from './candidate-batch.js';
import type { CandidateChanges, CandidateRepository, CandidateSelection, LongestValues, NewCandidate } from './candidate.repository.js';
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
    private readonly leftOutList: LeftOutRepository,
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

  /**
   * Every selected candidate of the test, by candidate ID, a batch at a time: an export of a
   * whole test writes each batch out before the next is read.
   */
  async *batches(exam: Exam, selection: CandidateSelection, size = 500): AsyncGenerator<Candidate[]> {
    const cleaned = { ...selection, search: selection.search?.trim() || undefined };
    for (let after: string | null = null; ;) {
      const batch = await this.repository.batchAfter(exam.id, cleaned, after, size);
      if (batch.length > 0) {
        yield batch;
      }
      if (batch.length < size) {
        return;
      }
      after = batch[batch.length - 1]!.candidateId;
    }
  }

  /** The longest candidate ID, name, building and room among the selected candidates (a spreadsheet sizes its columns by them). */
  longest(exam: Exam, selection: CandidateSelection): Promise<LongestValues> {
    return this.repository.longest(exam.id, { ...selection, search: selection.search?.trim() || undefined });
  }

  /** How many candidates the test has, active and withdrawn (a confirmation says what would be lost). */
  counts(exam: Exam): Promise<Record<CandidateStatus, number>> {
    return this.repository.counts(exam.id);
  }

  /** Candidates on all tests of a platform's courses (the admin pages weigh a move or a removal by it). */
  countOnPlatform(platformId: string): Promise<number> {
    return this.repository.countOnPlatform(platformId);
  }

  /** Every candidate of the test, in no particular order (print-outs sort them their own way). */
  all(exam: Exam): Promise<Candidate[]> {
    return this.repository.all(exam.id);
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

  /**
   * Adds a batch of candidates of one source, all or nothing: under the test's lock and within
   * its cap, so two batches at once never clash or pass it. Rows without a candidate ID get the
   * next of the generated series; `alongside` writes what belongs with them (their credentials)
   * in the same transaction. Returns the candidates added, in the order of `rows`.
   */
  async addBatch(
    exam: Exam,
    rows: BatchRow[],
    source: CandidateSource,
    by: AuditBy,
    alongside: (added: NewCandidate[], unit: UnitOfWork) => Promise<void>,
  ): Promise<NewCandidate[]> {
    return this.repository.transaction((unit) => this.addBatchIn(exam, rows, source, by, alongside, unit));
  }

  /** addBatch inside a unit of work someone else opened (an import's commit): takes the test's lock in it. */
  async addBatchIn(
    exam: Exam,
    rows: BatchRow[],
    source: CandidateSource,
    by: AuditBy,
    alongside: (added: NewCandidate[], unit: UnitOfWork) => Promise<void>,
    unit: UnitOfWork,
  ): Promise<NewCandidate[]> {
    return this.capped(exam, rows.length, unit, async (transaction) => {
      const taken = await this.repository.candidateIdsOf(exam.id, transaction);
      const problems = rows
        .filter((row) => row.candidateId !== null && taken.has(row.candidateId))
        .map((row) => ({
          field: row.line ? 'file' : 'candidateId',
          message: `${row.line ? `Line ${row.line}: c` : 'C'}andidate ID "${row.candidateId!.slice(0, 80)}" is already used on this test.`,
        }));
      if (problems.length > 0) {
        throw new CandidateBatchError(problems);
      }
      const generated = nextSeries(taken, rows.filter((row) => row.candidateId === null).length);
      const added = rows.map((row) =>
        batchCandidate(exam.id, row.candidateId ?? generated.shift()!, row.extraTimeMinutes, source, row.permanentUserId),
      );
      await this.repository.insertMany(added, transaction);
      await alongside(added, transaction);
      await this.audit.record(by, present(added.map((candidate) => candidateAudit('add', null, candidate))), transaction);
      return added;
    });
  }

  /** A unit of work for writes that belong with a candidate (their credentials), on the candidates' database. */
  inTransaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return this.repository.transaction(work);
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
        const candidate = await this.rosterCandidate(exam, clean, transaction);
        await this.repository.insertMany([candidate], transaction);
        // Taken on launch, so no longer waiting for a seat.
        await this.leftOutList.remove(exam.id, clean.userId, transaction);
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

  /**
   * The candidate a candidate of another test is on a demo test (seed 000: one-time users may
   * try the platform's demo tests), added on first use with their candidate ID and extra time.
   * Null when the demo test is full. Safe against two first uses at once.
   */
  /** The candidate standing in for `own` on a demo test, if they have opened it before. */
  findDemoFor(demo: Exam, own: Candidate): Promise<Candidate | null> {
    return this.repository.findDemoFor(demo.id, own.id);
  }

  async demoCandidateFor(demo: Exam, own: Candidate, by: AuditBy): Promise<Candidate | null> {
    const existing = await this.repository.findDemoFor(demo.id, own.id);
    if (existing) {
      return existing;
    }
    try {
      await this.withinCap(demo, 1, async (transaction) => {
        const taken = await this.repository.candidateIdsClashingWith(demo.id, own.candidateId, transaction);
        const candidate: NewCandidate = {
          ...newRosterCandidate(demo.id, new CandidateIdAllocator(taken).claim(own.candidateId), {
            userId: '',
            name: null,
            email: null,
            sisId: null,
          }),
          source: own.source,
          lmsUserId: null,
          extraTimeMinutes: own.extraTimeMinutes,
          demoFor: own.id,
        };
        await this.repository.insertMany([candidate], transaction);
        await this.audit.record(by, present([candidateAudit('add', null, candidate)]), transaction);
      });
    } catch (err) {
      if (err instanceof CandidateCapError) {
        return null;
      }
      if (!isUniqueViolation(err)) {
        throw err;
      }
    }
    return this.repository.findDemoFor(demo.id, own.id);
  }

  /** The course members the last sync left out because the test is full, in the order free seats take them. */
  leftOut(exam: Exam): Promise<LmsPerson[]> {
    return this.leftOutList.list(exam.id);
  }

  /**
   * Adds a member the roster sync left out, chosen by the instructor. With `inPlaceOf` (a
   * candidate ID, as the list shows it), that active candidate is withdrawn by hand in the same transaction (so a sync never brings them
   * back on its own, and the cap holds); without it, the test needs a free seat.
   */
  async addLeftOut(exam: Exam, userId: string, inPlaceOf: string | null, by: AuditBy): Promise<Candidate> {
    const id = await this.repository.transaction(async (transaction) => {
      await this.repository.lockExam(exam.id, transaction);
      const person = await this.leftOutList.find(exam.id, userId, transaction);
      if (!person) {
        throw new LeftOutChoiceError(
          'This member is no longer on the list of those left out: a roster sync or a colleague may have added them, or they left the course. Nothing was changed.',
        );
      }
      const changes = [];
      if (inPlaceOf) {
        const replaced = await this.repository.findByCandidateId(exam.id, inPlaceOf, transaction);
        if (!replaced || replaced.status !== 'active') {
          throw new LeftOutChoiceError(
            `"${inPlaceOf.slice(0, 80)}" is not the candidate ID of an active candidate of this test; copy it from the list below. Nothing was changed.`,
          );
        }
        const edited = [...new Set([...replaced.editedFields, 'status'])].join(',');
        await this.repository.update(replaced.id, { status: 'withdrawn', withdrawn_reason: 'manual', edited_fields: edited }, transaction);
        changes.push(candidateAudit('withdraw', replaced, { ...replaced, status: 'withdrawn', withdrawnReason: 'manual' }));
      }
      const active = await this.repository.countActive(exam.id, transaction);
      if (active + 1 > exam.maxCandidates) {
        throw new LeftOutChoiceError(
          `The test is full (${exam.maxCandidates} candidates). Give the candidate ID of the one to withdraw in this member's place. Nothing was changed.`,
        );
      }
      const candidate = await this.rosterCandidate(exam, person, transaction);
      await this.repository.insertMany([candidate], transaction);
      await this.leftOutList.remove(exam.id, userId, transaction);
      changes.push(candidateAudit('add', null, candidate));
      await this.audit.record(by, present(changes), transaction);
      return candidate.id;
    });
    this.log.info({ examId: exam.id, replaced: inPlaceOf !== null }, 'left-out member added by the instructor');
    return this.get(exam, id);
  }

  async noteResourceLink(candidate: Candidate, resourceLinkId: string | null): Promise<void> {
    if (resourceLinkId && candidate.resourceLinkId !== resourceLinkId) {
      await this.repository.update(candidate.id, { resource_link_id: resourceLinkId });
    }
  }

  /** A roster candidate for `person` with the test's ID policy; call under the test's lock. */
  private async rosterCandidate(exam: Exam, person: LmsPerson, transaction: UnitOfWork): Promise<NewCandidate> {
    const base =
      exam.candidateIdPolicy === 'anonymous'
        ? anonymousId(await this.exams.reserveAnonymousNumbers(exam.id, 1, transaction))
        : candidateIdFor(exam.candidateIdPolicy, person).id;
    // Only the IDs this one could clash with, not the whole list: launches arrive in bursts.
    const taken = await this.repository.candidateIdsClashingWith(exam.id, base, transaction);
    return newRosterCandidate(exam.id, new CandidateIdAllocator(taken).claim(base), person);
  }

  private async withinCap<T>(exam: Exam, adding: number, work: (transaction: UnitOfWork) => Promise<T>): Promise<T> {
    return this.repository.transaction((transaction) => this.capped(exam, adding, transaction, work));
  }

  private async capped<T>(exam: Exam, adding: number, transaction: UnitOfWork, work: (transaction: UnitOfWork) => Promise<T>): Promise<T> {
    await this.repository.lockExam(exam.id, transaction);
    const active = await this.repository.countActive(exam.id, transaction);
    if (active + adding > exam.maxCandidates) {
      throw new CandidateCapError(exam.maxCandidates, Math.max(0, exam.maxCandidates - active), adding);
    }
    return work(transaction);
  }

  /** Takes the test's lock inside `unit` (an import's commit re-reads what it planned under it). */
  lockIn(exam: Exam, unit: UnitOfWork): Promise<void> {
    return this.repository.lockExam(exam.id, unit);
  }

  /** Every candidate of the test, read inside `unit` when given (an import's plan, under the lock). */
  allIn(exam: Exam, unit?: UnitOfWork): Promise<Candidate[]> {
    return this.repository.all(exam.id, unit);
  }

  /** Sets a candidate's extra time inside `unit` (an import's update), marked as edited so a roster sync keeps it. */
  async setExtraTimeIn(candidate: Candidate, minutes: number, by: AuditBy, unit: UnitOfWork): Promise<void> {
    const edited = [...new Set([...candidate.editedFields, 'extraTimeMinutes'])].join(',');
    await this.repository.update(candidate.id, { extra_time_minutes: minutes, edited_fields: edited }, unit);
    const after = { ...candidate, extraTimeMinutes: minutes };
    await this.audit.record(by, present([candidateAudit('edit', candidate, after)]), unit);
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
