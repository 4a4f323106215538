import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';

/** One kind of database the bench runs on; each tool under test gets its own, empty one. */
export interface BenchDatabase {
  kind: 'sqlite' | 'postgres';
  label: 'SQLite' | 'PostgreSQL';
  /** A DATABASE_URL naming a fresh, empty database for `name` (a tool or a section). */
  fresh(name: string): Promise<string>;
  cleanup(): Promise<void>;
}

export const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/examgate_bench';

/**
 * SQLite files in a temporary directory. The directory sits on the machine's disk, not a
 * RAM disk, so commits pay for the same fsyncs as `./data` would.
 */
export function sqliteDatabase(): BenchDatabase {
  const dir = mkdtempSync(path.join(tmpdir(), 'examgate-bench-'));
  return {
    kind: 'sqlite',
    label: 'SQLite',
    fresh: async (name) => {
      const file = path.join(dir, `${name}.sqlite`);
      for (const suffix of ['', '-wal', '-shm']) {
        rmSync(`${file}${suffix}`, { force: true });
      }
      return `sqlite:${file}`;
    },
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

function withDatabaseName(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

async function withConnection<T>(url: string, work: (sequelize: Sequelize) => Promise<T>): Promise<T> {
  const sequelize = new Sequelize(url, { logging: false });
  try {
    return await work(sequelize);
  } finally {
    await sequelize.close();
  }
}

/** The server's version string, or null when nothing answers at `baseUrl`. */
export async function postgresVersion(baseUrl: string): Promise<string | null> {
  try {
    const rows = await withConnection(withDatabaseName(baseUrl, 'postgres'), (s) => s.query('SHOW server_version', { plain: true }));
    return rows && typeof rows.server_version === 'string' ? `PostgreSQL ${rows.server_version}` : 'PostgreSQL';
  } catch {
    return null;
  }
}

/**
 * Databases `<base>_<name>` on the server of `baseUrl`, created when missing and emptied
 * (public schema dropped) before each use. Needs a role that may CREATE DATABASE.
 */
export function postgresDatabase(baseUrl: string): BenchDatabase {
  const baseName = decodeURIComponent(new URL(baseUrl).pathname.replace(/^\//, '')) || 'examgate_bench';
  return {
    kind: 'postgres',
    label: 'PostgreSQL',
    fresh: async (name) => {
      const database = `${baseName}_${name}`.replace(/[^a-zA-Z0-9_]/g, '_');
      await withConnection(withDatabaseName(baseUrl, 'postgres'), async (s) => {
        const [rows] = await s.query('SELECT 1 FROM pg_database WHERE datname = :database', { replacements: { database } });
        if (rows.length === 0) {
          await s.query(`CREATE DATABASE "${database}"`);
        }
      });
      const url = withDatabaseName(baseUrl, database);
      await withConnection(url, (s) => s.query('DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;'));
      return url;
    },
    cleanup: async () => undefined,
  };
}

/**
 * Transactions committed in the database at `url` so far (PostgreSQL's own count): each
 * statement outside a transaction is one, so the difference over a run is its round trips.
 * PostgreSQL publishes the count about a second after the work, so wait before reading it.
 */
export async function postgresCommits(url: string): Promise<number> {
  return withConnection(url, async (s) => {
    const row = await s.query('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()', { plain: true });
    return Number(row?.xact_commit ?? Number.NaN);
  });
}
