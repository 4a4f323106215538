import { loadConfig } from '../config.js';
import { parseDatabaseUrl } from '../db/database.js';
import { migrateDownAll, migrateUp } from '../db/migrator.js';
import { connectSequelize } from '../db/sequelize.js';
import { holdStartupLock } from '../db/startup-lock.js';

/** `npm run migrate` applies pending migrations; `npm run migrate -- down` reverts them all. */
async function main(): Promise<void> {
  const config = loadConfig();
  const sequelize = await connectSequelize(parseDatabaseUrl(config.DATABASE_URL));
  // Not beside a process that is migrating as it starts (db/startup-lock.ts).
  const lock = await holdStartupLock(sequelize);
  try {
    if (process.argv[2] === 'down') {
      await migrateDownAll(sequelize);
      console.log('Reverted every examgate migration.');
    } else {
      const applied = await migrateUp(sequelize);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date.');
    }
  } finally {
    await lock.release();
    await sequelize.close();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
