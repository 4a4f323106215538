import type { DirectSql, SqlValue } from './direct-sql.js';

/**
 * A read that one service hands to another to send with its own statement: a sign-in's
 * account or link lookup goes with the throttle's check, so an exam morning's 1500 sign-ins
 * pay one round trip for both instead of two. The owner of the read keeps its meaning: the
 * carrier only sends the SELECT and gives back its rows.
 *
 * On PostgreSQL the carrier embeds `text` as a WITH query and returns its rows either as JSON
 * (row_to_json: the throttle's statement, whose own rows have other columns) or as the
 * driver's columns (the LTI login's end, lti/login-request.repository.ts). So `read` must take
 * the values of both shapes: JSON's (dates as ISO text, numbers as numbers) and the driver's
 * (dates as Date, or text on SQLite, where the carrier simply runs the read on its own: no
 * network round trip there to save).
 */
export interface SideRead<T> {
  /** A plain SELECT with `?` placeholders; none when nothing needs reading (`read` then gets no rows). */
  statement: { text: string; params: readonly SqlValue[] } | null;
  /** What the rows mean to the read's owner. */
  read(rows: readonly object[]): T;
}

/** Runs `side` on its own (SQLite, or a carrier with no statement of its own to ride on). */
export async function readAlone<T>(sql: DirectSql, side: SideRead<T>): Promise<T> {
  return side.read(side.statement ? await sql.rows(side.statement.text, side.statement.params) : []);
}
