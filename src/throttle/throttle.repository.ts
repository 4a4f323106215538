import { randomInt } from 'node:crypto';
import type { Sequelize } from 'sequelize';
import { directSql, type DirectSql, type SqlValue } from '../db/direct-sql.js';
import { insertSelectText, insertValuesText, type RowInsert } from '../db/row-insert.js';
import { readAlone, type SideRead } from '../db/side-read.js';
import type { WindowCount } from './throttle-window.js';

/** One counted event: which counter, and the window it falls in (epoch milliseconds). */
export interface CounterHit {
  bucket: string;
  subject: string;
  windowStart: number;
  expiresAt: number;
  /** Rows the counter is spread over on PostgreSQL (ThrottleRule.shards); 1 or absent: one row. */
  shards?: number;
}

/** A hit and the limit its counter may reach (a count above it refuses the request). */
export interface LimitedHit extends CounterHit {
  limit: number;
}

interface CounterRow {
  bucket: string;
  subject: string;
  window_start: number | string;
  hits: number | string;
}

const toCount = (row: CounterRow): WindowCount => ({ windowStart: Number(row.window_start), hits: Number(row.hits) });
const keyOf = (row: { bucket: string; subject: string }) => `${row.bucket} ${row.subject}`;

/** A counter that, when at or over `limit` within a window that started after `activeSince`, stops the hits (a lock). */
export interface CounterLock {
  bucket: string;
  subject: string;
  /** Epoch ms: a stored window starting at or before this one has ended. */
  activeSince: number;
  limit: number;
}

/** `INSERT INTO throttle_counters … VALUES …` for `count` hits: four parameters each (bucket, subject, window start, expiry). */
const countText = (count: number) =>
  `INSERT INTO throttle_counters (bucket, subject, window_start, hits, expires_at) VALUES ${Array.from({ length: count }, () => '(?, ?, ?, 1, ?)').join(', ')}`;

const hitParams = (hits: readonly CounterHit[]): SqlValue[] =>
  hits.flatMap((hit) => [hit.bucket, hit.subject, hit.windowStart, hit.expiresAt]);

/** The ON CONFLICT of every count: a hit adds one, or starts afresh in a newer window. */
const COUNT_ON_CONFLICT = `ON CONFLICT (bucket, subject) DO UPDATE SET
         hits = CASE WHEN throttle_counters.window_start >= excluded.window_start THEN throttle_counters.hits + 1 ELSE 1 END,
         window_start = CASE WHEN throttle_counters.window_start >= excluded.window_start
                             THEN throttle_counters.window_start ELSE excluded.window_start END,
         expires_at = CASE WHEN throttle_counters.expires_at >= excluded.expires_at
                           THEN throttle_counters.expires_at ELSE excluded.expires_at END`;

const shardsOf = (hits: readonly CounterHit[]) => Math.max(1, ...hits.map((hit) => hit.shards ?? 1));

/**
 * The row a hit counts into: for a sharded counter on PostgreSQL one of its rows at random,
 * under bucket "bucket" (row 0) or "bucket.k" (bucket names have no dot of their own; the
 * subject column is a digest's full width, the bucket column has room).
 */
const shardedHit = (hit: CounterHit): CounterHit => {
  const row = (hit.shards ?? 1) > 1 ? randomInt(hit.shards!) : 0;
  return row === 0 ? hit : { ...hit, bucket: `${hit.bucket}.${row}` };
};

/**
 * The WITH queries that count: the query named counted holds each counter as the hits left
 * it, under its own bucket. Unsharded, that is the INSERT's RETURNING rows; sharded, each
 * returned row plus the other rows of its counter in the same window (as the statement's
 * snapshot sees them).
 */
function countedWith(insert: string, shards: number): string {
  if (shards <= 1) {
    return `counted AS (${insert} RETURNING bucket, subject, window_start, hits)`;
  }
  const base = "split_part(h.bucket, '.', 1)";
  const rows = Array.from({ length: shards }, (_, k) => (k === 0 ? base : `${base} || '.${k}'`)).join(', ');
  return `hit AS (${insert} RETURNING bucket, subject, window_start, hits),
       counted AS (
         SELECT ${base} AS bucket, h.subject, h.window_start,
                h.hits + COALESCE((SELECT sum(t.hits) FROM throttle_counters t
                                    WHERE t.bucket IN (${rows}) AND t.bucket <> h.bucket AND t.subject = h.subject
                                      AND t.window_start >= h.window_start), 0) AS hits
           FROM hit h)`;
}

/** A row of a statement that returns several parts: counters read or hit, and the rows of a side read (as JSON). */
type PartRow = CounterRow & { part: 'seen' | 'hit' | 'side'; side: object | null };

