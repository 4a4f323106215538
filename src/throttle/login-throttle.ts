import type { ThrottleRule, ThrottleService } from './throttle.service.js';

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

/**
 * The throttle of a sign-in form (admin sign-in today; candidate login and entry codes next):
 * `beforeAttempt` before checking credentials, then `failed` or `succeeded`.
 */
export class LoginThrottle {
  constructor(
    private readonly throttle: ThrottleService,
    private readonly rules: LoginThrottleRules,
  ) {}

  /** Throws ThrottledError when this account or address is locked; counts the attempt for the address. */
  async beforeAttempt(attempt: LoginAttempt): Promise<void> {
    await this.throttle.assertNotLocked(...this.failureKeys(attempt));
    if (this.rules.attemptsPerAddress) {
      await this.throttle.count({ rule: this.rules.attemptsPerAddress, key: attempt.address });
    }
  }

  /**
   * Throws ThrottledError when this account or address is locked; counts nothing. For callers
   * that present the same secret on every request (an API token), where counting each request
   * as an attempt would throttle honest scripts: only their failures count (`failed`).
   */
  async assertNotLocked(attempt: LoginAttempt): Promise<void> {
    await this.throttle.assertNotLocked(...this.failureKeys(attempt));
  }

  async failed(attempt: LoginAttempt): Promise<void> {
    await this.throttle.recordFailure(...this.failureKeys(attempt));
  }

  /** The account's failures are forgotten; the address's are not (others behind it may be guessing). */
  async succeeded(attempt: LoginAttempt): Promise<void> {
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
