import type { Sequelize } from 'sequelize';

/** One advisory lock number for every examgate process on a database: "examgate" in ASCII. */
const STARTUP_LOCK = '7311147627453453413';

interface PgConnection {
  query(text: string, values: unknown[]): Promise<unknown>;
}

/** Held while a process changes the schema at start; `release` lets the next one go. */
export interface StartupLock {
  release(): Promise<void>;
}

/**
 * Start-up's schema work (examgate's migrations, ltijs's storage setup, re-sealing stored
 * secrets) done by one process at a time. Several processes started together (systemd's
 * units at boot, an upgrade rolled out to all at once) would otherwise run the same
 * migration side by side and fail on each other's tables. On PostgreSQL a session-level
 * advisory lock on one connection of the pool, held until `release`; the others queue on it
 * and find the work done. SQLite is one machine's file, opened by one process: nothing to hold.
 */
export async function holdStartupLock(sequelize: Sequelize): Promise<StartupLock> {
  if (sequelize.getDialect() !== 'postgres') {
    return { release: async () => undefined };
  }
  const manager = sequelize.connectionManager;
  const connection = (await manager.getConnection({ type: 'write' })) as PgConnection;
  try {
    await connection.query('SELECT pg_advisory_lock($1)', [STARTUP_LOCK]);
  } catch (err) {
    manager.releaseConnection(connection);
    throw err;
  }
  return {
    release: async () => {
      try {
        await connection.query('SELECT pg_advisory_unlock($1)', [STARTUP_LOCK]);
      } finally {
        manager.releaseConnection(connection);
      }
    },
  };
}
