import { Sequelize, type Options } from 'sequelize';
import sqlite3 from 'sqlite3';
import { DatabaseUnavailableError, type DatabaseTarget } from './database.js';
import { sharedConnectionCheckEnabled, checkSharedConnectionUse } from './transactions.js';

const SQLITE_PRAGMAS = 'PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;';

/**
 * Opens a sqlite3 Database and tunes it before Sequelize sees it; Sequelize calls this with
 * `new`, and a constructor that returns an object hands that object out. (Sequelize's
 * `afterConnect` hook never runs for SQLite: its SQLite connection manager opens connections
 * itself, so a hook-based setup silently leaves the defaults — rollback journal, 1 s busy
 * timeout, full sync.)
 */
function TunedSqliteDatabase(filename: string, mode: number, callback: (err: Error | null) => void): sqlite3.Database {
  const database = new sqlite3.Database(filename, mode, (err) => {
    if (err) {
      callback(err);
      return;
    }
    database.configure('busyTimeout', 10_000);
    // One statement at a time per connection, the rest queued here rather than in the thread
    // pool: SQLite runs a connection's statements one by one anyway, and each statement that
    // waits for the lock or for the connection would hold a worker thread while it waits.
    // Four autocommit writes waiting for a transaction's lock held all four threads, so the
    // transaction could not run its next statement until every one of them had timed out.
    database.serialize();
    database.exec(SQLITE_PRAGMAS, (execErr) => callback(execErr));
  });
  return database;
}

/**
 * SQLite gives every transaction its own connection; without a busy timeout a second
 * writer fails with SQLITE_BUSY instead of waiting its turn, and WAL lets readers go on
 * while one connection writes. In WAL mode `synchronous = NORMAL` syncs the log at
 * checkpoints instead of at every commit: the database stays consistent after a crash, but
 * a power cut may lose the last few commits (sessions, used nonces) — a fair trade for the
 * embedded default; production runs on PostgreSQL. Passed to Sequelize as its dialect module.
 */
export function withSqliteTuning(options: Options): Options {
  if (options.dialect !== 'sqlite') {
    return options;
  }
  return { ...options, dialectModule: { ...sqlite3, Database: TunedSqliteDatabase } };
}

/** examgate's own connection pool; fails with a clear message when the database does not answer. */
export async function connectSequelize(target: DatabaseTarget): Promise<Sequelize> {
  const sequelize = new Sequelize(target.database, target.username ?? '', target.password ?? undefined, withSqliteTuning(target.options));
  if (sequelize.getDialect() === 'sqlite' && sharedConnectionCheckEnabled()) {
    checkEveryQuery(sequelize);
  }
  try {
    await sequelize.authenticate();
  } catch (err) {
    await sequelize.close().catch(() => undefined);
    throw new DatabaseUnavailableError(target.safeUrl, err);
  }
  return sequelize;
}

/**
 * Every statement Sequelize sends (its models' too: they all go through `query`) passes
 * `checkSharedConnectionUse` first when it has no transaction. Only where the check is on: the
 * wrapper costs a call per statement.
 */
function checkEveryQuery(sequelize: Sequelize): void {
  // Sequelize's overloads cannot be restated one by one; the wrapper passes every argument on as it came.
  const query = sequelize.query.bind(sequelize) as (sql: unknown, options?: { transaction?: unknown }) => Promise<unknown>;
  const checked = async (sql: string | { query: string }, options?: { transaction?: unknown }) => {
    if (!options?.transaction) {
      checkSharedConnectionUse(typeof sql === 'string' ? sql : sql.query);
    }
    return query(sql, options);
  };
  sequelize.query = checked as unknown as typeof sequelize.query;
}
