import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { dateOf } from '../db/column-date.js';
import { directSql, type DirectSql } from '../db/direct-sql.js';
import { readAlone, type SideRead } from '../db/side-read.js';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';
import type { ExamStatus } from '../exams/exam.js';
import type { FoundWayIn } from './way-in-expiry.js';
import { defineWayInModel, WayInRow } from './way-in.model.js';
import type { WayInKind } from './way-in-secret.js';
import { CANDIDATE_COLUMNS, listed, WAY_COLUMNS, type CandidateListRow, type CandidateWaysInRow, type WayOfRow } from './way-in-list.js';

export type { CandidateWaysInRow } from './way-in-list.js';

export interface NewWayIn {
  id: string;
  examId: string;
  candidateId: string;
  kind: WayInKind;
  lookupHash: string;
  sealedValue: string;
  createdAt: Date;
  /** The end of its lifetime (system settings), null for none. */
  expiresAt: Date | null;
}

interface FoundRow {
  kind: string;
  revoked_at: Date | string | null;
  expires_at: Date | string | null;
  exam_id: string;
  candidate_id: string;
  candidate_status: string;
  extra_time_minutes: number;
  title: string;
  exam_status: string;
  closes_at: Date | string | null;
  access_expires_at: Date | string | null;
  time_zone: string;
  platform_id: string;
}

/** Queries over ways_in, read together with the candidate and test each belongs to; nothing else. */
export class WayInRepository {
  readonly #sql: DirectSql;

  constructor(private readonly sequelize: Sequelize) {
    defineWayInModel(sequelize);
    this.#sql = directSql(sequelize);
  }

  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  /**
   * Serialises issuing for one test until the transaction ends: the same row lock (PostgreSQL;
   * the write lock on SQLite) the candidate list takes, so issuing also waits for additions.
   */
  async lockExam(examId: string, unit: UnitOfWork): Promise<void> {
    await this.sequelize.query('UPDATE exams SET next_anonymous_number = next_anonymous_number WHERE id = :examId', {
      replacements: { examId },
      transaction: transactionOf(unit),
    });
  }

  /**
   * Active candidates that never had a way in of a kind: each with the kinds they lack. One who
   * had theirs revoked is not among them; staff decide whether they get a new one.
   */
  async lacking(examId: string, unit?: UnitOfWork): Promise<Array<{ candidateId: string; kinds: WayInKind[] }>> {
    const transaction = transactionOf(unit);
    const active = await this.activeCandidates(examId, unit);
    const had = await this.sequelize.query<{ candidate_id: string; kind: string }>(
      'SELECT DISTINCT candidate_id, kind FROM ways_in WHERE exam_id = :examId',
      { replacements: { examId }, type: QueryTypes.SELECT, transaction },
    );
    const seen = new Set(had.map((row) => `${row.kind} ${row.candidate_id}`));
    const kinds: WayInKind[] = ['link', 'code'];
    return active
      .map((candidateId) => ({ candidateId, kinds: kinds.filter((kind) => !seen.has(`${kind} ${candidateId}`)) }))
      .filter((entry) => entry.kinds.length > 0);
  }

  /** The active candidates of a test (reissuing for all gives each a new link and code). */
  async activeCandidates(examId: string, unit?: UnitOfWork): Promise<string[]> {
    const rows = await this.sequelize.query<{ id: string }>("SELECT id FROM candidates WHERE exam_id = :examId AND status = 'active'", {
      replacements: { examId },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    return rows.map((row) => row.id);
  }

  /** The candidate (candidates.id) of this test, with their label; null when the test has none such. */
  async candidateOf(examId: string, id: string): Promise<{ id: string; candidateId: string; status: string } | null> {
    const [row] = await this.#sql.rows<{ id: string; candidate_id: string; status: string }>(
      'SELECT id, candidate_id, status FROM candidates WHERE exam_id = ? AND id = ?',
      [examId, id],
    );
    return row ? { id: row.id, candidateId: row.candidate_id, status: row.status } : null;
  }

  async insertMany(rows: NewWayIn[], unit: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    // Chunks keep each statement under SQLite's bound-parameter limit (8 columns × 500 rows).
    for (let i = 0; i < rows.length; i += 500) {
      await WayInRow.bulkCreate(
        rows.slice(i, i + 500).map((row) => ({
          id: row.id,
          exam_id: row.examId,
          candidate_id: row.candidateId,
          kind: row.kind,
          lookup_hash: row.lookupHash,
          sealed_value: row.sealedValue,
          created_at: row.createdAt,
          revoked_at: null,
          expires_at: row.expiresAt,
        })),
        { transaction },
      );
    }
  }

  /** Withdraws the live ways in of a test, or of one candidate of it (of one kind, if named); returns how many. */
  async revokeLive(examId: string, candidateId: string | null, at: Date, unit: UnitOfWork, kind?: WayInKind): Promise<number> {
    const [count] = await WayInRow.update(
      { revoked_at: at },
      {
        where: {
          exam_id: examId,
          revoked_at: { [Op.is]: null },
          ...(candidateId ? { candidate_id: candidateId } : {}),
          ...(kind ? { kind } : {}),
        },
        transaction: transactionOf(unit),
      },
    );
    return count;
  }

  /** The way in a lookup hash names, with its candidate and test, in one statement. */
  async findByHash(kind: WayInKind, hash: string): Promise<FoundWayIn | null> {
    return readAlone(this.#sql, this.lookupRead(kind, hash));
  }

  /**
   * `findByHash` as a read to send along (db/side-read.ts): every sign-in by link or code reads
   * one, so it goes with the throttle's statement. Its dates come as Dates, text (SQLite) or
   * JSON's ISO text, and dateOf takes each.
   */
  lookupRead(kind: WayInKind, hash: string): SideRead<FoundWayIn | null> {
    return {
      statement: {
        text: `SELECT w.kind, w.revoked_at, w.expires_at, w.exam_id, w.candidate_id, c.status AS candidate_status, c.extra_time_minutes,
                      e.title, e.status AS exam_status, e.closes_at, e.access_expires_at, e.time_zone, co.platform_id
               FROM ways_in w
               JOIN candidates c ON c.id = w.candidate_id
               JOIN exams e ON e.id = w.exam_id
               JOIN courses co ON co.id = e.course_id
               WHERE w.lookup_hash = ? AND w.kind = ?`,
        params: [hash, kind],
      },
      read: (rows) => {
        const row = rows[0] as FoundRow | undefined;
        return row ? foundOf(row) : null;
      },
    };
  }

  /** One page of a test's candidates (by candidate ID) with their ways in; and how many there are. */
  async page(examId: string, offset: number, limit: number): Promise<{ rows: CandidateWaysInRow[]; total: number }> {
    const candidates = await this.#sql.rows<CandidateListRow>(`${CANDIDATE_COLUMNS} ORDER BY candidate_id LIMIT ? OFFSET ?`, [
      examId,
      limit,
      offset,
    ]);
    const ids = candidates.map((c) => c.id);
    const ways =
      ids.length === 0
        ? []
        : await this.#sql.rows<WayOfRow>(`${WAY_COLUMNS} AND candidate_id IN (${ids.map(() => '?').join(', ')})`, [examId, ...ids]);
    const [counted] = await this.#sql.rows<{ n: number | string }>('SELECT COUNT(*) AS n FROM candidates WHERE exam_id = ?', [examId]);
    return { rows: listed(candidates, ways), total: Number(counted?.n ?? 0) };
  }

