import { ConnectionError, DatabaseError, TimeoutError } from 'sequelize';
import { DatabaseUnavailableError } from './database.js';

/**
 * Driver codes that mean "the server went away or is overloaded" rather than "this query is
 * wrong": PostgreSQL's connection-exception and operator-intervention classes (08xxx, 57P0x,
 * 53300 too many connections), a socket reset, and SQLite's busy/locked (another writer held
 * the file past the busy timeout).
 */
const OUTAGE_CODES = new Set([
  '08000',
  '08001',
  '08003',
  '08004',
  '08006',
  '57P01',
  '57P02',
  '57P03',
  '53300',
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'SQLITE_BUSY',
  'SQLITE_LOCKED',
]);

function driverCode(err: DatabaseError): string | undefined {
  const parent = err.parent as { code?: unknown } | undefined;
  return typeof parent?.code === 'string' ? parent.code : undefined;
}

/** A driver's own error (node-postgres, sqlite3) seen without Sequelize around it (db/direct-sql.ts): the same codes decide. */
export function asDriverOutage(err: unknown): DatabaseUnavailableError | null {
  if (!(err instanceof Error)) {
    return null;
  }
  const code = (err as { code?: unknown }).code;
  // node-postgres reports a connection that died mid-query without a code.
  if ((typeof code === 'string' && OUTAGE_CODES.has(code)) || /^Connection terminated/.test(err.message)) {
    return new DatabaseUnavailableError(null, err);
  }
  return null;
}

/**
 * The outage behind `err`, if it is one: Sequelize's connection errors (refused, host gone,
 * pool acquire timeout …), a query cut off by a dropped connection, or a busy SQLite file.
 * Anything else (a bad query, a constraint) is not an outage and returns null.
 */
export function asDatabaseOutage(err: unknown): DatabaseUnavailableError | null {
  if (err instanceof DatabaseUnavailableError) {
    return err;
  }
  if (err instanceof ConnectionError || err instanceof TimeoutError) {
    return new DatabaseUnavailableError(null, err);
  }
  if (err instanceof DatabaseError) {
    const code = driverCode(err);
    // node-postgres reports a connection that died mid-query without a code.
    const terminated = /^Connection terminated/.test(err.parent?.message ?? '');
    if ((code && OUTAGE_CODES.has(code)) || terminated) {
      return new DatabaseUnavailableError(null, err);
    }
  }
  return null;
}
