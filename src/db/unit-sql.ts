import type { Sequelize } from 'sequelize';
import { numbered, sqliteDate, type SqlValue } from './direct-sql.js';
import { transactionOf, type UnitOfWork } from './unit-of-work.js';

/**
 * Statements inside a unit of work, sent to its transaction's own connection with bound values.
 * For the big writes of an import (a 100 000-user bulk upload writes 200 INSERTs of 500 rows):
 * Sequelize's bulkInsert builds each as escaped text, value by value, which cost more CPU than
 * the database spent storing the rows.
 */
export interface UnitSql {
  run(text: string, params: readonly SqlValue[]): Promise<void>;
  /**
   * Inserts `rows` into `table`, a few hundred per statement. On PostgreSQL each statement is
   * `INSERT … SELECT * FROM unnest($1::text[], …)`, one array per column: it is parsed and planned
   * far faster than a VALUES list of thousands of placeholders (a 100 000-user bulk commit went
   * from 14 s to 8 s). On SQLite, where binding is cheap, a multi-row VALUES list.
   */
  insertRows<T>(table: string, columns: ReadonlyArray<InsertColumn<T>>, rows: readonly T[]): Promise<void>;
}

/** One column of `insertRows`: its name, its PostgreSQL type (for the array), and its value in a row. */
export interface InsertColumn<T> {
  name: string;
  pgType: 'text' | 'boolean' | 'integer' | 'timestamptz';
  value(row: T): SqlValue;
}

/** Rows per INSERT statement: well inside SQLite's limit on bound values for a score of columns. */
const ROWS_PER_INSERT = 500;

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
  const run = runner(sequelize, connection);
  return {
    run,
    insertRows: async (table, columns, rows) => {
      const names = columns.map((c) => c.name).join(', ');
      for (let i = 0; i < rows.length; i += ROWS_PER_INSERT) {
        const chunk = rows.slice(i, i + ROWS_PER_INSERT);
        if (sequelize.getDialect() === 'postgres') {
          const arrays = columns.map((c, n) => `$${n + 1}::${c.pgType}[]`).join(', ');
          await (connection as PgClient).query({
            text: `INSERT INTO ${table} (${names}) SELECT * FROM unnest(${arrays})`,
            values: columns.map((c) => chunk.map((row) => c.value(row))),
          });
        } else {
          await run(
            `INSERT INTO ${table} (${names}) VALUES ${valuesList(chunk.length, columns.length)}`,
            chunk.flatMap((row) => columns.map((c) => c.value(row))),
          );
        }
      }
    },
  };
}

/** `run` on the transaction's own connection: `?` placeholders numbered for PostgreSQL, dates as SQLite stores them. */
function runner(sequelize: Sequelize, connection: unknown): UnitSql['run'] {
  if (sequelize.getDialect() === 'postgres') {
    const client = connection as PgClient;
    return async (text, params) => {
      await client.query({ text: numbered(text), values: [...params] });
    };
  }
  const database = connection as SqliteDatabase;
  return (text, params) =>
    new Promise<void>((resolve, reject) => {
      const bound = params.map((v) => (v instanceof Date ? sqliteDate(v) : v));
      database.run(text, bound, (err) => (err ? reject(err) : resolve()));
    });
}

/** `(?, ?, …), (?, ?, …)`: the VALUES list of a multi-row INSERT of `rows` rows of `columns` values each. */
function valuesList(rows: number, columns: number): string {
  const one = `(${new Array<string>(columns).fill('?').join(', ')})`;
  return new Array<string>(rows).fill(one).join(', ');
}
