import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';

export interface SessionRecord {
  platformId: string;
  userSub: string;
  launch: string;
  expiresAt: Date;
}

/** Sessions live in the database so any examgate process can serve any request. */
export class SessionRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async insert(idHash: string, record: SessionRecord): Promise<void> {
    await this.sequelize.query(
      'INSERT INTO sessions (id_hash, platform_id, user_sub, launch, expires_at, created_at) VALUES (:idHash, :platformId, :userSub, :launch, :expiresAt, :now)',
      { replacements: { idHash, ...record, now: new Date() }, type: QueryTypes.INSERT },
    );
  }

  async findLive(idHash: string): Promise<SessionRecord | null> {
    const rows = await this.sequelize.query<{ platform_id: string; user_sub: string; launch: string; expires_at: string | Date }>(
      'SELECT platform_id, user_sub, launch, expires_at FROM sessions WHERE id_hash = :idHash AND expires_at > :now',
      { replacements: { idHash, now: new Date() }, type: QueryTypes.SELECT },
    );
    const row = rows[0];
    return row ? { platformId: row.platform_id, userSub: row.user_sub, launch: row.launch, expiresAt: new Date(row.expires_at) } : null;
  }

  async deleteForPlatform(platformId: string, unit: UnitOfWork): Promise<void> {
    await this.sequelize.query('DELETE FROM sessions WHERE platform_id = :platformId', {
      replacements: { platformId },
      transaction: transactionOf(unit),
    });
  }

  async deleteExpired(now = new Date()): Promise<void> {
    await this.sequelize.query('DELETE FROM sessions WHERE expires_at < :now', { replacements: { now } });
  }
}
