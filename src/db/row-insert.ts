import type { SqlValue } from './direct-sql.js';

/**
 * One row to insert, kept as its parts so that a statement can either insert it as it is or
 * insert it only when a condition holds (`INSERT … SELECT … WHERE`), as the LTI login's
 * throttle does with the login it guards (throttle.repository.ts).
 */
export interface RowInsert {
  table: string;
  /**
   * Each column with its PostgreSQL type. A SELECT list gives its parameters no column to take
   * a type from, so there they carry casts (`?::text`).
   */
  columns: ReadonlyArray<readonly [name: string, postgresType: string]>;
  values: readonly SqlValue[];
}

const names = (row: RowInsert) => row.columns.map(([name]) => name).join(', ');

/** `INSERT INTO table (a, b) VALUES (?, ?)`, for either dialect. */
export function insertValuesText(row: RowInsert): string {
  return `INSERT INTO ${row.table} (${names(row)}) VALUES (${row.columns.map(() => '?').join(', ')})`;
}

/** `INSERT INTO table (a, b) SELECT ?::t1, ?::t2` (PostgreSQL), for a caller to add its WHERE to. */
export function insertSelectText(row: RowInsert): string {
  return `INSERT INTO ${row.table} (${names(row)}) SELECT ${row.columns.map(([, type]) => `?::${type}`).join(', ')}`;
}
