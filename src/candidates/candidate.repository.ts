import { Op, QueryTypes, col, fn, literal, type Sequelize, type WhereOptions } from 'sequelize';
import type {
  AttemptState,
  AttemptWay,
  Candidate,
  CandidateSource,
  CandidateStatus,
  EditableField,
  GradeStatus,
  WithdrawnReason,
} from './candidate.js';
import { CandidateRow, defineCandidateModel } from './candidate.model.js';
import { dateOf } from '../db/column-date.js';
import { directSql, type DirectSql } from '../db/direct-sql.js';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';

/** Which candidates of a test: the candidates page's filters (an export takes the same ones). */
export interface CandidateSelection {
  search?: string;
  source?: CandidateSource;
  status?: CandidateStatus;
  /** Exact matches; absent means any. */
  building?: string;
  room?: string;
}

export interface CandidateFilter extends CandidateSelection {
  offset: number;
  limit: number;
}

/** The longest value of each free-text column among selected candidates (0 when none has one). */
export interface LongestValues {
  candidateId: number;
  name: number;
  building: number;
  room: number;
}

/** A candidate as stored; id and timestamps are filled in by the repository. */
/**
 * `demoFor`: the candidate (candidates.id) of another test this one stands in for on a demo test.
 * `permanentUserId`: the permanent user the candidate is, for candidates added from permanent users.
 */
export type NewCandidate = Omit<Candidate, 'attempt' | 'gradeStatus'> & { demoFor?: string | null; permanentUserId?: string | null };

/** Columns a service may change; keys are the row's column names. */
export type CandidateChanges = Partial<Omit<InferRow, 'id' | 'exam_id' | 'created_at'>>;
type InferRow = { [K in keyof CandidateRow as CandidateRow[K] extends (...args: never[]) => unknown ? never : K]: CandidateRow[K] };

/** A candidate row as plain data: a model instance, or a row read without the ORM (its dates then come as text on SQLite). */
export type CandidateColumns = Omit<InferRow, 'handed_off_at' | 'started_at' | 'finished_at'> & {
  handed_off_at: Date | string | null;
  started_at: Date | string | null;
  finished_at: Date | string | null;
};

export function toCandidate(row: CandidateColumns): Candidate {
  return {
    id: row.id,
    examId: row.exam_id,
    candidateId: row.candidate_id,
    source: row.source as CandidateSource,
    lmsUserId: row.lms_user_id,
    name: row.name,
    email: row.email,
    sisId: row.sis_id,
    extraTimeMinutes: row.extra_time_minutes,
    building: row.building,
    room: row.room,
    ssoAuthType: row.sso_auth_type ?? null,
    ssoUserId: row.sso_user_id ?? null,
    status: row.status as CandidateStatus,
    withdrawnReason: row.withdrawn_reason as WithdrawnReason | null,
    editedFields: row.edited_fields ? (row.edited_fields.split(',') as EditableField[]) : [],
    attempt: {
      state: row.attempt_state as AttemptState,
      ref: row.attempt_ref,
      deliveryUrl: row.attempt_delivery_url,
      returnUrl: row.attempt_return_url,
      way: row.attempt_way as AttemptWay | null,
      handedOffAt: dateOf(row.handed_off_at),
      startedAt: dateOf(row.started_at),
      finishedAt: dateOf(row.finished_at),
      score: row.score_given !== null && row.score_maximum !== null ? { given: row.score_given, maximum: row.score_maximum } : null,
    },
    gradeStatus: row.grade_status as GradeStatus | null,
    resourceLinkId: row.resource_link_id,
  };
}

export function rowOf(candidate: NewCandidate) {
  return {
    id: candidate.id,
    exam_id: candidate.examId,
    candidate_id: candidate.candidateId,
    source: candidate.source,
    lms_user_id: candidate.lmsUserId,
    name: candidate.name,
    email: candidate.email,
    sis_id: candidate.sisId,
    extra_time_minutes: candidate.extraTimeMinutes,
    building: candidate.building,
    room: candidate.room,
    sso_auth_type: candidate.ssoAuthType ?? null,
    sso_user_id: candidate.ssoUserId ?? null,
    sso_user_key: candidate.ssoUserId ? ssoUserKey(candidate.ssoUserId) : null,
    status: candidate.status,
    withdrawn_reason: candidate.withdrawnReason,
    edited_fields: candidate.editedFields.join(','),
    attempt_state: 'not_started',
    attempt_ref: null,
    attempt_delivery_url: null,
    attempt_return_url: null,
    attempt_way: null,
    demo_for: candidate.demoFor ?? null,
    permanent_user_id: candidate.permanentUserId ?? null,
    handed_off_at: null,
    started_at: null,
    finished_at: null,
    score_given: null,
    score_maximum: null,
    grade_status: null,
    resource_link_id: candidate.resourceLinkId,
  };
}

