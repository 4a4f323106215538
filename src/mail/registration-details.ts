import { SYSTEM, type AuditBy } from '../audit/audit.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { isMailAddress } from './mail-settings.js';
import { newPasswordText, registrationText } from './mail-texts.js';
import type { Outbox } from './outbox.service.js';

/** A new user whose details go out; `password` null when none was generated or chosen (the mail then says so). */
export interface RegistrationDetailsUser {
  userId: string;
  username: string;
  email: string | null;
  password: string | null;
  /** For the greeting; optional (the bulk upload has it, a caller may not). */
  name?: string | null;
}

export interface RegistrationDetailsOutcome {
  queued: number;
  /** Users without a usable e-mail address: nothing was queued for them. */
  skipped: Array<{ userId: string; username: string }>;
}

const BY_SYSTEM: AuditBy = { actor: SYSTEM, via: 'admin-page' };

/**
 * Registration details and admin-set passwords by e-mail, queued in the caller's transaction
 * (outbox.service.ts): the user and their mail commit together or not at all.
 */
export class RegistrationDetails {
  constructor(
    private readonly outbox: Outbox,
    private readonly loginUrl: string,
    private readonly platformName: (platformId: string, unit: UnitOfWork) => Promise<string>,
  ) {}

  /**
   * For the bulk upload (and the add-user form): one message per user with an e-mail address
   * (username, password when there is one, the login URL); users without one are returned as
   * skipped. Call `outbox.committed()` (or `committed()` here) after the unit commits.
   */
  async queueRegistrationDetailsIn(
    unit: UnitOfWork,
    platformId: string,
    users: RegistrationDetailsUser[],
    by: AuditBy = BY_SYSTEM,
  ): Promise<RegistrationDetailsOutcome> {
    const platformName = await this.platformName(platformId, unit);
    const sendable = users.filter((u) => u.email && isMailAddress(u.email));
    const skipped = users.filter((u) => !sendable.includes(u)).map(({ userId, username }) => ({ userId, username }));
    await this.outbox.queueManyIn(
      unit,
      sendable.map((u) => ({
        platformId,
        purpose: 'registration' as const,
        to: u.email!,
        ...registrationText({ name: u.name ?? null, username: u.username, password: u.password, loginUrl: this.loginUrl, platformName }),
      })),
      by,
    );
    return { queued: sendable.length, skipped };
  }

  /** The admin's "new password" action, e-mailed to the user. */
  async queueNewPasswordIn(
    unit: UnitOfWork,
    platformId: string,
    user: { email: string; username: string; name: string | null },
    password: string,
    mustChange: boolean,
    by: AuditBy,
  ): Promise<void> {
    await this.outbox.queueIn(
      unit,
      {
        platformId,
        purpose: 'password-reset',
        to: user.email,
        ...newPasswordText({ name: user.name, username: user.username, password, loginUrl: this.loginUrl, mustChange }),
      },
      by,
    );
  }

  committed(): void {
    this.outbox.committed();
  }
}
