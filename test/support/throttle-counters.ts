import { QueryTypes } from 'sequelize';
import type { ThrottleRule } from '../../src/throttle/throttle.service.js';
import type { TestWorld } from './examgate-under-test.js';

/**
 * A rule's rows in throttle_counters: one per key, and on PostgreSQL a sharded rule's
 * (ThrottleRule.shards) several more per key, under "bucket.k".
 */
const ROWS_OF_RULE = '(bucket = :bucket OR bucket LIKE :others)';
const ofRule = (rule: ThrottleRule) => ({ bucket: rule.bucket, others: `${rule.bucket}.%` });

/**
 * A preloaded counter must not be reset by its window ending halfway through a test (a minute's
 * window on a loaded machine did): within this much of the end, the next window is waited for.
 */
const WINDOW_END_MARGIN_MS = 10_000;

async function clearOfWindowEnd(rule: ThrottleRule): Promise<void> {
  const length = rule.windowSeconds * 1000;
  const left = length - (Date.now() % length);
  if (left < WINDOW_END_MARGIN_MS) {
    await new Promise((resolve) => setTimeout(resolve, left + 50));
  }
}

/**
 * Puts `key`'s counter of `rule` at `hits` in its current window, as if that many requests had
 * come before: every row the rule had is replaced by that one (the test run's limits are high,
 * so the rest of the suite never meets them).
 */
export async function preloadThrottle(world: TestWorld, rule: ThrottleRule, key: string, hits: number): Promise<void> {
  const { sequelize, throttle } = world.examgate;
  await clearOfWindowEnd(rule);
  await sequelize.query(`DELETE FROM throttle_counters WHERE ${ROWS_OF_RULE}`, { replacements: ofRule(rule) });
  // One row, in the current window: the counter's first row, whatever its sharding.
  await throttle.recordFailure({ rule: { ...rule, shards: 1 }, key });
  await sequelize.query('UPDATE throttle_counters SET hits = :hits WHERE bucket = :bucket', {
    replacements: { hits, bucket: rule.bucket },
  });
}

/** The hits `rule` has counted, one number per key that has any (all its rows summed). */
export async function throttleHits(world: TestWorld, rule: ThrottleRule): Promise<number[]> {
  const rows = await world.examgate.sequelize.query<{ hits: number | string }>(
    `SELECT SUM(hits) AS hits FROM throttle_counters WHERE ${ROWS_OF_RULE} GROUP BY subject ORDER BY subject`,
    { replacements: ofRule(rule), type: QueryTypes.SELECT },
  );
  return rows.map((row) => Number(row.hits));
}
