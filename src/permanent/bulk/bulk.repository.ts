import { QueryTypes, type Sequelize } from 'sequelize';
import type { SqlValue } from '../../db/direct-sql.js';
import { transactionOf, type UnitOfWork } from '../../db/unit-of-work.js';
import { unitSql, valuesList } from '../../db/unit-sql.js';
import { DETAIL_FIELDS, type PermanentUserDetails } from '../permanent-user.js';
import { COLUMN_OF } from '../permanent-user.repository.js';
import type { StoredForPlan } from './bulk.plan.js';

const DETAIL_COLUMNS = DETAIL_FIELDS.map((f) => COLUMN_OF[f]);

/** The columns a bulk upload fills; the password hash and deletion stay NULL, the password is pending. */
const USER_INSERT_COLUMNS = [
  'id',
  'platform_id',
  'username',
  'username_key',
  ...DETAIL_COLUMNS,
  'eligible',
  'password_pending',
  'password_weak',
  'must_change_password',
  'created_at',
  'updated_at',
];
const USER_INSERT = `INSERT INTO permanent_users (${USER_INSERT_COLUMNS.join(', ')}) VALUES`;

/** PostgreSQL's array type of each column of USER_INSERT_COLUMNS, in order. */
const USER_INSERT_ARRAY_TYPES = [
  'text',
  'text',
  'text',
  'text',
  ...DETAIL_COLUMNS.map(() => 'text'),
  'boolean',
  'boolean',
  'boolean',
  'boolean',
  'timestamptz',
  'timestamptz',
];
if (USER_INSERT_ARRAY_TYPES.length !== USER_INSERT_COLUMNS.length) {
  throw new Error('bulk.repository: USER_INSERT_ARRAY_TYPES must name one type per column of USER_INSERT_COLUMNS');
}
/** The same INSERT on PostgreSQL: one array per column, unnested into rows. */
const USER_INSERT_UNNEST = `INSERT INTO permanent_users (${USER_INSERT_COLUMNS.join(', ')}) SELECT * FROM unnest(${USER_INSERT_ARRAY_TYPES.map(
  (type, i) => `$${i + 1}::${type}[]`,
).join(', ')})`;

/** Rows per multi-row INSERT: well inside SQLite's and PostgreSQL's limits on bound values. */
const CHUNK = 500;

export interface NewBulkUser {
  id: string;
  platformId: string;
  username: string;
  usernameKey: string;
  details: PermanentUserDetails;
  weak: boolean;
  mustChange: boolean;
}

/** The users as one array per column of USER_INSERT_COLUMNS (for USER_INSERT_UNNEST). */
function userColumns(users: readonly NewBulkUser[], now: Date): SqlValue[][] {
  return [
    users.map((u) => u.id),
    users.map((u) => u.platformId),
    users.map((u) => u.username),
    users.map((u) => u.usernameKey),
    ...DETAIL_FIELDS.map((field) => users.map((u) => u.details[field])),
    users.map((u) => u.details.eligible),
    users.map(() => true),
    users.map((u) => u.weak),
    users.map((u) => u.mustChange),
    users.map(() => now),
    users.map(() => now),
  ];
}

interface UserRecord extends Record<string, unknown> {
  id: string;
  username: string;
  username_key: string;
  eligible: boolean | number;
  deleted_at: string | Date | null;
  has_password: boolean | number;
}

/** The bulk upload's queries: its options, whole-platform reads, multi-row writes, the password queue and handouts. */
export class BulkRepository {
  constructor(private readonly sequelize: Sequelize) {}

  private async run(sql: string, replacements: Record<string, unknown>, unit?: UnitOfWork): Promise<void> {
    await this.sequelize.query(sql, { replacements, transaction: transactionOf(unit) });
  }

  async insertOptions(id: string, platformId: string, options: unknown): Promise<void> {
    await this.run(
      'INSERT INTO permanent_import_options (id, platform_id, options, created_at) VALUES (:id, :platformId, :options, :now)',
      {
        id,
        platformId,
        options: JSON.stringify(options),
        now: new Date(),
      },
    );
  }

  /** The options of an upload of this platform (another platform's are not found). */
  async options(platformId: string, id: string): Promise<unknown> {
    const [row] = await this.sequelize.query<{ options: string }>(
      'SELECT options FROM permanent_import_options WHERE id = :id AND platform_id = :platformId',
      { replacements: { id, platformId }, type: QueryTypes.SELECT },
    );
    return row ? (JSON.parse(row.options) as unknown) : null;
  }

