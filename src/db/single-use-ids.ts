import { QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';

/**
 * Identifiers that may be used once (LTI nonces, token ids), remembered until a token
 * carrying them could no longer be accepted. One INSERT decides, so two processes cannot
 * both accept the same id.
 */
export class SingleUseIds {
  constructor(
    private readonly sequelize: Sequelize,
    private readonly table: 'lti_nonces' | 'used_token_ids',
    private readonly column: 'nonce' | 'jti',
  ) {}

  /** Records the id; false when it was already used and has not expired. */
  async remember(id: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.sequelize.query(`INSERT INTO ${this.table} (${this.column}, expires_at) VALUES (:id, :expiresAt)`, {
        replacements: { id, expiresAt },
        type: QueryTypes.INSERT,
      });
      return true;
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) {
        throw err;
      }
      // A row whose time is up no longer protects anything: reclaim it.
      const [, reclaimed] = await this.sequelize.query(
        `UPDATE ${this.table} SET expires_at = :expiresAt WHERE ${this.column} = :id AND expires_at < :now`,
        { replacements: { id, expiresAt, now: new Date() }, type: QueryTypes.UPDATE },
      );
      return reclaimed > 0;
    }
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.sequelize.query(`DELETE FROM ${this.table} WHERE expires_at < :now`, { replacements: { now } });
  }
}
