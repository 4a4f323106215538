/**
 * The fixed-window arithmetic of the throttle, apart from storage so it can be checked with
 * any clock. A rule allows `limit` counted events per key in each window of `windowSeconds`,
 * windows starting at multiples of the window length since the epoch (so every process
 * computes the same window for the same instant).
 */
export interface ThrottleRule {
  /** Names the counter: one rule, one bucket (e.g. "admin-sign-in-failures"; no dots, which mark a counter's other rows). */
  bucket: string;
  /** Counted events allowed per window; 0 turns the rule off. */
  limit: number;
  windowSeconds: number;
  /**
   * For a rule that every request of a crowd counts (a whole exam room's sign-ins behind one
   * address, every LTI login of a platform): its counter is spread over this many rows on
   * PostgreSQL, so concurrent requests do not queue on one row's lock (each waits for the one
   * before it to commit; measured here: 4× the rate at 30 at once). The count is the rows' sum:
   * exact for hits one after another, while hits in flight at the same moment may not see each
   * other, so up to that many requests can pass over the limit. Only for counted rules, never
   * for a rule read as a lock (failures). 1 or absent: one row.
   */
  shards?: number;
}

/** What storage holds for one (bucket, key). */
export interface WindowCount {
  windowStart: number;
  hits: number;
}

export interface WindowBounds {
  start: number;
  end: number;
}

export function windowAt(rule: ThrottleRule, nowMs: number): WindowBounds {
  const length = rule.windowSeconds * 1000;
  const start = Math.floor(nowMs / length) * length;
  return { start, end: start + length };
}

/** Hits that still count now: a count from an earlier window counts for nothing. */
export function currentHits(rule: ThrottleRule, count: WindowCount | null, nowMs: number): number {
  if (!count) {
    return 0;
  }
  return count.windowStart + rule.windowSeconds * 1000 > nowMs ? count.hits : 0;
}

/** Whole seconds until the window of `count` ends (at least 1), for Retry-After. */
export function secondsUntilReset(rule: ThrottleRule, count: WindowCount, nowMs: number): number {
  const end = count.windowStart + rule.windowSeconds * 1000;
  return Math.max(1, Math.ceil((end - nowMs) / 1000));
}
