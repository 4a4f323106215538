import { QueryTypes, type Sequelize } from 'sequelize';

export interface HandoverRecord {
  launch: string;
  landing: string;
}

/** Launches validated in a frame that keeps no cookie, waiting (briefly) for the window that takes them over. */
export class SessionHandoverRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async insert(codeHash: string, record: HandoverRecord, expiresAt: Date): Promise<void> {
    await this.sequelize.query(
      'INSERT INTO session_handovers (code_hash, launch, landing, expires_at) VALUES (:codeHash, :launch, :landing, :expiresAt)',
      { replacements: { codeHash, ...record, expiresAt }, type: QueryTypes.INSERT },
    );
  }

  /** One DELETE decides: a hand-over is taken by one window only, and never after it expired. */
  async take(codeHash: string): Promise<HandoverRecord | null> {
    const rows = await this.sequelize.query<HandoverRecord>(
      'DELETE FROM session_handovers WHERE code_hash = :codeHash AND expires_at > :now RETURNING launch, landing',
      { replacements: { codeHash, now: new Date() }, type: QueryTypes.SELECT },
    );
    return rows[0] ?? null;
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.sequelize.query('DELETE FROM session_handovers WHERE expires_at < :now', { replacements: { now } });
  }
}
