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
}
