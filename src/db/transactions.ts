import { Transaction, type Sequelize } from 'sequelize';

const sqliteQueues = new WeakMap<Sequelize, Promise<unknown>>();

/**
 * Runs `work` in a transaction. On SQLite, transactions of this process run one after
 * another: SQLite has a single writer, and node-sqlite3 waits for a lock inside a worker
 * thread, so a dozen transactions contending at once could occupy every worker thread
 * while the one holding the lock waits for a thread to run its next statement (until the
 * busy timeout). They begin IMMEDIATE, taking the write lock up front: a deferred one that
 * reads first and writes later fails at once (SQLITE_BUSY, with no wait) when a statement
 * outside any transaction, such as a job's progress, wrote in between. On PostgreSQL they
 * run side by side and rows are locked where it matters.
 */
export function withTransaction<T>(sequelize: Sequelize, work: (transaction: Transaction) => Promise<T>): Promise<T> {
  if (sequelize.getDialect() !== 'sqlite') {
    return sequelize.transaction(work);
  }
  const previous = sqliteQueues.get(sequelize) ?? Promise.resolve();
  const run = previous.then(() => sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, work));
  sqliteQueues.set(
    sequelize,
    run.catch(() => undefined),
  );
  return run;
}
