import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';

/** A staff LMS user examgate has seen launch: whom a list can be shared with. */
export interface SeenStaff {
  sub: string;
  name: string | null;
  email: string | null;
}

const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Queries over platform_staff; nothing else. */
export class StaffDirectoryRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /** Records (or refreshes) one staff member's name and e-mail from their latest launch. */
  async saw(platformId: string, staff: SeenStaff): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO platform_staff (platform_id, sub, name, email, last_seen_at) VALUES (:platformId, :sub, :name, :email, :now)
       ON CONFLICT (platform_id, sub) DO UPDATE SET name = excluded.name, email = excluded.email, last_seen_at = excluded.last_seen_at`,
      { replacements: { platformId, ...staff, now: new Date() } },
    );
  }

  /** Up to `limit` staff of the platform whose name or e-mail holds `text`, by name. */
  search(platformId: string, text: string, limit: number): Promise<SeenStaff[]> {
    const like = likeOf(text.normalize('NFC').trim().toLowerCase());
    return this.sequelize.query<SeenStaff>(
      `SELECT sub, name, email FROM platform_staff WHERE platform_id = :platformId
          AND (lower(coalesce(name, '')) LIKE :like ESCAPE '\\' OR lower(coalesce(email, '')) LIKE :like ESCAPE '\\')
        ORDER BY lower(coalesce(name, email, sub)) LIMIT :limit`,
      { replacements: { platformId, like, limit }, type: QueryTypes.SELECT },
    );
  }

  /** The staff of the platform with these `sub`s (those never seen are simply absent). */
  async bySubs(platformId: string, subs: string[], unit?: UnitOfWork): Promise<SeenStaff[]> {
    if (subs.length === 0) {
      return [];
    }
    return this.sequelize.query<SeenStaff>(
      'SELECT sub, name, email FROM platform_staff WHERE platform_id = :platformId AND sub IN (:subs) ORDER BY lower(coalesce(name, email, sub))',
      { replacements: { platformId, subs }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
  }
}
