import { performance } from 'node:perf_hooks';
import { Sequelize } from 'sequelize';
import type { BenchDatabase } from './databases.js';
import { SEED_004_COLUMNS } from './seed-004-columns.js';

/**
 * PostgreSQL's own COPY of a seed 004 users file into a plain table of 13 text columns (no
 * keys, no checks): the floor a bulk upload is compared with. The server reads `file` itself
 * (it runs on this machine), so the file and its directory must be readable by it. Returns the
 * milliseconds, or why there is no figure.
 */
export async function postgresCopyMs(db: BenchDatabase | undefined, file: string, name: string): Promise<number | string> {
  if (!db) {
    return 'no PostgreSQL in this run';
  }
  const sequelize = new Sequelize(await db.fresh(name), { logging: false });
  try {
    await sequelize.query(`CREATE TABLE users_copy (${SEED_004_COLUMNS.map((_, i) => `c${i} text`).join(', ')})`);
    const t0 = performance.now();
    await sequelize.query(`COPY users_copy FROM '${file}' WITH (FORMAT csv, HEADER true)`);
    return performance.now() - t0;
  } catch (err) {
    return `COPY failed: ${err instanceof Error ? err.message : String(err)}`;
  } finally {
    await sequelize.close();
  }
}
