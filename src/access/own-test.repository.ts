import type { Sequelize } from 'sequelize';
import type { Candidate } from '../candidates/candidate.js';
import { toCandidate, type CandidateColumns } from '../candidates/candidate.repository.js';
import { directSql, type DirectSql } from '../db/direct-sql.js';
import type { Exam } from '../exams/exam.js';
import { ExamRow } from '../exams/exam.model.js';
import { toExam, type ExamColumns } from '../exams/exam.repository.js';

/** A test, the platform of its course, and one of its candidates (null when the test has no such candidate). */
export interface OwnTestRow {
  exam: Exam;
  platformId: string;
  candidate: Candidate | null;
}

const EXAM_PREFIX = 'e_';

/**
 * The test and candidate a candidate session stands for, in one statement without the ORM
 * (db/direct-sql.ts): every page of a candidate outside the LMS reads them, 1500 times within a
 * minute or two on an exam morning, and one round trip for the three rows costs about half of two.
 */
export class OwnTestRepository {
  readonly #sql: DirectSql;
  #text: string | null = null;

  constructor(sequelize: Sequelize) {
    this.#sql = directSql(sequelize);
  }

  async find(examId: string, candidateId: string): Promise<OwnTestRow | null> {
    const [row] = await this.#sql.rows<CandidateColumns & { c_platform_id: string } & Record<string, unknown>>(this.#statement(), [
      candidateId,
      examId,
    ]);
    if (!row) {
      return null;
    }
    const exam: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(row)) {
      if (column.startsWith(EXAM_PREFIX)) {
        exam[column.slice(EXAM_PREFIX.length)] = value;
      }
    }
    return {
      exam: toExam(exam as ExamColumns),
      platformId: row.c_platform_id,
      candidate: row.id === null ? null : toCandidate(row),
    };
  }

  /** The candidate's columns as they are, the test's under a prefix (both tables have an id, a created_at …). */
  #statement(): string {
    this.#text ??= `SELECT k.*, ${Object.keys(ExamRow.getAttributes())
      .map((column) => `e.${column} AS ${EXAM_PREFIX}${column}`)
      .join(', ')}, c.platform_id AS c_platform_id
      FROM exams e JOIN courses c ON c.id = e.course_id LEFT JOIN candidates k ON k.exam_id = e.id AND k.id = ?
      WHERE e.id = ?`;
    return this.#text;
  }
}
