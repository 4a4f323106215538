import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface, Sequelize } from 'sequelize';
import { migrations } from './migrations/index.js';

export interface Migration {
  name: string;
  up: (queryInterface: QueryInterface) => Promise<void>;
  down: (queryInterface: QueryInterface) => Promise<void>;
}

function createMigrator(sequelize: Sequelize): Umzug<QueryInterface> {
  return new Umzug({
    migrations: migrations.map((m) => ({
      name: m.name,
      up: ({ context }) => m.up(context),
      down: ({ context }) => m.down(context),
    })),
    context: sequelize.getQueryInterface(),
    // ltijs-sequelize keeps its own history in SequelizeMeta; ours must not share it.
    storage: new SequelizeStorage({ sequelize, tableName: 'examgate_migrations' }),
    logger: undefined,
  });
}

/** Applies every pending migration in order; returns the names it applied. */
export async function migrateUp(sequelize: Sequelize): Promise<string[]> {
  const applied = await createMigrator(sequelize).up();
  return applied.map((m) => m.name);
}

/** Reverts every migration (tests and `npm run migrate -- down`). */
export async function migrateDownAll(sequelize: Sequelize): Promise<void> {
  await createMigrator(sequelize).down({ to: 0 });
}
