import { QueryTypes, type Sequelize } from 'sequelize';
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
 * processes counting at once never lose a hit.
 */
export class ThrottleRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /**
   * Adds one to each counter, starting it afresh when its stored window is older than the hit's
   * (a process whose clock lags counts into the newer window rather than resetting it), and
   * returns every counter's state, keyed "bucket subject".
   */
  async increment(hits: CounterHit[]): Promise<Map<string, WindowCount>> {
    if (hits.length === 0) {
      return new Map();
    }
    const replacements: Record<string, string | number> = {};
    const values = hits.map((hit, i) => {
      Object.assign(replacements, { [`b${i}`]: hit.bucket, [`s${i}`]: hit.subject, [`w${i}`]: hit.windowStart, [`e${i}`]: hit.expiresAt });
      return `(:b${i}, :s${i}, :w${i}, 1, :e${i})`;
    });
    // The leading comment matters: Sequelize's SQLite dialect runs SQL that starts with
    // "INSERT INTO" without reading rows back, which would drop what RETURNING gives.
    const rows = await this.sequelize.query<CounterRow>(
      `/* count and read back */ INSERT INTO throttle_counters (bucket, subject, window_start, hits, expires_at) VALUES ${values.join(', ')}
       ON CONFLICT (bucket, subject) DO UPDATE SET
         hits = CASE WHEN throttle_counters.window_start >= excluded.window_start THEN throttle_counters.hits + 1 ELSE 1 END,
         window_start = CASE WHEN throttle_counters.window_start >= excluded.window_start
                             THEN throttle_counters.window_start ELSE excluded.window_start END,
         expires_at = CASE WHEN throttle_counters.expires_at >= excluded.expires_at
                           THEN throttle_counters.expires_at ELSE excluded.expires_at END
       RETURNING bucket, subject, window_start, hits`,
      { replacements, type: QueryTypes.SELECT },
    );
    return new Map(rows.map((row) => [`${row.bucket} ${row.subject}`, toCount(row)]));
  }

  async read(bucket: string, subject: string): Promise<WindowCount | null> {
    const rows = await this.sequelize.query<CounterRow>(
      'SELECT bucket, subject, window_start, hits FROM throttle_counters WHERE bucket = :bucket AND subject = :subject',
      { replacements: { bucket, subject }, type: QueryTypes.SELECT },
    );
    return rows[0] ? toCount(rows[0]) : null;
  }

  async clear(bucket: string, subject: string): Promise<void> {
    await this.sequelize.query('DELETE FROM throttle_counters WHERE bucket = :bucket AND subject = :subject', {
      replacements: { bucket, subject },
    });
  }

  async deleteExpired(nowMs: number): Promise<void> {
    await this.sequelize.query('DELETE FROM throttle_counters WHERE expires_at <= :nowMs', { replacements: { nowMs } });
  }
}