/** How an SSO user ID is compared for uniqueness and e-mail matching: NFC, lower case. */
export function ssoUserKey(ssoUserId: string): string {
  return ssoUserId.normalize('NFC').toLowerCase();
}

/** Queries over candidates; nothing else. */
export class CandidateRepository {
  readonly #sql: DirectSql;

  constructor(private readonly sequelize: Sequelize) {
    defineCandidateModel(sequelize);
    this.#sql = directSql(sequelize);
  }

  /** Runs `work` in one unit of work: what it writes through this or another repository commits together, or not at all. */
  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  /**
   * Serialises changes to one test's candidate list until the transaction ends (a row lock on
   * PostgreSQL, the write lock on SQLite), so two additions cannot both take the last place.
   */
  async lockExam(examId: string, unit: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    await this.sequelize.query('UPDATE exams SET next_anonymous_number = next_anonymous_number WHERE id = :examId', {
      replacements: { examId },
      transaction,
    });
  }

  /** The WHERE clause and replacements of a selection of one test's candidates. */
  private selecting(examId: string, selection: CandidateSelection) {
    const where: WhereOptions[] = [{ exam_id: examId }];
    for (const column of ['source', 'status', 'building', 'room'] as const) {
      if (selection[column]) {
        where.push({ [column]: selection[column] });
      }
    }
    if (selection.search) {
      // SQLite's LIKE has no escape character unless told, and is case-insensitive for ASCII only; PostgreSQL needs ILIKE.
      const like = this.sequelize.getDialect() === 'postgres' ? 'ILIKE' : 'LIKE';
      const matches = ['candidate_id', 'name', 'email'].map((column) => `${column} ${like} :pattern ESCAPE '\\'`);
      where.push(literal(`(${matches.join(' OR ')})`));
    }
    return {
      where: { [Op.and]: where },
      replacements: { pattern: `%${(selection.search ?? '').replace(/[\\%_]/g, (c) => `\\${c}`)}%` },
    };
  }

  async page(examId: string, filter: CandidateFilter): Promise<{ candidates: Candidate[]; total: number }> {
    const { rows, count } = await CandidateRow.findAndCountAll({
      ...this.selecting(examId, filter),
      order: [['candidate_id', 'ASC']],
      offset: filter.offset,
      limit: filter.limit,
    });
    return { candidates: rows.map(toCandidate), total: count };
  }

  /** Up to `limit` selected candidates after the candidate ID `after` (keyset paging: each batch is one indexed read). */
  async batchAfter(examId: string, selection: CandidateSelection, after: string | null, limit: number): Promise<Candidate[]> {
    const { where, replacements } = this.selecting(examId, selection);
    const rows = await CandidateRow.findAll({
      where: after === null ? where : { [Op.and]: [where, { candidate_id: { [Op.gt]: after } }] },
      replacements,
      order: [['candidate_id', 'ASC']],
      limit,
    });
    return rows.map(toCandidate);
  }

  async longest(examId: string, selection: CandidateSelection): Promise<LongestValues> {
    const columns = { candidateId: 'candidate_id', name: 'name', building: 'building', room: 'room' } as const;
    const row = await CandidateRow.findOne({
      ...this.selecting(examId, selection),
      attributes: Object.entries(columns).map(([key, column]) => [fn('MAX', fn('LENGTH', col(column))), key]),
      raw: true,
    });
    const found = (row ?? {}) as unknown as Record<keyof LongestValues, number | string | null>;
    const length = (key: keyof LongestValues) => Number(found[key] ?? 0);
    return { candidateId: length('candidateId'), name: length('name'), building: length('building'), room: length('room') };
  }

  async countActive(examId: string, unit?: UnitOfWork): Promise<number> {
    const transaction = transactionOf(unit);
    return CandidateRow.count({ where: { exam_id: examId, status: 'active' }, transaction });
  }

  async counts(examId: string): Promise<Record<CandidateStatus, number>> {
    const [active, withdrawn] = await Promise.all([
      CandidateRow.count({ where: { exam_id: examId, status: 'active' } }),
      CandidateRow.count({ where: { exam_id: examId, status: 'withdrawn' } }),
    ]);
    return { active, withdrawn };
  }

  /** Every candidate on every test of the platform's courses. */
  async countOnPlatform(platformId: string): Promise<number> {
    const [row] = await this.sequelize.query<{ count: number | string }>(
      `SELECT COUNT(*) AS count FROM candidates ca JOIN exams e ON e.id = ca.exam_id JOIN courses c ON c.id = e.course_id
        WHERE c.platform_id = :platformId`,
      { replacements: { platformId }, type: QueryTypes.SELECT },
    );
    return Number(row?.count ?? 0);
  }

