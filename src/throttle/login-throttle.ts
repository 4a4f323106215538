import type { SideRead } from '../db/side-read.js';
import { NO_SIDE_READ, type ThrottleRule, type ThrottleService } from './throttle.service.js';

/**
 * The rules of one sign-in form. Per account counts failures only, so people who type their
 * password right are never slowed down by an attacker guessing at someone else's account.
 * Per address must allow a whole exam room behind one NAT address (1500 candidates, a few
 * typos each) while stopping one machine from guessing across many accounts.
 */
export interface LoginThrottleRules {
  failuresPerAccount?: ThrottleRule;
  failuresPerAddress?: ThrottleRule;
  attemptsPerAddress?: ThrottleRule;
}

/**
 * The account's throttle key: one account however it is typed (case, surrounding spaces,
 * full-width letters), so an attacker cannot get a fresh failure count per spelling of a
 * name that the sign-in itself would take as the same. Merging spellings only ever throttles
 * sooner, never later.
 */
const accountKey = (account: string) => account.normalize('NFKC').trim().toLowerCase();

export interface LoginAttempt {
  /** The account the person typed (username), when the form has one. */
  account?: string;
  address: string;
}

/** What `beforeAttempt` read: the account's failures in the current window (0 when it has none or the rule is off). */
export interface SeenBeforeAttempt {
  accountFailures: number;
}

/**
 * The throttle of a sign-in form (admin sign-in today; candidate login and entry codes next):
 * `beforeAttempt` before checking credentials, then `failed` or `succeeded`.
 */
export class LoginThrottle {
  constructor(
    private readonly throttle: ThrottleService,
    private readonly rules: LoginThrottleRules,
  ) {}

  /**
   * Throws ThrottledError when this account or address is locked; counts the attempt for the
   * address. What it saw goes to `succeeded`.
   */
  async beforeAttempt(attempt: LoginAttempt): Promise<SeenBeforeAttempt> {
    return (await this.beforeAttemptWith(attempt, NO_SIDE_READ)).seen;
  }

  /**
   * `beforeAttempt`, and the lookup of what the attempt brings (the account a username names, an
   * entry code) in the same round trip on PostgreSQL: every sign-in of an exam morning passes here.
   */
  async beforeAttemptWith<T>(attempt: LoginAttempt, lookup: SideRead<T>): Promise<{ seen: SeenBeforeAttempt; found: T }> {
    const keys = this.failureKeys(attempt);
    const attempts = this.rules.attemptsPerAddress ? [{ rule: this.rules.attemptsPerAddress, key: attempt.address }] : [];
    const { hits, side } = await this.throttle.assertNotLockedThenCount(keys, attempts, lookup);
    const account = keys.findIndex((k) => k.rule === this.rules.failuresPerAccount);
    return { seen: { accountFailures: account < 0 ? 0 : (hits[account] ?? 0) }, found: side };
  }

  /**
   * Throws ThrottledError when this account or address is locked; counts nothing. For callers
   * that present the same secret on every request (an API token, a direct link), where counting
   * each request as an attempt would throttle honest people: only their failures count
   * (`failed`).
   */
  async assertNotLocked(attempt: LoginAttempt): Promise<void> {
    await this.throttle.assertNotLocked(...this.failureKeys(attempt));
  }

  /** `assertNotLocked`, and `lookup` read in the same round trip on PostgreSQL (a direct link's way in). */
  async assertNotLockedWith<T>(attempt: LoginAttempt, lookup: SideRead<T>): Promise<T> {
    return (await this.throttle.assertNotLockedWith(this.failureKeys(attempt), lookup)).side;
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    await this.throttle.recordFailure(...this.failureKeys(attempt));
  }

  /**
   * The account's failures are forgotten; the address's are not (others behind it may be
   * guessing). When `seen` says the account had none a moment ago, there is nothing to forget
   * and no statement is sent: a failure counted in between by another request then stays
   * counted, which can only ever throttle sooner.
   */
  async succeeded(attempt: LoginAttempt, seen?: SeenBeforeAttempt): Promise<void> {
    if (seen?.accountFailures === 0) {
      return;
    }
    if (this.rules.failuresPerAccount && attempt.account !== undefined) {
      await this.throttle.clear({ rule: this.rules.failuresPerAccount, key: accountKey(attempt.account) });
    }
  }

  private failureKeys(attempt: LoginAttempt) {
    const keys = [];
    if (this.rules.failuresPerAccount && attempt.account !== undefined) {
      keys.push({ rule: this.rules.failuresPerAccount, key: accountKey(attempt.account) });
    }
    if (this.rules.failuresPerAddress) {
      keys.push({ rule: this.rules.failuresPerAddress, key: attempt.address });
    }
    return keys;
  }
}
