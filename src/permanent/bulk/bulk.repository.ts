import { QueryTypes, type Sequelize } from 'sequelize';
import type { SqlValue } from '../../db/direct-sql.js';
import { transactionOf, type UnitOfWork } from '../../db/unit-of-work.js';
import { unitSql, type InsertColumn } from '../../db/unit-sql.js';
import { DETAIL_FIELDS, type PermanentUserDetails } from '../permanent-user.js';
import { COLUMN_OF } from '../permanent-user.repository.js';
import type { StoredForPlan } from './bulk.plan.js';

const DETAIL_COLUMNS = DETAIL_FIELDS.map((f) => COLUMN_OF[f]);

/** A new user's row and the time it is stored at, for the columns below. */
type UserInsert = { user: NewBulkUser; now: Date };
const text = (name: string, value: (row: UserInsert) => SqlValue): InsertColumn<UserInsert> => ({ name, pgType: 'text', value });
const flag = (name: string, value: (row: UserInsert) => boolean): InsertColumn<UserInsert> => ({ name, pgType: 'boolean', value });
const time = (name: string): InsertColumn<UserInsert> => ({ name, pgType: 'timestamptz', value: (r) => r.now });

/** The columns a bulk upload fills; the password hash and deletion stay NULL, the password is pending. */
const USER_INSERT_COLUMNS: ReadonlyArray<InsertColumn<UserInsert>> = [
  text('id', (r) => r.user.id),
  text('platform_id', (r) => r.user.platformId),
  text('username', (r) => r.user.username),
  text('username_key', (r) => r.user.usernameKey),
  ...DETAIL_FIELDS.map((field) => text(COLUMN_OF[field], (r) => r.user.details[field])),
  flag('eligible', (r) => r.user.details.eligible),
  flag('password_pending', () => true),
  flag('password_weak', (r) => r.user.weak),
  flag('must_change_password', (r) => r.user.mustChange),
  time('created_at'),
  time('updated_at'),
];

/** A queued password's row: the user, the platform, the sealed password, when. */
type QueueInsert = { userId: string; platformId: string; sealed: string; now: Date };
const QUEUE_INSERT_COLUMNS: ReadonlyArray<InsertColumn<QueueInsert>> = [
  { name: 'user_id', pgType: 'text', value: (r) => r.userId },
  { name: 'platform_id', pgType: 'text', value: (r) => r.platformId },
  { name: 'sealed', pgType: 'text', value: (r) => r.sealed },
  { name: 'queued_at', pgType: 'timestamptz', value: (r) => r.now },
];

/** Users per DELETE … IN (…) of their earlier queue entries: well inside both databases' limits on bound values. */
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
    const now = new Date();
    await unitSql(this.sequelize, unit).insertRows(
      'permanent_users',
      USER_INSERT_COLUMNS,
      users.map((user) => ({ user, now })),
    );
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
    if (!newUsers) {
      for (let i = 0; i < entries.length; i += CHUNK) {
        const ids = entries.slice(i, i + CHUNK).map((e) => e.userId);
        await sql.run(`DELETE FROM permanent_password_queue WHERE user_id IN (${ids.map(() => '?').join(', ')})`, ids);
      }
    }
    await sql.insertRows(
      'permanent_password_queue',
      QUEUE_INSERT_COLUMNS,
      entries.map((e) => ({ userId: e.userId, platformId, sealed: e.sealed, now })),
    );
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
