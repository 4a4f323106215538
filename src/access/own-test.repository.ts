import type { Sequelize } from 'sequelize';
import type { Candidate } from '../candidates/candidate.js';
import { toCandidate, type CandidateColumns } from '../candidates/candidate.repository.js';
import { directSql, type DirectSql } from '../db/direct-sql.js';
import type { Exam } from '../exams/exam.js';
import { ExamRow } from '../exams/exam.model.js';
import { ACTIVE_DEMO_EXAMS, toExam, type ExamColumns } from '../exams/exam.repository.js';
import {
  LIVE_SESSION_CONDITION,
  SESSION_COLUMNS,
  toSessionRecord,
  type SessionColumns,
  type SessionRecord,
} from '../sessions/session.repository.js';

/** A test, the platform of its course, and one of its candidates (null when the test has no such candidate). */
export interface OwnTestRow {
  exam: Exam;
  platformId: string;
  candidate: Candidate | null;
  /** The platform's active demo tests, oldest first, when they were read in the same statement (`findWithDemoTests`). */
  demoTests?: Exam[];
}

/** A live session row and the test and candidate it names (null when its candidate or their test is gone). */
export interface SessionWithOwnTest {
  record: SessionRecord;
  own: OwnTestRow | null;
}

const EXAM_PREFIX = 'e_';
const SESSION_PREFIX = 's_';

type Row = CandidateColumns & { c_platform_id: string } & Record<string, unknown>;

/**
 * The columns named in `columns`, read from under `prefix`: every candidate page maps its row
 * (some 60 columns), so the names are known up front rather than searched for in each row.
 */
function prefixed(row: Record<string, unknown>, prefix: string, columns: readonly string[]): Record<string, unknown> {
  const picked: Record<string, unknown> = {};
  for (const column of columns) {
    picked[column] = row[`${prefix}${column}`];
  }
  return picked;
}

/**
 * The test and candidate a candidate session stands for, in one statement without the ORM
 * (db/direct-sql.ts): every page of a candidate outside the LMS reads them, 1500 times within a
 * minute or two on an exam morning, and one round trip for the three rows costs about half of two.
 * A page whose session must come from the database reads the session row in the same statement.
 */
export class OwnTestRepository {
  readonly #sql: DirectSql;
  #byIds: string | null = null;
  #withDemoTests: string | null = null;
  #bySession: string | null = null;

  constructor(sequelize: Sequelize) {
    this.#sql = directSql(sequelize);
  }

  async find(examId: string, candidateId: string): Promise<OwnTestRow | null> {
    this.#byIds ??= `SELECT k.*, ${examColumns()}, c.platform_id AS c_platform_id
      FROM exams e JOIN courses c ON c.id = e.course_id LEFT JOIN candidates k ON k.exam_id = e.id AND k.id = ?
      WHERE e.id = ?`;
    const [row] = await this.#sql.rows<Row>(this.#byIds, [candidateId, examId]);
    return row ? toOwnTest(row) : null;
  }

  /**
   * `find`, and the active demo tests of `platformId` in the same statement: the first page after
   * a sign-in (the dashboard, which lists them) then costs one round trip, not two.
   */
  async findWithDemoTests(examId: string, candidateId: string, platformId: string): Promise<OwnTestRow | null> {
    // The candidate's join finds nobody on a demo row (the id is the own candidate's), as the own row's shape needs.
    const select = () => `SELECT k.*, ${examColumns()}, c.platform_id AS c_platform_id
      FROM exams e JOIN courses c ON c.id = e.course_id LEFT JOIN candidates k ON k.exam_id = e.id AND k.id = ?`;
    this.#withDemoTests ??= `${select()} WHERE e.id = ?
      UNION ALL ${select()} WHERE ${ACTIVE_DEMO_EXAMS.condition} AND e.id <> ?
      ORDER BY ${EXAM_PREFIX}created_at ASC, ${EXAM_PREFIX}id ASC`;
    const rows = await this.#sql.rows<Row>(this.#withDemoTests, [
      candidateId,
      examId,
      candidateId,
      ...ACTIVE_DEMO_EXAMS.params(platformId),
      examId,
    ]);
    const own = rows.find((row) => row.e_id === examId);
    if (!own) {
      return null;
    }
    return { ...toOwnTest(own), demoTests: rows.filter((row) => row !== own).map((row) => toOwnTest(row).exam) };
  }

  /**
   * The live session whose token hashes to `idHash` (as SessionRepository#findLive finds it),
   * with its candidate and that candidate's test: one round trip instead of two. Which test and
   * candidate the session may reach is the caller's to check (the principal in the payload).
   */
  async findWithSession(idHash: string, now = new Date()): Promise<SessionWithOwnTest | null> {
    this.#bySession ??= `SELECT ${SESSION_COLUMNS.map((column) => `sessions.${column} AS ${SESSION_PREFIX}${column}`).join(', ')},
      k.*, ${examColumns()}, c.platform_id AS c_platform_id
      FROM sessions LEFT JOIN candidates k ON k.id = sessions.candidate_id
      LEFT JOIN exams e ON e.id = k.exam_id LEFT JOIN courses c ON c.id = e.course_id
      WHERE sessions.id_hash = ? AND ${LIVE_SESSION_CONDITION}`;
    const [row] = await this.#sql.rows<Row>(this.#bySession, [idHash, now]);
    if (!row) {
      return null;
    }
    const record = toSessionRecord(prefixed(row, SESSION_PREFIX, SESSION_COLUMNS) as SessionColumns);
    // No test when the candidate is gone, or their test or its course (the joins found nothing).
    return { record, own: row.e_id === null || row.c_platform_id === null ? null : toOwnTest(row) };
  }
}

let examFieldNames: readonly string[] | null = null;

/** The test's columns (the model is defined by the time the first statement is made). */
function examFields(): readonly string[] {
  examFieldNames ??= Object.keys(ExamRow.getAttributes());
  return examFieldNames;
}

/** The test's columns under a prefix (both tables have an id, a created_at …; the candidate's come as they are). */
function examColumns(): string {
  return examFields()
    .map((column) => `e.${column} AS ${EXAM_PREFIX}${column}`)
    .join(', ');
}

function toOwnTest(row: Row): OwnTestRow {
  return {
    exam: toExam(prefixed(row, EXAM_PREFIX, examFields()) as ExamColumns),
    platformId: row.c_platform_id,
    candidate: row.id === null ? null : toCandidate(row),
  };
}