  /** Every candidate of a test with their ways in (exports). */
  async all(examId: string): Promise<CandidateWaysInRow[]> {
    const candidates = await this.#sql.rows<CandidateListRow>(`${CANDIDATE_COLUMNS} ORDER BY candidate_id`, [examId]);
    return listed(candidates, await this.#sql.rows<WayOfRow>(WAY_COLUMNS, [examId]));
  }

  /** The live ways in (sealed) of the listed candidates of a test: a batch of an export, at most 500 at a time. */
  async liveOf(examId: string, ids: string[]): Promise<Array<{ candidateId: string; kind: WayInKind; sealedValue: string }>> {
    if (ids.length === 0) {
      return [];
    }
    const rows = await this.#sql.rows<WayOfRow>(
      `${WAY_COLUMNS} AND revoked_at IS NULL AND candidate_id IN (${ids.map(() => '?').join(', ')})`,
      [examId, ...ids],
    );
    return rows.map((row) => ({ candidateId: row.candidate_id, kind: row.kind as WayInKind, sealedValue: row.sealed_value }));
  }

  /** Every live way in's sealed value (start-up re-seals those a SECRET_KEY rotation left under the previous key). */
  async liveSealed(): Promise<Array<{ id: string; sealedValue: string }>> {
    const rows = await this.#sql.rows<{ id: string; sealed_value: string }>(
      'SELECT id, sealed_value FROM ways_in WHERE revoked_at IS NULL',
    );
    return rows.map((row) => ({ id: row.id, sealedValue: row.sealed_value }));
  }

  /** Replaces a sealed value if it is still the one read: of two processes starting at once, one writes. */
  async replaceSealed(id: string, before: string, after: string): Promise<void> {
    await this.#sql.run('UPDATE ways_in SET sealed_value = ? WHERE id = ? AND sealed_value = ?', [after, id, before]);
  }

  /** Live ways in of a test, per kind. */
  async liveCounts(examId: string): Promise<Record<WayInKind, number>> {
    const rows = await this.#sql.rows<{ kind: string; n: number | string }>(
      'SELECT kind, COUNT(*) AS n FROM ways_in WHERE exam_id = ? AND revoked_at IS NULL GROUP BY kind',
      [examId],
    );
    const count = (kind: WayInKind) => Number(rows.find((row) => row.kind === kind)?.n ?? 0);
    return { link: count('link'), code: count('code') };
  }
}

/** A found row as what deciding on it needs. */
function foundOf(row: FoundRow): FoundWayIn {
  return {
    kind: row.kind as WayInKind,
    revokedAt: dateOf(row.revoked_at),
    platformId: row.platform_id,
    examId: row.exam_id,
    candidateId: row.candidate_id,
    candidateStatus: row.candidate_status,
    extraTimeMinutes: Number(row.extra_time_minutes),
    lifetimeEndsAt: dateOf(row.expires_at),
    exam: {
      title: row.title,
      status: row.exam_status as ExamStatus,
      closesAt: dateOf(row.closes_at),
      accessExpiresAt: dateOf(row.access_expires_at),
      timeZone: row.time_zone,
    },
  };
}