  /** The sources the test's candidates have, each once. */
  async sources(examId: string): Promise<CandidateSource[]> {
    const rows = await CandidateRow.findAll({ attributes: ['source'], where: { exam_id: examId }, group: ['source'] });
    return rows.map((row) => row.source as CandidateSource);
  }

  async all(examId: string, unit?: UnitOfWork): Promise<Candidate[]> {
    const transaction = transactionOf(unit);
    const rows = await CandidateRow.findAll({ where: { exam_id: examId }, transaction });
    return rows.map(toCandidate);
  }

  /** Without the ORM (db/direct-sql.ts): every page of a candidate outside the LMS reads their row. */
  async findById(examId: string, id: string): Promise<Candidate | null> {
    const [row] = await this.#sql.rows<CandidateColumns>('SELECT * FROM candidates WHERE exam_id = ? AND id = ?', [examId, id]);
    return row ? toCandidate(row) : null;
  }

  /** By the label graders see (unique within a test). */
  async findByCandidateId(examId: string, candidateId: string, unit?: UnitOfWork): Promise<Candidate | null> {
    const row = await CandidateRow.findOne({ where: { exam_id: examId, candidate_id: candidateId }, transaction: transactionOf(unit) });
    return row ? toCandidate(row) : null;
  }

  async findAnyById(id: string): Promise<Candidate | null> {
    const row = await CandidateRow.findByPk(id);
    return row ? toCandidate(row) : null;
  }

  async findByLmsUser(examId: string, lmsUserId: string): Promise<Candidate | null> {
    const row = await CandidateRow.findOne({ where: { exam_id: examId, lms_user_id: lmsUserId } });
    return row ? toCandidate(row) : null;
  }

  async findDemoFor(examId: string, demoFor: string): Promise<Candidate | null> {
    const row = await CandidateRow.findOne({ where: { exam_id: examId, demo_for: demoFor } });
    return row ? toCandidate(row) : null;
  }

  async findByAttemptRef(ref: string): Promise<Candidate | null> {
    const row = await CandidateRow.findOne({ where: { attempt_ref: ref } });
    return row ? toCandidate(row) : null;
  }

  /** `base` and its numbered variants ("base (2)", …) in use on the test. */
  async candidateIdsClashingWith(examId: string, base: string, unit: UnitOfWork): Promise<string[]> {
    const transaction = transactionOf(unit);
    const rows = await CandidateRow.findAll({
      attributes: ['candidate_id'],
      where: { exam_id: examId, [Op.or]: [{ candidate_id: base }, literal(`candidate_id LIKE :prefix ESCAPE '\\'`)] },
      replacements: { prefix: `${base.replace(/[\\%_]/g, (c) => `\\${c}`)} (%` },
      transaction,
    });
    return rows.map((row) => row.candidate_id);
  }

  /** Every candidate ID of the test, withdrawn ones too (a batch must clash with none). */
  async candidateIdsOf(examId: string, unit: UnitOfWork): Promise<Set<string>> {
    const rows = await CandidateRow.findAll({
      attributes: ['candidate_id'],
      where: { exam_id: examId },
      transaction: transactionOf(unit),
      raw: true,
    });
    return new Set(rows.map((row) => row.candidate_id));
  }

  async isCandidateIdTaken(examId: string, candidateId: string, exceptId?: string, unit?: UnitOfWork): Promise<boolean> {
    const transaction = transactionOf(unit);
    const where = exceptId
      ? { exam_id: examId, candidate_id: candidateId, id: { [Op.ne]: exceptId } }
      : { exam_id: examId, candidate_id: candidateId };
    return (await CandidateRow.count({ where, transaction })) > 0;
  }

  async insertMany(candidates: NewCandidate[], unit: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    const now = new Date();
    const queries = this.sequelize.getQueryInterface();
    // Plain multi-row INSERTs: a model instance per row cost more than the insert itself (1500
    // one-time users must take well under a second). Chunks keep each statement under SQLite's
    // bound-parameter limit.
    for (let i = 0; i < candidates.length; i += 500) {
      const rows = candidates.slice(i, i + 500).map((candidate) => ({ ...rowOf(candidate), created_at: now, updated_at: now }));
      await queries.bulkInsert(CandidateRow.getTableName(), rows, { transaction });
    }
  }

  async update(id: string, changes: CandidateChanges, unit?: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    await CandidateRow.update(changes, { where: { id }, transaction });
  }

  /** Compare-and-set on the attempt state, so a double click starts or finishes an attempt once. */
  async moveAttempt(id: string, from: AttemptState[], changes: CandidateChanges, unit?: UnitOfWork): Promise<boolean> {
    const [changed] = await CandidateRow.update(changes, {
      where: { id, attempt_state: { [Op.in]: from } },
      transaction: transactionOf(unit),
    });
    return changed > 0;
  }
}
