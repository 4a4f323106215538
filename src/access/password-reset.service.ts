import { createHash, randomBytes } from 'node:crypto';
import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import { isMailAddress } from '../mail/mail-settings.js';
import { resetLinkText } from '../mail/mail-texts.js';
import type { Outbox } from '../mail/outbox.service.js';
import { fullName } from '../permanent/permanent-user.js';
import type { PermanentUsers } from '../permanent/permanent-user.service.js';
import { ThrottledError } from '../throttle/throttle.errors.js';
import type { ThrottleRule, ThrottleService } from '../throttle/throttle.service.js';
import type { PasswordResetRepository, ResetTarget } from './password-reset.repository.js';

export const RESET_PATH = '/login/reset';

/** Whoever holds a reset link: not known until the link is checked, and never by name. */
const BY_LINK: AuditBy = { actor: { kind: 'anonymous' }, via: 'password-reset' };

/** The link is unknown, used, expired, or its user was deleted: one answer for all. */
export class ResetLinkInvalidError extends Error {
  constructor() {
    super('This password reset link does not work any more: it was used, it expired, or a newer one was sent. Ask for a new one.');
    this.name = 'ResetLinkInvalidError';
  }
}

export interface PasswordResetOptions {
  publicUrl: string;
  minutes: number;
  /** Links sent to one user per window; more requests are answered the same but send nothing. */
  perAccount: ThrottleRule;
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');

/**
 * "Forgot your password?" for permanent users. A request answers the same whether or not the
 * username exists; for each active user of that username with an e-mail address it makes a
 * single-use link (32 random bytes; only its SHA-256 is stored) and queues the e-mail in the
 * same transaction. Every request is audited with its outcome; a token never is.
 */
export class PasswordResets {
  constructor(
    private readonly repository: PasswordResetRepository,
    private readonly users: PermanentUsers,
    private readonly outbox: Outbox,
    private readonly throttle: ThrottleService,
    private readonly audit: AuditService,
    private readonly options: PasswordResetOptions,
  ) {}

  async request(username: string): Promise<void> {
    const users = await this.users.withUsername(username);
    if (users.length === 0) {
      await this.audit.record(BY_LINK, {
        entityType: 'password-reset',
        entityId: '(unknown)',
        action: 'request',
        changes: outcome('unknown-username'),
      });
      return;
    }
    for (const user of users) {
      const entry = {
        entityType: 'password-reset' as const,
        entityId: user.id,
        action: 'request',
        label: user.username,
        platformId: user.platformId,
      };
      if (!user.email || !isMailAddress(user.email)) {
        await this.audit.record(BY_LINK, { ...entry, changes: outcome('no-e-mail-address') });
        continue;
      }
      try {
        await this.throttle.count({ rule: this.options.perAccount, key: user.id });
      } catch (err) {
        if (!(err instanceof ThrottledError)) {
          throw err;
        }
        await this.audit.record(BY_LINK, { ...entry, changes: outcome('throttled') });
        continue;
      }
      const token = randomBytes(32).toString('base64url');
      await this.repository.transaction(async (unit) => {
        await this.repository.replace(user.id, digest(token), new Date(Date.now() + this.options.minutes * 60_000), unit);
        const text = resetLinkText({
          name: fullName(user),
          username: user.username,
          link: `${this.options.publicUrl.replace(/\/$/, '')}${RESET_PATH}/${token}`,
          minutes: this.options.minutes,
        });
        await this.outbox.queueIn(unit, { platformId: user.platformId, purpose: 'password-reset', to: user.email!, ...text }, BY_LINK);
        await this.audit.record(BY_LINK, { ...entry, changes: outcome('link-sent') }, unit);
      });
    }
    this.outbox.committed();
  }

  /** Who a link is for; null when it does not work. */
  target(token: string): Promise<ResetTarget | null> {
    return this.repository.target(digest(token), new Date());
  }

  /**
   * Sets the new password (seed 002 rule: InvalidPermanentUserError, and the link still works)
   * and uses the link up in the same transaction; ResetLinkInvalidError when it no longer works.
   */
  async complete(token: string, password: string): Promise<ResetTarget> {
    const target = await this.target(token);
    if (!target) {
      throw new ResetLinkInvalidError();
    }
    await this.users.changeOwnPassword(
      target.platformId,
      target.userId,
      password,
      BY_LINK,
      async (unit) => {
        if (!(await this.repository.use(digest(token), new Date(), unit))) {
          throw new ResetLinkInvalidError();
        }
      },
      // Someone who had the old password may still be signed in: the reset signs everyone out.
      { endSessions: true },
    );
    return target;
  }

  deleteExpired(): Promise<void> {
    return this.repository.deleteExpired(new Date());
  }
}

function outcome(text: string) {
  return { outcome: { from: null, to: text } };
}
