import { QueryTypes, type Sequelize } from 'sequelize';

/** The OIDC login parameters examgate received, keyed by the state it sent to the LMS. */
export type LoginParams = Record<string, string>;

/**
 * Kept briefly so that, when a browser blocks examgate's cookie inside the LMS frame, the
 * error page can restart the same login in a new (first-party) window.
 */
export class LoginRequestRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async save(state: string, params: LoginParams, ttlMs: number): Promise<void> {
    await this.sequelize.query('INSERT INTO login_requests (state, params, expires_at) VALUES (:state, :params, :expiresAt)', {
      replacements: { state, params: JSON.stringify(params), expiresAt: new Date(Date.now() + ttlMs) },
      type: QueryTypes.INSERT,
    });
  }

  async find(state: string): Promise<LoginParams | null> {
    const rows = await this.sequelize.query<{ params: string }>(
      'SELECT params FROM login_requests WHERE state = :state AND expires_at > :now',
      {
        replacements: { state, now: new Date() },
        type: QueryTypes.SELECT,
      },
    );
    const parsed: unknown = rows[0] ? JSON.parse(rows[0].params) : null;
    return parsed && typeof parsed === 'object' ? (parsed as LoginParams) : null;
  }

  /** A login that completed must not be restartable from a replayed launch. */
  async delete(state: string): Promise<void> {
    await this.sequelize.query('DELETE FROM login_requests WHERE state = :state', { replacements: { state } });
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.sequelize.query('DELETE FROM login_requests WHERE expires_at < :now', { replacements: { now } });
  }
}
