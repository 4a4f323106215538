import { QueryTypes, type Sequelize } from 'sequelize';
import { directSql, type DirectSql } from '../db/direct-sql.js';
import { readAlone, type SideRead } from '../db/side-read.js';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';

/** A one-time user as stored: the password still sealed. */
export interface OneTimeUserRow {
  candidateId: string;
  examId: string;
  username: string;
  usernameKey: string;
  sealedPassword: string;
}

/** What the login check needs: the stored account and the tenant of its test. */
export interface OneTimeLogin extends OneTimeUserRow {
  platformId: string;
}

interface StoredRow {
  candidate_id: string;
  exam_id: string;
  username: string;
  username_key: string;
  password_sealed: string;
}

const toRow = (r: StoredRow): OneTimeUserRow => ({
  candidateId: r.candidate_id,
  examId: r.exam_id,
  username: r.username,
  usernameKey: r.username_key,
  sealedPassword: r.password_sealed,
});

const COLUMNS = 'o.candidate_id, o.exam_id, o.username, o.username_key, o.password_sealed';
/** Rows per INSERT: 7 columns stay well under SQLite's bound-parameter limit. */
const CHUNK = 500;

/** Queries over one_time_users; nothing else. */
export class OneTimeUserRepository {
  readonly #sql: DirectSql;

  constructor(private readonly sequelize: Sequelize) {
    this.#sql = directSql(sequelize);
  }

  /** One multi-row INSERT per chunk: 1500 users must not cost 1500 round trips. */
  async insertMany(rows: OneTimeUserRow[], unit: UnitOfWork): Promise<void> {
    const now = new Date();
    for (let start = 0; start < rows.length; start += CHUNK) {
      const replacements: Record<string, unknown> = { now };
      const values = rows.slice(start, start + CHUNK).map((row, i) => {
        Object.assign(replacements, {
          [`c${i}`]: row.candidateId,
          [`e${i}`]: row.examId,
          [`u${i}`]: row.username,
          [`k${i}`]: row.usernameKey,
          [`p${i}`]: row.sealedPassword,
        });
        return `(:c${i}, :e${i}, :u${i}, :k${i}, :p${i}, :now, :now, :now)`;
      });
      await this.sequelize.query(
        `INSERT INTO one_time_users (candidate_id, exam_id, username, username_key, password_sealed, password_set_at, created_at, updated_at)
         VALUES ${values.join(', ')}`,
        { replacements, transaction: transactionOf(unit) },
      );
    }
  }

  /** Which of `keys` are taken already, anywhere in the installation. */
  async takenKeys(keys: string[], unit?: UnitOfWork): Promise<Set<string>> {
    const taken = new Set<string>();
    for (let start = 0; start < keys.length; start += CHUNK) {
      const rows = await this.sequelize.query<{ username_key: string }>(
        'SELECT username_key FROM one_time_users WHERE username_key IN (:keys)',
        { replacements: { keys: keys.slice(start, start + CHUNK) }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
      );
      rows.forEach((r) => taken.add(r.username_key));
    }
    return taken;
  }

  /** The account of a username key with its test's platform. */
  async findByKey(usernameKey: string): Promise<OneTimeLogin | null> {
    return readAlone(this.#sql, this.loginRead(usernameKey));
  }

  /**
   * `findByKey` as a read to send along (db/side-read.ts): every sign-in at the login page reads
   * one, so it goes with the throttle's statement. Every column is text, alike as JSON or not.
   */
  loginRead(usernameKey: string): SideRead<OneTimeLogin | null> {
    return {
      statement: {
        text: `SELECT ${COLUMNS}, c.platform_id FROM one_time_users o JOIN exams e ON e.id = o.exam_id JOIN courses c ON c.id = e.course_id
                WHERE o.username_key = ?`,
        params: [usernameKey],
      },
      read: (rows) => {
        const row = rows[0] as (StoredRow & { platform_id: string }) | undefined;
        return row ? { ...toRow(row), platformId: row.platform_id } : null;
      },
    };
  }

  async findByCandidate(examId: string, candidateId: string, unit?: UnitOfWork): Promise<OneTimeUserRow | null> {
    const [row] = await this.sequelize.query<StoredRow>(
      `SELECT ${COLUMNS} FROM one_time_users o WHERE o.exam_id = :examId AND o.candidate_id = :candidateId`,
      { replacements: { examId, candidateId }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
    return row ? toRow(row) : null;
  }

  /** The one-time users among `candidateIds` of the test (a page of the list). */
  async forCandidates(examId: string, candidateIds: string[]): Promise<OneTimeUserRow[]> {
    if (candidateIds.length === 0) {
      return [];
    }
    const rows = await this.sequelize.query<StoredRow>(
      `SELECT ${COLUMNS} FROM one_time_users o WHERE o.exam_id = :examId AND o.candidate_id IN (:candidateIds)`,
      { replacements: { examId, candidateIds }, type: QueryTypes.SELECT },
    );
    return rows.map(toRow);
  }

  async setUsername(candidateId: string, username: string, usernameKey: string, unit: UnitOfWork): Promise<void> {
    await this.sequelize.query(
      'UPDATE one_time_users SET username = :username, username_key = :usernameKey, updated_at = :now WHERE candidate_id = :candidateId',
      { replacements: { candidateId, username, usernameKey, now: new Date() }, transaction: transactionOf(unit) },
    );
  }

  async setPassword(candidateId: string, sealedPassword: string, unit: UnitOfWork): Promise<void> {
    const now = new Date();
    await this.sequelize.query(
      'UPDATE one_time_users SET password_sealed = :sealedPassword, password_set_at = :now, updated_at = :now WHERE candidate_id = :candidateId',
      { replacements: { candidateId, sealedPassword, now }, transaction: transactionOf(unit) },
    );
  }

  /** Sealed passwords in candidate order, `limit` after `after` (keyset paging: an installation may hold many). */
  async sealedAfter(after: string, limit: number): Promise<Array<{ candidateId: string; sealedPassword: string }>> {
    const rows = await this.sequelize.query<{ candidate_id: string; password_sealed: string }>(
      'SELECT candidate_id, password_sealed FROM one_time_users WHERE candidate_id > :after ORDER BY candidate_id LIMIT :limit',
      { replacements: { after, limit }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ candidateId: r.candidate_id, sealedPassword: r.password_sealed }));
  }

  /** Replaces a sealed password only if it is still `from` (another process starting at once may have re-sealed it). */
  async replaceSealed(candidateId: string, from: string, to: string): Promise<void> {
    await this.sequelize.query(
      'UPDATE one_time_users SET password_sealed = :to WHERE candidate_id = :candidateId AND password_sealed = :from',
      { replacements: { candidateId, from, to } },
    );
  }
}
