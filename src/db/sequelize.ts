import { Sequelize, type Options } from 'sequelize';
import { DatabaseUnavailableError, type DatabaseTarget } from './database.js';

interface SqliteConnection {
  configure(option: 'busyTimeout', ms: number): void;
  exec(sql: string, callback: (err: Error | null) => void): void;
}

/**
 * SQLite gives every transaction its own connection; without a busy timeout a second
 * writer fails at once with SQLITE_BUSY instead of waiting its turn, and WAL lets
 * readers go on while one connection writes. In WAL mode `synchronous = NORMAL` syncs the
 * log at checkpoints instead of at every commit: the database stays consistent after a
 * crash, but a power cut may lose the last few commits (sessions, used nonces) — a fair
 * trade for the embedded default; production runs on PostgreSQL.
 */
export function withSqliteTuning(options: Options): Options {
  if (options.dialect !== 'sqlite') {
    return options;
  }
  return {
    ...options,
    hooks: {
      afterConnect: async (connection: unknown) => {
        const sqlite = connection as SqliteConnection;
        sqlite.configure('busyTimeout', 10_000);
        await new Promise<void>((resolve, reject) =>
          sqlite.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;', (err) =>
            err ? reject(err) : resolve(),
          ),
        );
      },
    },
  };
}

/** examgate's own connection pool; fails with a clear message when the database does not answer. */
export async function connectSequelize(target: DatabaseTarget): Promise<Sequelize> {
  const sequelize = new Sequelize(target.database, target.username ?? '', target.password ?? undefined, withSqliteTuning(target.options));
  try {
    await sequelize.authenticate();
  } catch (err) {
    await sequelize.close().catch(() => undefined);
    throw new DatabaseUnavailableError(target.safeUrl, err);
  }
  return sequelize;
}
