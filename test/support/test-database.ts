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

/**
 * A database of its own, for a test that must not share the run's (processes with another
 * SECRET_KEY, say): on PostgreSQL `<the run's database>_<suffix>` on the same server, created
 * when missing and emptied; otherwise a fresh SQLite file.
 */
export async function separateDatabaseUrl(suffix: string): Promise<string> {
  const url = process.env.TEST_DATABASE_URL;
  if (!url?.startsWith('postgres')) {
    return `sqlite:${path.join(mkdtempSync(path.join(tmpdir(), `examgate-${suffix}-`)), 'examgate.sqlite')}`;
  }
  const parsed = new URL(url);
  const name = `${decodeURIComponent(parsed.pathname.slice(1))}_${suffix}`.replace(/[^a-zA-Z0-9_]/g, '_');
  const server = new URL(url);
  server.pathname = '/postgres';
  const admin = new Sequelize(server.toString(), { logging: false });
  try {
    const [rows] = await admin.query('SELECT 1 FROM pg_database WHERE datname = :name', { replacements: { name } });
    if (rows.length === 0) {
      await admin.query(`CREATE DATABASE "${name}"`);
    }
  } finally {
    await admin.close();
  }
  parsed.pathname = `/${name}`;
  await emptyDatabase(parsed.toString());
  return parsed.toString();
}
