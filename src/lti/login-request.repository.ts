import type { Sequelize } from 'sequelize';
import { directSql, type DirectSql } from '../db/direct-sql.js';
import { readAlone, type SideRead } from '../db/side-read.js';
import { insertValuesText, type RowInsert } from '../db/row-insert.js';
import { NonceRepository } from './nonce.repository.js';

/** The OIDC login parameters examgate received, keyed by the state it sent to the LMS. */
export type LoginParams = Record<string, string>;

/** A login initiation that has not ended yet. */
export interface PendingLogin {
  params: LoginParams;
  /** The LMS's authentication request, where the login continues once examgate knows its cookie sticks. */
  redirectUrl: string | null;
  /** Set when the login keeps its proof in the LMS's platform storage instead of a cookie. */
  storageProofHash: string | null;
}

/** How a launch's attempt to end its login went. */
export type LoginEnd = 'ended' | 'not-this-login' | 'nonce-used';

function outcome(ended: boolean, nonceRecorded: boolean): LoginEnd {
  return !ended ? 'not-this-login' : nonceRecorded ? 'ended' : 'nonce-used';
}

const LOGIN_COLUMNS = [
  ['state', 'varchar'],
  ['nonce', 'varchar'],
  ['params', 'text'],
  ['redirect_url', 'text'],
  ['expires_at', 'timestamptz'],
] as const;

interface PendingLoginRow {
  params: string;
  redirect_url: string | null;
  storage_proof_hash: string | null;
}

/**
 * One row per login initiation, keyed by its state: the nonce examgate issued for it (the
 * launch must carry exactly that nonce), the LMS address the login continues to, and the
 * login's parameters, so that when a browser keeps no examgate cookie inside the LMS frame the
 * same (still unused) login can be started again in a first-party window.
 * Every login and launch passes here, so the statements go to the driver directly (db/direct-sql.ts).
 */
export class LoginRequestRepository {
  readonly #sql: DirectSql;
  readonly #postgres: boolean;
  readonly #usedNonces: NonceRepository;

  constructor(sequelize: Sequelize) {
    this.#sql = directSql(sequelize);
    this.#postgres = sequelize.getDialect() === 'postgres';
    this.#usedNonces = new NonceRepository(sequelize);
  }

  /**
   * The row of a new login, for `insert`, or for a statement that inserts it together with
   * other work (the login throttle's count: throttle/pending-count.ts).
   */
  newLogin(state: string, nonce: string, params: LoginParams, redirectUrl: string, ttlMs: number): RowInsert {
    return {
      table: 'login_requests',
      columns: LOGIN_COLUMNS,
      values: [state, nonce, JSON.stringify(params), redirectUrl, new Date(Date.now() + ttlMs)],
    };
  }

  async insert(login: RowInsert): Promise<void> {
    await this.#sql.run(insertValuesText(login), login.values);
  }

  async save(state: string, nonce: string, params: LoginParams, redirectUrl: string, ttlMs: number): Promise<void> {
    await this.insert(this.newLogin(state, nonce, params, redirectUrl, ttlMs));
  }

  async find(state: string): Promise<PendingLogin | null> {
    const rows = await this.#sql.rows<PendingLoginRow>(
      'SELECT params, redirect_url, storage_proof_hash FROM login_requests WHERE state = ? AND expires_at > ?',
      [state, new Date()],
    );
    const row = rows[0];
    if (!row) {
      return null;
    }
    const parsed: unknown = JSON.parse(row.params);
    return {
      params: parsed && typeof parsed === 'object' ? (parsed as LoginParams) : {},
      redirectUrl: row.redirect_url,
      storageProofHash: row.storage_proof_hash,
    };
  }

  /** Records that this login keeps its proof in platform storage; only once per login. */
  async keepProofInPlatformStorage(state: string, proofHash: string): Promise<boolean> {
    const rows = await this.#sql.rows<{ state: string }>(
      `UPDATE login_requests SET storage_proof_hash = ?
       WHERE state = ? AND storage_proof_hash IS NULL AND expires_at > ? RETURNING state`,
      [proofHash, state, new Date()],
    );
    return rows.length === 1;
  }

  /**
   * Ends the login whose state is `state`, if `nonce` is the one issued for it and it has not
   * expired, and records the nonce as used until `nonceExpiresAt` (lti_nonces). One DELETE
   * decides: of two concurrent launches of the same login only one ends it, and an ended
   * login can neither end again nor be restarted from a replay. A nonce already used (and not
   * yet expired) is refused even for a login that claims it.
   * On PostgreSQL both happen in one statement; SQLite, in-process, runs the two in turn.
   */
  async end(state: string, nonce: string, nonceExpiresAt: Date): Promise<LoginEnd> {
    return (await this.endWith(state, nonce, nonceExpiresAt, null)).outcome;
  }

  /**
   * `end`, and a read of another table the launch needs next (its platform), answered by the
   * same statement on PostgreSQL: a launch then makes one round trip where it made two. The
   * read sees the database as the end does; it is made whatever the outcome.
   */
  async endWith<T>(state: string, nonce: string, nonceExpiresAt: Date, beside: SideRead<T>): Promise<{ outcome: LoginEnd; beside: T }>;
  async endWith(state: string, nonce: string, nonceExpiresAt: Date, beside: null): Promise<{ outcome: LoginEnd; beside: null }>;
  async endWith<T>(
    state: string,
    nonce: string,
    nonceExpiresAt: Date,
    beside: SideRead<T> | null,
  ): Promise<{ outcome: LoginEnd; beside: T | null }> {
    const now = new Date();
    const carried = beside?.statement ?? null;
    if (this.#postgres) {
      // The read's columns come beside the counts, in one row whether or not it found one (it
      // reads at most one: a platform and its one deployment).
      const [row] = await this.#sql.rows<Record<string, unknown> & { ended: number | string; remembered: number | string }>(
        `WITH ended AS (
           DELETE FROM login_requests WHERE state = ? AND nonce = ? AND expires_at > ? RETURNING nonce
         ), remembered AS (
           INSERT INTO lti_nonces (nonce, expires_at) SELECT nonce, ? FROM ended
           ON CONFLICT (nonce) DO UPDATE SET expires_at = excluded.expires_at WHERE lti_nonces.expires_at < ?
           RETURNING nonce
         )${carried ? `, beside AS (SELECT TRUE AS examgate_beside_found, b.* FROM (${carried.text}) AS b LIMIT 1)` : ''}
         SELECT (SELECT COUNT(*) FROM ended) AS ended, (SELECT COUNT(*) FROM remembered) AS remembered${carried ? ', beside.*' : ''}
         ${carried ? 'FROM (SELECT 1) AS one LEFT JOIN beside ON TRUE' : ''}`,
        [state, nonce, now, nonceExpiresAt, now, ...(carried?.params ?? [])],
      );
      const outcomeOfRow = outcome(Number(row?.ended) === 1, Number(row?.remembered) === 1);
      return { outcome: outcomeOfRow, beside: beside ? beside.read(row?.examgate_beside_found === true ? [row] : []) : null };
    }
    const ended = await this.#sql.rows('DELETE FROM login_requests WHERE state = ? AND nonce = ? AND expires_at > ? RETURNING state', [
      state,
      nonce,
      now,
    ]);
    const result = ended.length !== 1 ? outcome(false, false) : outcome(true, await this.#usedNonces.remember(nonce, nonceExpiresAt));
    return { outcome: result, beside: beside ? await readAlone(this.#sql, beside) : null };
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.#sql.run('DELETE FROM login_requests WHERE expires_at < ?', [now]);
  }
}
