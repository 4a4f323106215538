import { createHash } from 'node:crypto';
import { ThrottledError } from './throttle.errors.js';
import type { RowInsert } from '../db/row-insert.js';
import type { SideRead } from '../db/side-read.js';
import type { ThrottleRepository } from './throttle.repository.js';
import { currentHits, secondsUntilReset, windowAt, type ThrottleRule, type WindowCount } from './throttle-window.js';

export type { ThrottleRule } from './throttle-window.js';

/** One rule applied to one key (an address, an account name, an issuer and client id). */
export interface Keyed {
  rule: ThrottleRule;
  key: string;
}

/** Keys are stored as digests: counters hold no addresses or account names. */
const subjectOf = (key: string) => createHash('sha256').update(key).digest('hex');

/**
 * Counts events per (rule, key) in fixed windows kept in the database, so every examgate
 * process behind a load balancer counts into the same counters. Two ways to use it:
 * - every attempt: `count` (refuses once a key is over its limit);
 * - failures only (logins): `assertNotLocked` before trying, `recordFailure` after a wrong
 *   password, `clear` after a success.
 * Rules whose limit is 0 are off. Refusals are ThrottledError, which says when to try again.
 */
export class ThrottleService {
  constructor(
    private readonly counters: ThrottleRepository,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Counts one attempt against every rule (one statement) and throws ThrottledError when any is over its limit. */
  async count(...keyed: Keyed[]): Promise<void> {
    const now = this.clock();
    const states = await this.increment(keyed, now);
    this.refuseIf(
      states.filter(([{ rule }, state]) => currentHits(rule, state, now) > rule.limit),
      now,
    );
  }

  /**
   * `count(...keyed)`, and `row` inserted only when it refuses nothing: a refused request leaves
   * no row (the LTI login it guards). On PostgreSQL one statement
   * (ThrottleRepository.incrementThenInsertUnlessOver).
   */
  async countThenInsert(keyed: Keyed[], row: RowInsert): Promise<void> {
    const now = this.clock();
    const on = active(keyed);
    const hits = on.map(({ rule, key }) => ({ ...hitAt(rule, key, now), limit: rule.limit }));
    const counted = await this.counters.incrementThenInsertUnlessOver(hits, row);
    const states = on.flatMap((k, i): Array<[Keyed, WindowCount]> => {
      const state = counted.get(`${hits[i]!.bucket} ${hits[i]!.subject}`);
      return state ? [[k, state]] : [];
    });
    this.refuseIf(
      states.filter(([{ rule }, state]) => currentHits(rule, state, now) > rule.limit),
      now,
    );
  }

  /**
   * Throws ThrottledError while any key has reached its rule's limit; counts nothing. Returns
   * the hits each key has in its current window (in the order given; 0 for a rule that is off),
   * read in one statement.
   */
  async assertNotLocked(...keyed: Keyed[]): Promise<number[]> {
    return (await this.assertNotLockedWith(keyed, NO_SIDE_READ)).hits;
  }

  /**
   * `assertNotLocked(...keyed)`, and what `side` reads (on PostgreSQL in the same statement):
   * a direct link's lookup goes with its lock check.
   */
  async assertNotLockedWith<T>(keyed: Keyed[], side: SideRead<T>): Promise<{ hits: number[]; side: T }> {
    const now = this.clock();
    const on = active(keyed);
    const counters = on.map((k) => ({ bucket: k.rule.bucket, subject: subjectOf(k.key) }));
    const { read, side: beside } = await this.counters.readMany(counters, side);
    const states = on.map((k, i): [Keyed, WindowCount | null] => [k, read.get(`${counters[i]!.bucket} ${counters[i]!.subject}`) ?? null]);
    this.refuseIf(
      states.filter(([{ rule }, state]) => currentHits(rule, state, now) >= rule.limit),
      now,
    );
    const hits = keyed.map((k) => {
      const state = states.find(([candidate]) => candidate === k)?.[1] ?? null;
      return currentHits(k.rule, state, now);
    });
    return { hits, side: beside };
  }

  /**
   * A sign-in's throttle in one go: `assertNotLocked(...locks)`, then, when nothing is locked,
   * `count(...counted)`. A locked key counts nothing, as with the two calls one after the other;
   * on PostgreSQL it is one statement (ThrottleRepository.readThenIncrementUnless), which also
   * carries `side` (the account the sign-in names). Returns the hits of each of `locks` as
   * `assertNotLocked` does, and what `side` read (unused when a lock refuses).
   */
  async assertNotLockedThenCount<T>(locks: Keyed[], counted: Keyed[], side: SideRead<T>): Promise<{ hits: number[]; side: T }> {
    const now = this.clock();
    const on = active(locks);
    const reads = on.map((k) => ({ bucket: k.rule.bucket, subject: subjectOf(k.key) }));
    const countedOn = active(counted);
    const hits = countedOn.map(({ rule, key }) => hitAt(rule, key, now));
    const result = await this.counters.readThenIncrementUnless(
      reads,
      on.map((k, i) => ({ ...reads[i]!, activeSince: now - k.rule.windowSeconds * 1000, limit: k.rule.limit })),
      hits,
      side,
    );
    const states = on.map((k, i): [Keyed, WindowCount | null] => [k, result.read.get(`${reads[i]!.bucket} ${reads[i]!.subject}`) ?? null]);
    this.refuseIf(
      states.filter(([{ rule }, state]) => currentHits(rule, state, now) >= rule.limit),
      now,
    );
    const countedStates = countedOn.flatMap((k, i): Array<[Keyed, WindowCount]> => {
      const state = result.counted?.get(`${hits[i]!.bucket} ${hits[i]!.subject}`);
      return state ? [[k, state]] : [];
    });
    this.refuseIf(
      countedStates.filter(([{ rule }, state]) => currentHits(rule, state, now) > rule.limit),
      now,
    );
    return {
      hits: locks.map((k) => currentHits(k.rule, states.find(([candidate]) => candidate === k)?.[1] ?? null, now)),
      side: result.side,
    };
  }

  /** Counts a failure (a wrong password) without refusing this request: the next one is checked. */
  async recordFailure(...keyed: Keyed[]): Promise<void> {
    await this.increment(keyed, this.clock());
  }

  /** Forgets a key's count, e.g. an account's failures once it signed in. */
  async clear(...keyed: Keyed[]): Promise<void> {
    for (const { rule, key } of keyed) {
      await this.counters.clear(rule.bucket, subjectOf(key));
    }
  }

  /** Housekeeping: counters whose window has ended. */
  async deleteExpired(): Promise<void> {
    await this.counters.deleteExpired(this.clock());
  }

  private async increment(keyed: Keyed[], now: number): Promise<Array<[Keyed, WindowCount]>> {
    const on = active(keyed);
    const hits = on.map(({ rule, key }) => hitAt(rule, key, now));
    const states = await this.counters.increment(hits);
    return on.flatMap((k, i): Array<[Keyed, WindowCount]> => {
      const state = states.get(`${hits[i]!.bucket} ${hits[i]!.subject}`);
      return state ? [[k, state]] : [];
    });
  }

  private refuseIf(over: Array<[Keyed, WindowCount | null]>, now: number): void {
    const waits = over.map(([{ rule }, state]) => (state ? secondsUntilReset(rule, state, now) : 1));
    if (waits.length > 0) {
      const seconds = Math.max(...waits);
      throw new ThrottledError(seconds, new Date(now + seconds * 1000));
    }
  }
}

/** No side read: a throttle statement on its own. */
export const NO_SIDE_READ: SideRead<undefined> = { statement: null, read: () => undefined };

/** The counter `key` hits under `rule` at `now`, and the window it counts in. */
function hitAt(rule: ThrottleRule, key: string, now: number) {
  const window = windowAt(rule, now);
  return { bucket: rule.bucket, subject: subjectOf(key), windowStart: window.start, expiresAt: window.end, shards: rule.shards ?? 1 };
}

function active(keyed: Keyed[]): Keyed[] {
  return keyed.filter((k) => k.rule.limit > 0);
}
