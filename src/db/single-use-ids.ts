import { QueryTypes, type Sequelize, type Transaction } from 'sequelize';
import { directSql, type DirectSql } from './direct-sql.js';
import { transactionOf, type UnitOfWork } from './unit-of-work.js';

/**
 * Identifiers that may be used once (LTI nonces, token ids), remembered until a token
 * carrying them could no longer be accepted. One INSERT decides, so two processes cannot
 * both accept the same id.
 */
export class SingleUseIds {
  readonly #sql: DirectSql;

  constructor(
    private readonly sequelize: Sequelize,
    private readonly table: 'lti_nonces' | 'used_token_ids',
    private readonly column: 'nonce' | 'jti',
  ) {
    this.#sql = directSql(sequelize);
  }

  /**
   * Records the id; false when it was already used and has not expired. Inside a unit of work
   * the id is remembered only if the unit commits, so work that fails can be sent again; there
   * a concurrent twin surfaces as a unique violation (db/errors.ts) when the unit writes it.
   */
  async remember(id: string, expiresAt: Date, unit?: UnitOfWork): Promise<boolean> {
    if (unit) {
      return this.rememberWithin(id, expiresAt, transactionOf(unit));
    }
    // A new id is inserted; a used one whose time is up no longer protects anything and is
    // reclaimed; a used, live one returns no row. One statement (it runs on every launch).
    const rows = await this.#sql.rows(
      `INSERT INTO ${this.table} (${this.column}, expires_at) VALUES (?, ?)
       ON CONFLICT (${this.column}) DO UPDATE SET expires_at = excluded.expires_at WHERE ${this.table}.expires_at < ?
       RETURNING ${this.column}`,
      [id, expiresAt, new Date()],
    );
    return rows.length === 1;
  }

  // No INSERT that may fail inside a transaction: on PostgreSQL a failed statement aborts the whole unit.
  private async rememberWithin(id: string, expiresAt: Date, transaction: Transaction | undefined): Promise<boolean> {
    const now = new Date();
    const rows = await this.sequelize.query<{ expires_at: string | Date }>(
      `SELECT expires_at FROM ${this.table} WHERE ${this.column} = :id`,
      { replacements: { id }, type: QueryTypes.SELECT, transaction },
    );
    const existing = rows[0];
    if (existing && new Date(existing.expires_at) >= now) {
      return false;
    }
    const sql = existing
      ? `UPDATE ${this.table} SET expires_at = :expiresAt WHERE ${this.column} = :id`
      : `INSERT INTO ${this.table} (${this.column}, expires_at) VALUES (:id, :expiresAt)`;
    await this.sequelize.query(sql, { replacements: { id, expiresAt }, transaction });
    return true;
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.#sql.run(`DELETE FROM ${this.table} WHERE expires_at < ?`, [now]);
  }
}
