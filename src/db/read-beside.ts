import type { SqlValue } from './direct-sql.js';

/**
 * A read of at most one row that another repository's statement can carry (on PostgreSQL, as
 * one of its WITH queries: one round trip instead of two) or run on its own. The repository
 * that owns the table writes it; the one that sends it never reads its columns.
 */
export interface ReadBeside<T> {
  /** A SELECT of at most one row, with `?` placeholders for `params`. */
  text: string;
  params: readonly SqlValue[];
  /** The answer from its row, or from no row (null). */
  fromRow(row: Record<string, unknown> | null): T;
}