  async platformOfOptions(id: string): Promise<string | null> {
    const [row] = await this.sequelize.query<{ platform_id: string }>('SELECT platform_id FROM permanent_import_options WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
    });
    return row?.platform_id ?? null;
  }

  /** Serialises bulk uploads into one platform until the transaction ends (a row lock on PostgreSQL; SQLite's write lock). */
  async lockPlatform(platformId: string, unit: UnitOfWork): Promise<void> {
    await this.run('UPDATE lms_platforms SET id = id WHERE id = :platformId', { platformId }, unit);
  }

  /** Every user of the platform as a plan weighs them, by username key. */
  async storedOf(platformId: string, unit?: UnitOfWork): Promise<Map<string, StoredForPlan>> {
    const rows = await this.sequelize.query<UserRecord>(
      `SELECT id, username, username_key, ${DETAIL_COLUMNS.join(', ')}, eligible, deleted_at,
              (password_hash IS NOT NULL OR password_pending = :yes) AS has_password
         FROM permanent_users WHERE platform_id = :platformId`,
      { replacements: { platformId, yes: true }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
    const stored = new Map<string, StoredForPlan>();
    for (const row of rows) {
      const details = { eligible: Boolean(row.eligible) } as PermanentUserDetails;
      for (const field of DETAIL_FIELDS) {
        details[field] = (row[COLUMN_OF[field]] as string | null) ?? null;
      }
      stored.set(row.username_key, {
        id: row.id,
        username: row.username,
        details,
        deleted: row.deleted_at !== null,
        hasPassword: Boolean(row.has_password),
      });
    }
    return stored;
  }

  /** New users, their password still to be hashed (pending: they cannot sign in until it is). */
  async insertUsers(users: readonly NewBulkUser[], unit: UnitOfWork): Promise<void> {
    const sql = unitSql(this.sequelize, unit);
    const now = new Date();
    for (let i = 0; i < users.length; i += CHUNK) {
      const chunk = users.slice(i, i + CHUNK);
      if (sql.runColumns) {
        await sql.runColumns(USER_INSERT_UNNEST, userColumns(chunk, now));
        continue;
      }
      const params: SqlValue[] = [];
      for (const u of chunk) {
        params.push(u.id, u.platformId, u.username, u.usernameKey);
        for (const field of DETAIL_FIELDS) {
          params.push(u.details[field]);
        }
        params.push(u.details.eligible, true, u.weak, u.mustChange, now, now);
      }
      await sql.run(`${USER_INSERT} ${valuesList(chunk.length, USER_INSERT_COLUMNS.length)}`, params);
    }
  }

  async updateDetails(id: string, details: PermanentUserDetails, deleted: Date | null | undefined, unit: UnitOfWork): Promise<void> {
    const sets = [...DETAIL_COLUMNS.map((c) => `${c} = :${c}`), 'eligible = :eligible', 'updated_at = :now'];
    if (deleted !== undefined) {
      sets.push('deleted_at = :deleted');
    }
    await this.run(
      `UPDATE permanent_users SET ${sets.join(', ')} WHERE id = :id`,
      {
        id,
        ...Object.fromEntries(DETAIL_FIELDS.map((f) => [COLUMN_OF[f], details[f]])),
        eligible: details.eligible,
        deleted: deleted ?? null,
        now: new Date(),
      },
      unit,
    );
  }

  /** The user's password is being replaced: no sign-in with the old one, none until the new hash is made. */
  async markPending(id: string, flags: { weak: boolean; mustChange: boolean }, unit: UnitOfWork): Promise<void> {
    await this.run(
      `UPDATE permanent_users SET password_hash = NULL, password_pending = :yes, password_weak = :weak, must_change_password = :mustChange,
              updated_at = :now WHERE id = :id`,
      { id, yes: true, ...flags, now: new Date() },
      unit,
    );
  }

  /**
   * Queues sealed passwords; a user's earlier entry (an upload not hashed yet) is replaced.
   * `newUsers`: the users were inserted in this transaction, so none has an entry to replace and
   * the DELETE is not sent (on PostgreSQL it was a tenth of a 100 000-user commit).
   */
  async queue(
    platformId: string,
    entries: ReadonlyArray<{ userId: string; sealed: string }>,
    unit: UnitOfWork,
    { newUsers = false }: { newUsers?: boolean } = {},
  ): Promise<void> {
    const sql = unitSql(this.sequelize, unit);
    const now = new Date();
    for (let i = 0; i < entries.length; i += CHUNK) {
      const chunk = entries.slice(i, i + CHUNK);
      if (!newUsers) {
        const ids = chunk.map((e) => e.userId);
        await sql.run(`DELETE FROM permanent_password_queue WHERE user_id IN (${ids.map(() => '?').join(', ')})`, ids);
      }
      if (sql.runColumns) {
        await sql.runColumns(
          'INSERT INTO permanent_password_queue (user_id, platform_id, sealed, queued_at) SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])',
          [chunk.map((e) => e.userId), chunk.map(() => platformId), chunk.map((e) => e.sealed), chunk.map(() => now)],
        );
        continue;
      }
      await sql.run(
        `INSERT INTO permanent_password_queue (user_id, platform_id, sealed, queued_at) VALUES ${valuesList(chunk.length, 4)}`,
        chunk.flatMap((e) => [e.userId, platformId, e.sealed, now]),
      );
    }
  }

  /** The next entries to hash, oldest first (the queue's own order: user id breaks ties). */
  async nextQueued(platformId: string, limit: number): Promise<Array<{ userId: string; sealed: string }>> {
    const rows = await this.sequelize.query<{ user_id: string; sealed: string }>(
      `SELECT user_id, sealed FROM permanent_password_queue WHERE platform_id = :platformId ORDER BY queued_at, user_id LIMIT :limit`,
      { replacements: { platformId, limit }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ userId: r.user_id, sealed: r.sealed }));
  }

  async queuedCount(platformId: string): Promise<number> {
    const [row] = await this.sequelize.query<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM permanent_password_queue WHERE platform_id = :platformId',
      { replacements: { platformId }, type: QueryTypes.SELECT },
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Writes a made hash and takes its entry off the queue, only if the entry is still the one
   * hashed (a later upload may have replaced it meanwhile, or a start-up after a SECRET_KEY
   * rotation re-sealed it: then neither happens, the entry stays queued, and the job's next read
   * of the queue hashes it again — so a re-seal never loses a password). True when written.
   */
  async storeHash(userId: string, sealed: string, hash: string, unit: UnitOfWork): Promise<boolean> {
    const removed = await this.sequelize.query(
      'DELETE FROM permanent_password_queue WHERE user_id = :userId AND sealed = :sealed RETURNING user_id',
      { replacements: { userId, sealed }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
    if (removed.length === 0) {
      return false;
    }
    await this.run(
      'UPDATE permanent_users SET password_hash = :hash, password_pending = :no, updated_at = :now WHERE id = :userId',
      { userId, hash, no: false, now: new Date() },
      unit,
    );
    return true;
  }

  /** A queued password that cannot be opened: off the queue, and the user has no password (an admin resets it). */
  async dropUnreadable(userId: string, sealed: string, unit: UnitOfWork): Promise<void> {
    await this.run('DELETE FROM permanent_password_queue WHERE user_id = :userId AND sealed = :sealed', { userId, sealed }, unit);
    await this.run(
      'UPDATE permanent_users SET password_pending = :no, password_hash = NULL WHERE id = :userId',
      { userId, no: false },
      unit,
    );
  }

  /** The sealed download of generated passwords (megabytes for a big upload: bound, never spliced into the SQL text). */
  async insertHandout(optionsId: string, platformId: string, sealed: string, count: number, unit: UnitOfWork): Promise<void> {
    await unitSql(this.sequelize, unit).run(
      'INSERT INTO permanent_password_handouts (options_id, platform_id, sealed, count, created_at) VALUES (?, ?, ?, ?, ?)',
      [optionsId, platformId, sealed, count, new Date()],
    );
  }

  async handoutCount(platformId: string, optionsId: string): Promise<number | null> {
    const [row] = await this.sequelize.query<{ count: number }>(
      'SELECT count FROM permanent_password_handouts WHERE options_id = :optionsId AND platform_id = :platformId',
      { replacements: { optionsId, platformId }, type: QueryTypes.SELECT },
    );
    return row ? Number(row.count) : null;
  }

  /** The sealed handout, deleted in the same transaction: it can be taken once. */
  async takeHandout(platformId: string, optionsId: string, unit: UnitOfWork): Promise<string | null> {
    const [row] = await this.sequelize.query<{ sealed: string }>(
      'SELECT sealed FROM permanent_password_handouts WHERE options_id = :optionsId AND platform_id = :platformId',
      { replacements: { optionsId, platformId }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
    if (!row) {
      return null;
    }
    const removed = await this.sequelize.query(
      'DELETE FROM permanent_password_handouts WHERE options_id = :optionsId RETURNING options_id',
      {
        replacements: { optionsId },
        type: QueryTypes.SELECT,
        transaction: transactionOf(unit),
      },
    );
    return removed.length > 0 ? row.sealed : null;
  }
}
