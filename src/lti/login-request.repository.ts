import { QueryTypes, type Sequelize } from 'sequelize';

/** The OIDC login parameters examgate received, keyed by the state it sent to the LMS. */
export type LoginParams = Record<string, string>;

/**
 * One row per login initiation, keyed by its state: the nonce examgate issued for it (the
 * launch must carry exactly that nonce), and the login's parameters, so that when a browser
 * blocks examgate's cookie inside the LMS frame the error page can restart the same login in
 * a new (first-party) window.
 */
export class LoginRequestRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async save(state: string, nonce: string, params: LoginParams, ttlMs: number): Promise<void> {
    await this.sequelize.query(
      'INSERT INTO login_requests (state, nonce, params, expires_at) VALUES (:state, :nonce, :params, :expiresAt)',
      {
        replacements: { state, nonce, params: JSON.stringify(params), expiresAt: new Date(Date.now() + ttlMs) },
        type: QueryTypes.INSERT,
      },
    );
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

  /**
   * Ends the login whose state is `state`, if `nonce` is the one issued for it and it has not
   * expired. One DELETE decides: of two concurrent launches of the same login only one gets
   * true, and a completed login can neither complete again nor be restarted from a replay.
   */
  async consume(state: string, nonce: string): Promise<boolean> {
    const rows = await this.sequelize.query<{ state: string }>(
      'DELETE FROM login_requests WHERE state = :state AND nonce = :nonce AND expires_at > :now RETURNING state',
      { replacements: { state, nonce, now: new Date() }, type: QueryTypes.SELECT },
    );
    return rows.length === 1;
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.sequelize.query('DELETE FROM login_requests WHERE expires_at < :now', { replacements: { now } });
  }
}
