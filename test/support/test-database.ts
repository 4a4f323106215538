import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';

/**
 * The database every test of this run uses: PostgreSQL when TEST_DATABASE_URL names one
 * (CI runs the suite once on each), otherwise a fresh SQLite file.
 */
export function testDatabaseUrl(): string {
  const url = process.env.TEST_DATABASE_URL;
  if (url) {
    return url;
  }
  return `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), 'examgate-test-')), 'examgate.sqlite')}`;
}

/** Starts from an empty PostgreSQL schema so migrations run once, from scratch, per run. */
export async function emptyDatabase(url: string): Promise<void> {
  if (!url.startsWith('postgres')) {
    return;
  }
  const sequelize = new Sequelize(url, { logging: false });
  try {
    await sequelize.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;');
  } finally {
    await sequelize.close();
  }
}
