import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';

/** A working reset link's user, as the token's digest finds them. */
export interface ResetTarget {
  userId: string;
  platformId: string;
  username: string;
}

/** Queries over password_reset_tokens (migration 0021): digests only, never a token. */
export class PasswordResetRepository {
  constructor(private readonly sequelize: Sequelize) {}

  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  /** A new link for the user; their older unused links stop working (only the newest e-mail counts). */
  async replace(userId: string, tokenHash: string, expiresAt: Date, unit: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    await this.sequelize.query('DELETE FROM password_reset_tokens WHERE permanent_user_id = :userId AND used_at IS NULL', {
      replacements: { userId },
      transaction,
    });
    await this.sequelize.query(
      `INSERT INTO password_reset_tokens (token_hash, permanent_user_id, expires_at, created_at) VALUES (:tokenHash, :userId, :expiresAt, :now)`,
      { replacements: { tokenHash, userId, expiresAt, now: new Date() }, transaction },
    );
  }

  /** The user of an unused, unexpired link whose user may still sign in; null otherwise. */
  async target(tokenHash: string, now: Date): Promise<ResetTarget | null> {
    const [row] = await this.sequelize.query<{ id: string; platform_id: string; username: string }>(
      `SELECT u.id, u.platform_id, u.username FROM password_reset_tokens t JOIN permanent_users u ON u.id = t.permanent_user_id
        WHERE t.token_hash = :tokenHash AND t.used_at IS NULL AND t.expires_at > :now AND u.deleted_at IS NULL`,
      { replacements: { tokenHash, now }, type: QueryTypes.SELECT },
    );
    return row ? { userId: row.id, platformId: row.platform_id, username: row.username } : null;
  }

  /** Uses the link up; false when another request used it first or it expired meanwhile. */
  async use(tokenHash: string, now: Date, unit: UnitOfWork): Promise<boolean> {
    const [, changed] = await this.sequelize.query(
      'UPDATE password_reset_tokens SET used_at = :now WHERE token_hash = :tokenHash AND used_at IS NULL AND expires_at > :now',
      { replacements: { tokenHash, now }, type: QueryTypes.UPDATE, transaction: transactionOf(unit) },
    );
    return changed > 0;
  }

  async deleteExpired(now: Date): Promise<void> {
    await this.sequelize.query('DELETE FROM password_reset_tokens WHERE expires_at < :now', { replacements: { now } });
  }
}
