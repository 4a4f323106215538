import { AsyncLocalStorage } from 'node:async_hooks';
import { Transaction, type Sequelize } from 'sequelize';

const sqliteQueues = new WeakMap<Sequelize, Promise<unknown>>();

/** Set for what a SQLite transaction of this process runs, where the check is on (`checkSharedConnectionUse`). */
const insideSqliteTransaction = new AsyncLocalStorage<true>();

/** Set to 1, `checkSharedConnectionUse` refuses (the test suite turns it on: test/support/hooks.ts). */
const CHECK_SHARED_CONNECTION_ENV = 'EXAMGATE_CHECK_SHARED_CONNECTION';

// Read once: the check sits on every direct statement, the exam-start storm's included. Where
// it is off, no transaction enters `insideSqliteTransaction` either: the check costs nothing in production.
let checkingSharedConnection = process.env[CHECK_SHARED_CONNECTION_ENV] === '1';

/** Turns the check on for this process (and, through the environment, for processes it starts). */
export function enableSharedConnectionCheck(): void {
  process.env[CHECK_SHARED_CONNECTION_ENV] = '1';
  checkingSharedConnection = true;
}

/** Whether the check is on, for the Sequelize wrapper (db/sequelize.ts) that only exists where it is. */
export function sharedConnectionCheckEnabled(): boolean {
  return checkingSharedConnection;
}

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
  const run = previous.then(() =>
    sequelize.transaction({ type: Transaction.TYPES.IMMEDIATE }, (transaction) =>
      checkingSharedConnection ? insideSqliteTransaction.run(true, () => work(transaction)) : work(transaction),
    ),
  );
  sqliteQueues.set(
    sequelize,
    run.catch(() => undefined),
  );
  return run;
}

/**
 * Runs `start` as if no transaction were open, for a write that goes on beside one on purpose
 * without being part of it (a job's progress and lease while its handler's transaction runs):
 * it waits for the lock on its own, and nothing of the transaction waits for it.
 */
export function besideTransaction<T>(start: () => T): T {
  return checkingSharedConnection ? insideSqliteTransaction.exit(start) : start();
}

/**
 * Refuses, where the check is on, a statement sent outside any transaction while one of this
 * process's SQLite transactions is open, from inside its work: SQLite runs such a statement on
 * the one connection every request shares, and when a write on that connection is waiting for
 * the very lock the transaction holds (a job's progress, say), the statement waits behind it
 * and the transaction waits for the statement, until the busy timeout (10 s). Every read and
 * write a transaction's work makes belongs in its unit.
 */
export function checkSharedConnectionUse(statement: string): void {
  if (checkingSharedConnection && insideSqliteTransaction.getStore()) {
    // The statement's start names it; Sequelize's model statements carry their values inline, which stay out.
    throw new Error(`A statement outside the transaction was sent from inside one (pass its unit): ${statement.slice(0, 60)}`);
  }
}
