import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';
import type { SsoSetup } from './sso-setup.js';

interface SsoSetupRow {
  id: string;
  platform_id: string;
  name: string;
}

const toSetup = (row: SsoSetupRow): SsoSetup => ({ id: row.id, platformId: row.platform_id, name: row.name });

/** Queries over the SSO setups an admin registered for a platform (migration 0018); nothing else. */
export class SsoSetupRepository {
  constructor(private readonly sequelize: Sequelize) {}

  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  async list(platformId: string): Promise<SsoSetup[]> {
    const rows = await this.sequelize.query<SsoSetupRow>(
      'SELECT id, platform_id, name FROM sso_setups WHERE platform_id = :platformId ORDER BY name_key',
      { replacements: { platformId }, type: QueryTypes.SELECT },
    );
    return rows.map(toSetup);
  }

  async find(platformId: string, id: string): Promise<SsoSetup | null> {
    const [row] = await this.sequelize.query<SsoSetupRow>(
      'SELECT id, platform_id, name FROM sso_setups WHERE platform_id = :platformId AND id = :id',
      { replacements: { platformId, id }, type: QueryTypes.SELECT },
    );
    return row ? toSetup(row) : null;
  }

  /** Inserts a setup; a name the platform already has (in any letter case) breaks the unique index. */
  async insert(platformId: string, name: string, nameKey: string, unit: UnitOfWork): Promise<SsoSetup> {
    const id = randomUUID();
    const now = new Date();
    await this.sequelize
      .getQueryInterface()
      .bulkInsert('sso_setups', [{ id, platform_id: platformId, name, name_key: nameKey, created_at: now, updated_at: now }], {
        transaction: transactionOf(unit),
      });
    return { id, platformId, name };
  }

  /** Renames a setup of the platform; false when it has none of that id. A clashing name breaks the unique index. */
  async rename(platformId: string, id: string, name: string, nameKey: string, unit: UnitOfWork): Promise<boolean> {
    const [, changed] = await this.sequelize.query(
      'UPDATE sso_setups SET name = :name, name_key = :nameKey, updated_at = :now WHERE platform_id = :platformId AND id = :id',
      { replacements: { platformId, id, name, nameKey, now: new Date() }, type: QueryTypes.UPDATE, transaction: transactionOf(unit) },
    );
    return changed > 0;
  }

  /** How many candidates (of any test) were imported with this setup as their authentication type. */
  async candidatesUsing(id: string, unit: UnitOfWork): Promise<number> {
    const [row] = await this.sequelize.query<{ n: number | string }>('SELECT COUNT(*) AS n FROM candidates WHERE sso_auth_type = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    return Number(row?.n ?? 0);
  }

  async remove(platformId: string, id: string, unit: UnitOfWork): Promise<void> {
    await this.sequelize.query('DELETE FROM sso_setups WHERE platform_id = :platformId AND id = :id', {
      replacements: { platformId, id },
      type: QueryTypes.DELETE,
      transaction: transactionOf(unit),
    });
  }
}
