import { createHash } from 'node:crypto';
import { ThrottledError } from './throttle.errors.js';
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
   * Throws ThrottledError while any key has reached its rule's limit; counts nothing. Returns
   * the hits each key has in its current window (in the order given; 0 for a rule that is off),
   * read in one statement.
   */
  async assertNotLocked(...keyed: Keyed[]): Promise<number[]> {
    const now = this.clock();
    const on = active(keyed);
    const counters = on.map((k) => ({ bucket: k.rule.bucket, subject: subjectOf(k.key) }));
    const read = await this.counters.readMany(counters);
    const states = on.map((k, i): [Keyed, WindowCount | null] => [k, read.get(`${counters[i]!.bucket} ${counters[i]!.subject}`) ?? null]);
    this.refuseIf(
      states.filter(([{ rule }, state]) => currentHits(rule, state, now) >= rule.limit),
      now,
    );
    return keyed.map((k) => {
      const state = states.find(([candidate]) => candidate === k)?.[1] ?? null;
      return currentHits(k.rule, state, now);
    });
  }

  /**
   * A sign-in's throttle in one go: `assertNotLocked(...locks)`, then, when nothing is locked,
   * `count(...counted)`. A locked key counts nothing, as with the two calls one after the other;
   * on PostgreSQL it is one statement (ThrottleRepository.readThenIncrementUnless). Returns the
   * hits of each of `locks` as `assertNotLocked` does.
   */
  async assertNotLockedThenCount(locks: Keyed[], counted: Keyed[]): Promise<number[]> {
    const now = this.clock();
    const on = active(locks);
    const reads = on.map((k) => ({ bucket: k.rule.bucket, subject: subjectOf(k.key) }));
    const countedOn = active(counted);
    const hits = countedOn.map(({ rule, key }) => {
      const window = windowAt(rule, now);
      return { bucket: rule.bucket, subject: subjectOf(key), windowStart: window.start, expiresAt: window.end };
    });
    const result = await this.counters.readThenIncrementUnless(
      reads,
      on.map((k, i) => ({ ...reads[i]!, activeSince: now - k.rule.windowSeconds * 1000, limit: k.rule.limit })),
      hits,
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
    return locks.map((k) => currentHits(k.rule, states.find(([candidate]) => candidate === k)?.[1] ?? null, now));
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
    const hits = on.map(({ rule, key }) => {
      const window = windowAt(rule, now);
      return { bucket: rule.bucket, subject: subjectOf(key), windowStart: window.start, expiresAt: window.end };
    });
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

function active(keyed: Keyed[]): Keyed[] {
  return keyed.filter((k) => k.rule.limit > 0);
}
