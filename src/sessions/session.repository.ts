import type { Sequelize } from 'sequelize';
import { directSql, type DirectSql, type SqlValue } from '../db/direct-sql.js';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';
import type { WriteBatch } from '../db/write-batch.js';

export interface SessionRecord {
  platformId: string;
  userSub: string;
  kind: 'launch' | 'candidate';
  /** The candidate of a candidate session (candidates.id); null for a launch. */
  candidateId: string | null;
  /** How a candidate session came in (one-time, direct-link, entry-code); null for a launch. */
  way: string | null;
  /** JSON: the launch of a launch session, the principal of a candidate session (column `launch`). */
  payload: string;
  expiresAt: Date;
}

/** The columns of a session row that make its record (a statement joining sessions reads them too). */
export const SESSION_COLUMNS = ['platform_id', 'user_sub', 'kind', 'candidate_id', 'way', 'launch', 'expires_at'] as const;

export type SessionColumns = {
  platform_id: string;
  user_sub: string;
  kind: string;
  candidate_id: string | null;
  way: string | null;
  launch: string;
  expires_at: string | Date;
};

/** What makes a session row live, with its one parameter (now); unqualified, so the table must not be aliased. */
export const LIVE_SESSION_CONDITION = 'sessions.expires_at > ?';

/** findLive's statement, built once (every page of a launch or a candidate runs it). */
const FIND_LIVE = `SELECT ${SESSION_COLUMNS.join(', ')} FROM sessions WHERE id_hash = ? AND ${LIVE_SESSION_CONDITION}`;

export function toSessionRecord(row: SessionColumns): SessionRecord {
  return {
    platformId: row.platform_id,
    userSub: row.user_sub,
    kind: row.kind === 'candidate' ? 'candidate' : 'launch',
    candidateId: row.candidate_id,
    way: row.way,
    payload: row.launch,
    expiresAt: new Date(row.expires_at),
  };
}

/**
 * Sessions live in the database so any examgate process can serve any request. Every launch
 * writes one and every page reads one, so the statements go to the driver directly (db/direct-sql.ts).
 */
export class SessionRepository {
  readonly #sql: DirectSql;
  readonly #sequelize: Sequelize;

  constructor(sequelize: Sequelize) {
    this.#sequelize = sequelize;
    this.#sql = directSql(sequelize);
  }

  /** With `batch`, the insert is added to it (sent when the batch is) instead of sent now. */
  async insert(idHash: string, record: SessionRecord, batch?: WriteBatch): Promise<void> {
    await this.#write(
      batch,
      'INSERT INTO sessions (id_hash, platform_id, user_sub, kind, candidate_id, way, launch, expires_at, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      [
        idHash,
        record.platformId,
        record.userSub,
        record.kind,
        record.candidateId,
        record.way,
        record.payload,
        record.expiresAt,
        new Date(),
      ],
    );
  }

  async findLive(idHash: string): Promise<SessionRecord | null> {
    const [row] = await this.#sql.rows<SessionColumns>(FIND_LIVE, [idHash, new Date()]);
    return row ? toSessionRecord(row) : null;
  }

  async delete(idHash: string, batch?: WriteBatch): Promise<void> {
    await this.#write(batch, 'DELETE FROM sessions WHERE id_hash = ?', [idHash]);
  }

  async #write(batch: WriteBatch | undefined, text: string, params: SqlValue[]): Promise<void> {
    if (batch) {
      batch.add(text, params);
    } else {
      await this.#sql.run(text, params);
    }
  }

  /** The sessions of one candidate that came in by one of `ways`. */
  async deleteForCandidate(candidateId: string, ways: readonly string[], unit?: UnitOfWork): Promise<void> {
    await this.#sequelize.query('DELETE FROM sessions WHERE candidate_id = :candidateId AND way IN (:ways)', {
      replacements: { candidateId, ways },
      transaction: transactionOf(unit),
    });
  }

  /** The sessions a permanent user signed in with (each names one of the user's candidates). */
  async deleteForPermanentUser(permanentUserId: string, unit?: UnitOfWork): Promise<void> {
    await this.#sequelize.query(
      "DELETE FROM sessions WHERE way = 'permanent' AND candidate_id IN (SELECT id FROM candidates WHERE permanent_user_id = :permanentUserId)",
      { replacements: { permanentUserId }, transaction: transactionOf(unit) },
    );
  }

  /** The sessions of every candidate of a test that came in by one of `ways`. */
  async deleteForExam(examId: string, ways: readonly string[], unit?: UnitOfWork): Promise<void> {
    await this.#sequelize.query(
      'DELETE FROM sessions WHERE way IN (:ways) AND candidate_id IN (SELECT id FROM candidates WHERE exam_id = :examId)',
      { replacements: { examId, ways }, transaction: transactionOf(unit) },
    );
  }

  async deleteForPlatform(platformId: string, unit: UnitOfWork): Promise<void> {
    await this.#sequelize.query('DELETE FROM sessions WHERE platform_id = :platformId', {
      replacements: { platformId },
      transaction: transactionOf(unit),
    });
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.#sql.run('DELETE FROM sessions WHERE expires_at < ?', [now]);
  }
}