/** The WITH query, the UNION ALL branch and the values that carry `side` in a throttle statement (nothing without a statement). */
function carry(side: SideRead<unknown>): { query: string; rows: string; params: readonly SqlValue[] } {
  if (!side.statement) {
    return { query: '', rows: '', params: [] };
  }
  return {
    query: `side_read AS (${side.statement.text}), `,
    rows: `\n       UNION ALL SELECT 'side' AS part, NULL, NULL, NULL, NULL, row_to_json(s) FROM side_read s`,
    params: side.statement.params,
  };
}

const partOf = (rows: readonly PartRow[], which: 'seen' | 'hit') =>
  new Map(rows.filter((row) => row.part === which).map((row) => [keyOf(row), toCount(row)]));

const sideOf = <T>(side: SideRead<T>, rows: readonly PartRow[]): T =>
  side.read(rows.flatMap((row) => (row.part === 'side' && row.side ? [row.side] : [])));

function isLocked(lock: CounterLock, state: WindowCount | undefined): boolean {
  return state !== undefined && state.windowStart > lock.activeSince && state.hits >= lock.limit;
}

/**
 * The throttle counters every process shares (table throttle_counters). Counting is one
 * INSERT … ON CONFLICT DO UPDATE … RETURNING, atomic on PostgreSQL and SQLite alike, so two
 * processes counting at once never lose a hit. Every login is counted, so the statements go
 * to the driver directly (db/direct-sql.ts). A sharded counter (ThrottleRule.shards) is
 * several rows on PostgreSQL, counted into at random and summed in the same statement; on
 * SQLite, where writers take turns for the whole file anyway, it stays one row.
 */
export class ThrottleRepository {
  readonly #sql: DirectSql;

  readonly #postgres: boolean;

  constructor(sequelize: Sequelize) {
    this.#sql = directSql(sequelize);
    this.#postgres = sequelize.getDialect() === 'postgres';
  }

