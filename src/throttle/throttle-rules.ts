import type { Config } from '../config.js';
import type { LoginThrottleRules } from './login-throttle.js';
import type { ThrottleRule } from './throttle-window.js';

/** The throttles of examgate's ways in, from the settings (README, "Settings"). */
export interface ThrottleRules {
  adminSignIn: LoginThrottleRules;
  /** Institution admin accounts (/institution): per account as well as the admin address limits. */
  accountSignIn: LoginThrottleRules;
  candidateLogin: LoginThrottleRules;
  ltiLoginPerAddress: ThrottleRule;
  ltiLoginPerPlatform: ThrottleRule;
  ltiRegisterPerAddress: ThrottleRule;
  /** /enter: failures and attempts per address (a code names no account to count by). */
  entryCode: LoginThrottleRules;
  /** POST /go: failures per address (unknown links). */
  directLink: LoginThrottleRules;
}

/**
 * Rows per counter of the rules a crowd counts on every request (ThrottleRule.shards): 16 keeps
 * 100 sign-ins at once from queueing on one row, and a read of the count stays 16 index probes.
 */
const CROWD_SHARDS = 16;

export function throttleRules(config: Config): ThrottleRules {
  const adminWindow = config.ADMIN_SIGN_IN_WINDOW_MINUTES * 60;
  const candidateWindow = config.CANDIDATE_LOGIN_WINDOW_MINUTES * 60;
  const wayInWindow = config.WAY_IN_WINDOW_MINUTES * 60;
  return {
    adminSignIn: {
      failuresPerAddress: {
        bucket: 'admin-sign-in-failures',
        limit: config.ADMIN_SIGN_IN_FAILURES_PER_ADDRESS,
        windowSeconds: adminWindow,
      },
      attemptsPerAddress: {
        bucket: 'admin-sign-in-attempts',
        limit: config.ADMIN_SIGN_IN_ATTEMPTS_PER_ADDRESS,
        windowSeconds: adminWindow,
      },
    },
    accountSignIn: {
      failuresPerAccount: {
        bucket: 'admin-account-failures',
        limit: config.ADMIN_SIGN_IN_FAILURES_PER_ACCOUNT,
        windowSeconds: adminWindow,
      },
      failuresPerAddress: {
        bucket: 'admin-sign-in-failures',
        limit: config.ADMIN_SIGN_IN_FAILURES_PER_ADDRESS,
        windowSeconds: adminWindow,
      },
      attemptsPerAddress: {
        bucket: 'admin-sign-in-attempts',
        limit: config.ADMIN_SIGN_IN_ATTEMPTS_PER_ADDRESS,
        windowSeconds: adminWindow,
      },
    },
    candidateLogin: {
      failuresPerAccount: {
        bucket: 'candidate-login-account',
        limit: config.CANDIDATE_LOGIN_FAILURES_PER_ACCOUNT,
        windowSeconds: candidateWindow,
      },
      failuresPerAddress: {
        bucket: 'candidate-login-failures',
        limit: config.CANDIDATE_LOGIN_FAILURES_PER_ADDRESS,
        windowSeconds: candidateWindow,
      },
      attemptsPerAddress: {
        bucket: 'candidate-login-attempts',
        limit: config.CANDIDATE_LOGIN_ATTEMPTS_PER_ADDRESS,
        windowSeconds: candidateWindow,
        shards: CROWD_SHARDS,
      },
    },
    ltiLoginPerAddress: {
      bucket: 'lti-login-address',
      limit: config.LTI_LOGIN_PER_ADDRESS_PER_MINUTE,
      windowSeconds: 60,
      shards: CROWD_SHARDS,
    },
    ltiLoginPerPlatform: {
      bucket: 'lti-login-platform',
      limit: config.LTI_LOGIN_PER_PLATFORM_PER_MINUTE,
      windowSeconds: 60,
      shards: CROWD_SHARDS,
    },
    entryCode: {
      failuresPerAddress: { bucket: 'entry-code-failures', limit: config.ENTRY_CODE_FAILURES_PER_ADDRESS, windowSeconds: wayInWindow },
      attemptsPerAddress: {
        bucket: 'entry-code-attempts',
        limit: config.ENTRY_CODE_ATTEMPTS_PER_ADDRESS,
        windowSeconds: wayInWindow,
        shards: CROWD_SHARDS,
      },
    },
    directLink: {
      failuresPerAddress: { bucket: 'direct-link-failures', limit: config.DIRECT_LINK_FAILURES_PER_ADDRESS, windowSeconds: wayInWindow },
    },
    ltiRegisterPerAddress: { bucket: 'lti-register-address', limit: config.LTI_REGISTER_PER_ADDRESS_PER_HOUR, windowSeconds: 3600 },
  };
}
