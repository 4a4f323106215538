import { createRequire } from 'node:module';
import path from 'node:path';
import type { Sequelize } from 'sequelize';
import { SequelizeStorage, Umzug } from 'umzug';

/** ltijs-sequelize's own migrations, beside its compiled entry point. */
const LTIJS_MIGRATIONS = path.join(path.dirname(createRequire(import.meta.url).resolve('ltijs-sequelize')), 'dist', 'migrations');

/**
 * ltijs-sequelize's setup runs its umzug migrations with `logger: console`, so the first start
 * of a fresh database prints umzug's events on stdout, outside examgate's logs. Running the
 * same migration files first, recorded in the same history table (umzug's default,
 * SequelizeMeta) and with no logger, leaves its own run nothing to apply and so nothing to
 * print. Returns the names applied.
 */
export async function applyLtijsStorageMigrationsQuietly(sequelize: Sequelize): Promise<string[]> {
  // The migrations alter tables that ltijs-sequelize creates with sync(), as its setup does first.
  await sequelize.sync();
  const umzug = new Umzug({
    migrations: { glob: `${LTIJS_MIGRATIONS}/*.js` },
    context: sequelize.getQueryInterface(),
    storage: new SequelizeStorage({ sequelize }),
    logger: undefined,
  });
  return (await umzug.up()).map((migration) => migration.name);
}
