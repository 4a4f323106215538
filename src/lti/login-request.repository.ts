import { QueryTypes, type Sequelize } from 'sequelize';

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
 */
export class LoginRequestRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async save(state: string, nonce: string, params: LoginParams, redirectUrl: string, ttlMs: number): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO login_requests (state, nonce, params, redirect_url, expires_at)
       VALUES (:state, :nonce, :params, :redirectUrl, :expiresAt)`,
      {
        replacements: { state, nonce, params: JSON.stringify(params), redirectUrl, expiresAt: new Date(Date.now() + ttlMs) },
        type: QueryTypes.INSERT,
      },
    );
  }

  async find(state: string): Promise<PendingLogin | null> {
    const rows = await this.sequelize.query<PendingLoginRow>(
      'SELECT params, redirect_url, storage_proof_hash FROM login_requests WHERE state = :state AND expires_at > :now',
      { replacements: { state, now: new Date() }, type: QueryTypes.SELECT },
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
    const rows = await this.sequelize.query<{ state: string }>(
      `UPDATE login_requests SET storage_proof_hash = :proofHash
       WHERE state = :state AND storage_proof_hash IS NULL AND expires_at > :now RETURNING state`,
      { replacements: { state, proofHash, now: new Date() }, type: QueryTypes.SELECT },
    );
    return rows.length === 1;
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
