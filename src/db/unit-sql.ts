import type { Sequelize } from 'sequelize';
import { numbered, sqliteDate, type SqlValue } from './direct-sql.js';
import { transactionOf, type UnitOfWork } from './unit-of-work.js';

/**
 * Statements inside a unit of work, sent to its transaction's own connection with `?`
 * placeholders and bound values. For the big writes of an import (a 100 000-user bulk upload
 * writes 200 multi-row INSERTs of 500 rows): Sequelize's bulkInsert builds each as escaped
 * text, value by value, which cost more CPU than the database spent storing the rows.
 */
export interface UnitSql {
  run(text: string, params: readonly SqlValue[]): Promise<void>;
  /**
   * PostgreSQL only (null on SQLite): `$n` bound to a whole column of values, for
   * `INSERT … SELECT * FROM unnest($1::text[], …)`. One statement of a few arrays is parsed and
   * planned far faster than a VALUES list of thousands of placeholders.
   */
  readonly runColumns: ((text: string, columns: ReadonlyArray<readonly SqlValue[]>) => Promise<void>) | null;
}

/** The transaction's connection, as Sequelize keeps it (not in its type declarations). */
interface WithConnection {
  connection?: unknown;
}

interface PgClient {
  query(config: { text: string; values: unknown[] }): Promise<unknown>;
}

interface SqliteDatabase {
  run(sql: string, params: unknown[], callback: (err: Error | null) => void): void;
}

/** Runs statements in `unit`; refuses to run outside one (a write here must commit with the rest or not at all). */
export function unitSql(sequelize: Sequelize, unit: UnitOfWork): UnitSql {
  const transaction = transactionOf(unit) as WithConnection | undefined;
  const connection = transaction?.connection;
  if (!connection) {
    throw new Error('unitSql needs a unit of work whose transaction has begun');
  }
  if (sequelize.getDialect() === 'postgres') {
    const client = connection as PgClient;
    return {
      run: async (text, params) => {
        await client.query({ text: numbered(text), values: [...params] });
      },
      runColumns: async (text, columns) => {
        await client.query({ text, values: columns.map((column) => [...column]) });
      },
    };
  }
  const database = connection as SqliteDatabase;
  return {
    run: (text, params) =>
      new Promise<void>((resolve, reject) => {
        const bound = params.map((v) => (v instanceof Date ? sqliteDate(v) : v));
        database.run(text, bound, (err) => (err ? reject(err) : resolve()));
      }),
    runColumns: null,
  };
}

/** `(?, ?, …), (?, ?, …)`: the VALUES list of a multi-row INSERT of `rows` rows of `columns` values each. */
export function valuesList(rows: number, columns: number): string {
  const one = `(${new Array<string>(columns).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(one).join(', ');
}
