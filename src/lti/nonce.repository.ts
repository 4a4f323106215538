import { QueryTypes, UniqueConstraintError, type Sequelize } from 'sequelize';

/**
 * Used id_token nonces, kept as long as a token carrying them could still be accepted.
 * ltijs's own storage forgets a nonce after 10 s, which would open a replay window as
 * soon as the allowed token age is raised above that.
 */
export class NonceRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /** Records the nonce; false when it was already used and has not expired. One statement, so two processes cannot both win. */
  async remember(nonce: string, expiresAt: Date): Promise<boolean> {
    try {
      await this.sequelize.query('INSERT INTO lti_nonces (nonce, expires_at) VALUES (:nonce, :expiresAt)', {
        replacements: { nonce, expiresAt },
        type: QueryTypes.INSERT,
      });
      return true;
    } catch (err) {
      if (!(err instanceof UniqueConstraintError)) {
        throw err;
      }
      // A row whose time is up no longer protects anything: reclaim it for this launch.
      const [, reclaimed] = await this.sequelize.query(
        'UPDATE lti_nonces SET expires_at = :expiresAt WHERE nonce = :nonce AND expires_at < :now',
        { replacements: { nonce, expiresAt, now: new Date() }, type: QueryTypes.UPDATE },
      );
      return reclaimed > 0;
    }
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.sequelize.query('DELETE FROM lti_nonces WHERE expires_at < :now', { replacements: { now } });
  }
}
