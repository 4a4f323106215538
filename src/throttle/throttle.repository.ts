import type { Sequelize } from 'sequelize';
import { directSql, type DirectSql, type SqlValue } from '../db/direct-sql.js';
import type { WindowCount } from './throttle-window.js';

/** One counted event: which counter, and the window it falls in (epoch milliseconds). */
export interface CounterHit {
  bucket: string;
  subject: string;
  windowStart: number;
  expiresAt: number;
}

interface CounterRow {
  bucket: string;
  subject: string;
  window_start: number | string;
  hits: number | string;
}

const toCount = (row: CounterRow): WindowCount => ({ windowStart: Number(row.window_start), hits: Number(row.hits) });

/**
 * The throttle counters every process shares (table throttle_counters). Counting is one
 * INSERT … ON CONFLICT DO UPDATE … RETURNING, atomic on PostgreSQL and SQLite alike, so two
 * processes counting at once never lose a hit. Every login is counted, so the statements go
 * to the driver directly (db/direct-sql.ts).
 */
export class ThrottleRepository {
  readonly #sql: DirectSql;

  constructor(sequelize: Sequelize) {
    this.#sql = directSql(sequelize);
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
    const params: SqlValue[] = hits.flatMap((hit) => [hit.bucket, hit.subject, hit.windowStart, hit.expiresAt]);
    const rows = await this.#sql.rows<CounterRow>(
      `INSERT INTO throttle_counters (bucket, subject, window_start, hits, expires_at) VALUES ${hits.map(() => '(?, ?, ?, 1, ?)').join(', ')}
       ON CONFLICT (bucket, subject) DO UPDATE SET
         hits = CASE WHEN throttle_counters.window_start >= excluded.window_start THEN throttle_counters.hits + 1 ELSE 1 END,
         window_start = CASE WHEN throttle_counters.window_start >= excluded.window_start
                             THEN throttle_counters.window_start ELSE excluded.window_start END,
         expires_at = CASE WHEN throttle_counters.expires_at >= excluded.expires_at
                           THEN throttle_counters.expires_at ELSE excluded.expires_at END
       RETURNING bucket, subject, window_start, hits`,
      params,
    );
    return new Map(rows.map((row) => [`${row.bucket} ${row.subject}`, toCount(row)]));
  }

  /** The states of several counters in one statement, keyed "bucket subject" (a counter never hit is absent). */
  async readMany(counters: ReadonlyArray<{ bucket: string; subject: string }>): Promise<Map<string, WindowCount>> {
    if (counters.length === 0) {
      return new Map();
    }
    const rows = await this.#sql.rows<CounterRow>(
      `SELECT bucket, subject, window_start, hits FROM throttle_counters WHERE ${counters.map(() => '(bucket = ? AND subject = ?)').join(' OR ')}`,
      counters.flatMap((c) => [c.bucket, c.subject]),
    );
    return new Map(rows.map((row) => [`${row.bucket} ${row.subject}`, toCount(row)]));
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
