import { Op, QueryTypes, type Sequelize } from 'sequelize';
import { directSql, type DirectSql } from '../db/direct-sql.js';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';
import type { ExamStatus } from '../exams/exam.js';
import type { FoundWayIn } from './way-in-expiry.js';
import { defineWayInModel, WayInRow } from './way-in.model.js';
import type { WayInKind } from './way-in-secret.js';

export interface NewWayIn {
  id: string;
  examId: string;
  candidateId: string;
  kind: WayInKind;
  lookupHash: string;
  sealedValue: string;
  createdAt: Date;
}

/** A candidate of a test with their live link and code (sealed), as the staff page lists them. */
export interface CandidateWaysInRow {
  id: string;
  candidateId: string;
  name: string | null;
  status: string;
  extraTimeMinutes: number;
  linkSealed: string | null;
  codeSealed: string | null;
  /** Ways in of this candidate that were withdrawn (an old link or code says so when used). */
  revoked: number;
}

interface FoundRow {
  kind: string;
  revoked_at: Date | string | null;
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

interface CandidateListRow {
  id: string;
  candidate_id: string;
  name: string | null;
  status: string;
  extra_time_minutes: number;
}

interface WayOfRow {
  candidate_id: string;
  kind: string;
  sealed_value: string;
  revoked_at: Date | string | null;
}

/** Raw SELECTs hand SQLite's dates back as text; Sequelize's models would have parsed them. */
function instant(value: Date | string | null): Date | null {
  return value === null ? null : value instanceof Date ? value : new Date(value);
}

/** Candidates with their ways in, put together here: two indexed reads plan well whatever the tables' statistics say. */
function listed(candidates: CandidateListRow[], ways: WayOfRow[]): CandidateWaysInRow[] {
  const byCandidate = new Map<string, WayOfRow[]>();
  for (const way of ways) {
    byCandidate.set(way.candidate_id, [...(byCandidate.get(way.candidate_id) ?? []), way]);
  }
  return candidates.map((c) => {
    const own = byCandidate.get(c.id) ?? [];
    const live = (kind: WayInKind) => own.find((w) => w.kind === kind && w.revoked_at === null)?.sealed_value ?? null;
    return {
      id: c.id,
      candidateId: c.candidate_id,
      name: c.name,
      status: c.status,
      extraTimeMinutes: Number(c.extra_time_minutes),
      linkSealed: live('link'),
      codeSealed: live('code'),
      revoked: own.filter((w) => w.revoked_at !== null).length,
    };
  });
}

const CANDIDATE_COLUMNS = 'SELECT id, candidate_id, name, status, extra_time_minutes FROM candidates WHERE exam_id = ?';
const WAY_COLUMNS = 'SELECT candidate_id, kind, sealed_value, revoked_at FROM ways_in WHERE exam_id = ?';

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

  /** The way in a lookup hash names, with its candidate and test, in one statement (every sign-in reads it). */
  async findByHash(kind: WayInKind, hash: string): Promise<FoundWayIn | null> {
    const [row] = await this.#sql.rows<FoundRow>(
      `SELECT w.kind, w.revoked_at, w.exam_id, w.candidate_id, c.status AS candidate_status, c.extra_time_minutes,
              e.title, e.status AS exam_status, e.closes_at, e.access_expires_at, e.time_zone, co.platform_id
       FROM ways_in w
       JOIN candidates c ON c.id = w.candidate_id
       JOIN exams e ON e.id = w.exam_id
       JOIN courses co ON co.id = e.course_id
       WHERE w.lookup_hash = ? AND w.kind = ?`,
      [hash, kind],
    );
    if (!row) {
      return null;
    }
    return {
      kind: row.kind as WayInKind,
      revokedAt: instant(row.revoked_at),
      platformId: row.platform_id,
      examId: row.exam_id,
      candidateId: row.candidate_id,
      candidateStatus: row.candidate_status,
      extraTimeMinutes: Number(row.extra_time_minutes),
      exam: {
        title: row.title,
        status: row.exam_status as ExamStatus,
        closesAt: instant(row.closes_at),
        accessExpiresAt: instant(row.access_expires_at),
        timeZone: row.time_zone,
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