  /**
   * Adds one to each counter, starting it afresh when its stored window is older than the hit's
   * (a process whose clock lags counts into the newer window rather than resetting it), and
   * returns every counter's state, keyed "bucket subject".
   */
  async increment(hits: CounterHit[]): Promise<Map<string, WindowCount>> {
    if (hits.length === 0) {
      return new Map();
    }
    const shards = this.#postgres ? shardsOf(hits) : 1;
    const rows = await this.#sql.rows<CounterRow>(
      shards > 1
        ? `WITH ${countedWith(`${countText(hits.length)} ${COUNT_ON_CONFLICT}`, shards)}
           SELECT bucket, subject, window_start, hits FROM counted`
        : `${countText(hits.length)}
           ${COUNT_ON_CONFLICT}
           RETURNING bucket, subject, window_start, hits`,
      hitParams(shards > 1 ? hits.map(shardedHit) : hits),
    );
    return new Map(rows.map((row) => [keyOf(row), toCount(row)]));
  }

  /**
   * Counts `hits` as `increment` does, and inserts `row` unless a counter is then over its
   * limit (the request is refused: ThrottleService.count), so a refused request leaves no row.
   * Returns every counter's state. On PostgreSQL one statement: the insert is conditional on
   * the counts that the same statement returns (a data-modifying WITH query's RETURNING rows
   * are the rows as it wrote them), so one round trip does what took two. On SQLite (no
   * data-modifying WITH, and no network round trip) the count, then the insert.
   */
  async incrementThenInsertUnlessOver(hits: readonly LimitedHit[], row: RowInsert): Promise<Map<string, WindowCount>> {
    if (!this.#postgres || hits.length === 0) {
      const counted = await this.increment([...hits]);
      if (!hits.some((hit) => (counted.get(keyOf(hit))?.hits ?? 0) > hit.limit)) {
        await this.#sql.run(insertValuesText(row), row.values);
      }
      return counted;
    }
    const over = hits.map(() => '(bucket = ? AND subject = ? AND hits > ?)').join(' OR ');
    const rows = await this.#sql.rows<CounterRow>(
      `WITH ${countedWith(`${countText(hits.length)} ${COUNT_ON_CONFLICT}`, shardsOf(hits))},
       guarded AS (${insertSelectText(row)} WHERE NOT EXISTS (SELECT 1 FROM counted WHERE ${over}))
       SELECT bucket, subject, window_start, hits FROM counted`,
      [...hitParams(hits.map(shardedHit)), ...row.values, ...hits.flatMap((hit) => [hit.bucket, hit.subject, hit.limit])],
    );
    return new Map(rows.map((counter) => [keyOf(counter), toCount(counter)]));
  }

  /**
   * A sign-in's throttle: the states of `reads`, then `hits` counted unless a lock in `locks`
   * holds (then `counted` is null and nothing changed), and what `side` reads (the account or
   * link the sign-in brings). On PostgreSQL one statement, the read and the conditional count
   * on one snapshot, so a sign-in storm pays one round trip for its throttle and its lookup; on
   * SQLite (no data-modifying WITH, and no network round trip) the read, the count when no lock
   * held, and the side read.
   */
  async readThenIncrementUnless<T>(
    reads: ReadonlyArray<{ bucket: string; subject: string }>,
    locks: readonly CounterLock[],
    hits: CounterHit[],
    side: SideRead<T>,
  ): Promise<{ read: Map<string, WindowCount>; counted: Map<string, WindowCount> | null; side: T }> {
    if (!this.#postgres || hits.length === 0) {
      const { read, side: beside } = await this.readMany(reads, side);
      const locked = locks.some((lock) => isLocked(lock, read.get(keyOf(lock))));
      return { read, counted: locked ? null : await this.increment(hits), side: beside };
    }
    const seen = reads.length > 0 ? reads.map(() => '(bucket = ? AND subject = ?)').join(' OR ') : 'false';
    const lockedRows =
      locks.length > 0 ? locks.map(() => '(bucket = ? AND subject = ? AND window_start > ? AND hits >= ?)').join(' OR ') : 'false';
    const insert = `INSERT INTO throttle_counters (bucket, subject, window_start, hits, expires_at)
         SELECT v.bucket, v.subject, v.window_start, 1, v.expires_at
           FROM (VALUES ${hits.map(() => '(?::text, ?::text, ?::bigint, ?::bigint)').join(', ')}) AS v (bucket, subject, window_start, expires_at)
          WHERE NOT EXISTS (SELECT 1 FROM seen WHERE ${lockedRows})
         ${COUNT_ON_CONFLICT}`;
    const carried = carry(side);
    const rows = await this.#sql.rows<PartRow>(
      `WITH ${carried.query}seen AS (SELECT bucket, subject, window_start, hits FROM throttle_counters WHERE ${seen}),
       ${countedWith(insert, shardsOf(hits))}
       SELECT 'seen' AS part, bucket, subject, window_start, hits, NULL::json AS side FROM seen
       UNION ALL SELECT 'hit' AS part, bucket, subject, window_start, hits, NULL::json AS side FROM counted${carried.rows}`,
      [
        ...carried.params,
        ...reads.flatMap((r) => [r.bucket, r.subject]),
        ...hitParams(hits.map(shardedHit)),
        ...locks.flatMap((lock) => [lock.bucket, lock.subject, lock.activeSince, lock.limit]),
      ],
    );
    const read = partOf(rows, 'seen');
    const locked = locks.some((lock) => isLocked(lock, read.get(keyOf(lock))));
    return { read, counted: locked ? null : partOf(rows, 'hit'), side: sideOf(side, rows) };
  }

  /**
   * The states of several counters, keyed "bucket subject" (a counter never hit is absent), and
   * what `side` reads; on PostgreSQL in one statement.
   */
  async readMany<T>(
    counters: ReadonlyArray<{ bucket: string; subject: string }>,
    side: SideRead<T>,
  ): Promise<{ read: Map<string, WindowCount>; side: T }> {
    const where = counters.length > 0 ? counters.map(() => '(bucket = ? AND subject = ?)').join(' OR ') : 'false';
    const params = counters.flatMap((c) => [c.bucket, c.subject]);
    if (!this.#postgres || !side.statement) {
      const [rows, beside] = await Promise.all([
        counters.length > 0
          ? this.#sql.rows<CounterRow>(`SELECT bucket, subject, window_start, hits FROM throttle_counters WHERE ${where}`, params)
          : [],
        readAlone(this.#sql, side),
      ]);
      return { read: new Map(rows.map((row) => [keyOf(row), toCount(row)])), side: beside };
    }
    const carried = carry(side);
    const rows = await this.#sql.rows<PartRow>(
      `WITH ${carried.query}seen AS (SELECT bucket, subject, window_start, hits FROM throttle_counters WHERE ${where})
       SELECT 'seen' AS part, bucket, subject, window_start, hits, NULL::json AS side FROM seen${carried.rows}`,
      [...carried.params, ...params],
    );
    return { read: partOf(rows, 'seen'), side: sideOf(side, rows) };
  }

  async read(bucket: string, subject: string): Promise<WindowCount | null> {
    const rows = await this.#sql.rows<CounterRow>(
      'SELECT bucket, subject, window_start, hits FROM throttle_counters WHERE bucket = ? AND subject = ?',
      [bucket, subject],
    );
    return rows[0] ? toCount(rows[0]) : null;
  }

  async clear(bucket: string, subject: string): Promise<void> {
    await this.#sql.run('DELETE FROM throttle_counters WHERE bucket = ? AND subject = ?', [bucket, subject]);
  }

  async deleteExpired(nowMs: number): Promise<void> {
    await this.#sql.run('DELETE FROM throttle_counters WHERE expires_at <= ?', [nowMs]);
  }
}
