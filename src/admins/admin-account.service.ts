import { randomUUID } from 'node:crypto';
import { checkUsername, InvalidUsernameError, usernameKey } from '../access/username-rules.js';
import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { SealedText } from '../secrets/sealed-text.js';
import type { ResealReport } from '../stored-secrets.js';
import { PasswordHasher } from '../security/password-hash.js';
import { generatePassword, PASSWORD_MAX, weakness } from '../security/password-rules.js';
import { newTotpSecret, otpauthUri, verifyTotp } from '../security/totp.js';
import { AdminAccountNotFoundError, InvalidAdminAccountError } from './admin-account.errors.js';
import { AccountClashError, type AdminAccountRepository, type StoredAdminAccount } from './admin-account.repository.js';

/** The HKDF purpose TOTP secrets are sealed under (sealed-text.ts): never change it. */
export const TOTP_SECRET_PURPOSE = 'examgate admin totp secret v1';

export interface AdminAccount {
  id: string;
  platformId: string;
  username: string;
  totpEnabled: boolean;
  createdAt: Date;
}

const publicOf = (a: StoredAdminAccount): AdminAccount => ({
  id: a.id,
  platformId: a.platformId,
  username: a.username,
  totpEnabled: a.totpSealed !== null,
  createdAt: a.createdAt,
});

/**
 * Institution admin accounts: examgate's own username + password (scrypt) per platform, with
 * an optional TOTP second factor. Created by the CLI (the installation's first accounts) or by
 * another admin of the same platform; every change audited, no secret in the trail.
 */
export class AdminAccounts {
  constructor(
    private readonly repository: AdminAccountRepository,
    private readonly audit: AuditService,
    private readonly sealed: SealedText,
    private readonly issuer: string,
    private readonly passwords: PasswordHasher = new PasswordHasher(),
    private readonly now: () => number = Date.now,
  ) {}

  /** A new account; the password is generated (returned once) unless one is given, which must keep the seed 002 rule. */
  async create(
    platformId: string,
    rawUsername: string,
    password: string | null,
    by: AuditBy,
  ): Promise<{ account: AdminAccount; generated: string | null }> {
    const username = this.username(rawUsername);
    const plain = password ?? generatePassword();
    if (password !== null) {
      this.checkStrong(password);
    }
    const stored = await this.repository
      .insert({
        id: randomUUID(),
        platformId,
        username,
        usernameKey: usernameKey(username),
        passwordHash: await this.passwords.hash(plain),
      })
      .catch((err: unknown) => {
        throw err instanceof AccountClashError
          ? new InvalidAdminAccountError(
              'username',
              `The username "${username.slice(0, 80)}" already has an admin account on this platform.`,
            )
          : err;
      });
    await this.record(by, stored, 'create', { username: { from: null, to: username } });
    return { account: publicOf(stored), generated: password === null ? plain : null };
  }

  async list(platformId: string): Promise<AdminAccount[]> {
    return (await this.repository.ofPlatform(platformId)).map(publicOf);
  }

  /** The account, only inside its platform's wall. */
  async get(platformId: string, id: string): Promise<AdminAccount> {
    return publicOf(await this.stored(platformId, id));
  }

  /** The account still there (a session names it by id): null when it was removed. */
  async find(id: string): Promise<AdminAccount | null> {
    const stored = await this.repository.get(id);
    return stored ? publicOf(stored) : null;
  }

  /**
   * The account these credentials open, or null (one answer for a wrong username, password or
   * code). With a second factor the code must belong to a step after the last one accepted:
   * the same code never signs in twice.
   */
  async verify(rawUsername: string, password: string, code: string): Promise<AdminAccount | null> {
    const found = await this.repository.byUsername(usernameKey(rawUsername.normalize('NFC').trim()));
    if (found.length === 0) {
      return this.passwords.verifyNothing(password).then(() => null);
    }
    const matches: StoredAdminAccount[] = [];
    for (const account of found) {
      if (await this.passwords.verify(password, account.passwordHash)) {
        matches.push(account);
      }
    }
    const [account] = matches;
    if (!account || matches.length > 1 || !(await this.secondFactor(account, code))) {
      return null;
    }
    if (this.passwords.needsRehash(account.passwordHash)) {
      await this.repository.setPasswordHash(account.id, await this.passwords.hash(password));
    }
    return publicOf(account);
  }

  /** Starts TOTP enrolment: a new secret waits, unused, until a code from it is confirmed. */
  async startTotp(platformId: string, id: string): Promise<{ secret: string; uri: string }> {
    const account = await this.stored(platformId, id);
    const secret = newTotpSecret();
    await this.repository.setPendingTotp(id, this.sealed.seal(secret));
    return { secret, uri: otpauthUri(this.issuer, account.username, secret) };
  }

  /** The waiting secret and its otpauth URI again (the enrolment page reloaded), or null. */
  async pendingTotp(platformId: string, id: string): Promise<{ secret: string; uri: string } | null> {
    const account = await this.stored(platformId, id);
    const secret = account.totpPendingSealed ? this.sealed.open(account.totpPendingSealed)?.plain : null;
    return secret ? { secret, uri: otpauthUri(this.issuer, account.username, secret) } : null;
  }

  /** Turns the waiting secret on when `code` is one of its current codes. */
  async confirmTotp(platformId: string, id: string, code: string, by: AuditBy): Promise<void> {
    const account = await this.stored(platformId, id);
    const secret = account.totpPendingSealed ? this.sealed.open(account.totpPendingSealed)?.plain : null;
    const step = secret ? verifyTotp(secret, code, this.now(), null) : null;
    if (!secret || step === null) {
      throw new InvalidAdminAccountError('code', 'That code is not right. Type the 6 digits your app shows now for examgate.');
    }
    await this.repository.enableTotp(id, this.sealed.seal(secret), step);
    await this.record(by, account, 'enable-two-step', { twoStep: { from: false, to: true } });
  }

  async disableTotp(platformId: string, id: string, by: AuditBy): Promise<void> {
    const account = await this.stored(platformId, id);
    await this.repository.disableTotp(id);
    await this.record(by, account, 'disable-two-step', { twoStep: { from: account.totpSealed !== null, to: false } });
  }

  /** Start-up after a SECRET_KEY rotation: TOTP secrets sealed under the previous key are sealed again (stored-secrets.ts). */
  async reseal(): Promise<ResealReport> {
    const rows = await this.repository.sealedSecrets();
    const report: ResealReport = { what: 'admin two-step secrets', total: rows.length, resealed: 0, unreadable: 0 };
    for (const row of rows) {
      const opened = this.sealed.open(row.sealed);
      if (!opened) {
        report.unreadable += 1;
      } else if (opened.stale) {
        await this.repository.replaceSealed(row.id, row.sealed, this.sealed.seal(opened.plain));
        report.resealed += 1;
      }
    }
    return report;
  }

  private async secondFactor(account: StoredAdminAccount, code: string): Promise<boolean> {
    if (!account.totpSealed) {
      return true;
    }
    const secret = this.sealed.open(account.totpSealed)?.plain;
    const step = secret ? verifyTotp(secret, code, this.now(), account.totpLastStep) : null;
    return step !== null && (await this.repository.takeStep(account.id, step));
  }

  private username(raw: string): string {
    try {
      return checkUsername(raw);
    } catch (err) {
      throw err instanceof InvalidUsernameError ? new InvalidAdminAccountError('username', err.message) : err;
    }
  }

  private checkStrong(password: string): void {
    const weak = weakness(password);
    if (Array.from(password).length > PASSWORD_MAX) {
      throw new InvalidAdminAccountError('password', `A password is at most ${PASSWORD_MAX} characters.`);
    }
    if (weak) {
      throw new InvalidAdminAccountError('password', `${weak} Admin passwords must keep the rule.`);
    }
  }

  private async stored(platformId: string, id: string): Promise<StoredAdminAccount> {
    const account = await this.repository.get(id);
    if (!account || account.platformId !== platformId) {
      throw new AdminAccountNotFoundError();
    }
    return account;
  }

  private record(
    by: AuditBy,
    account: StoredAdminAccount,
    action: string,
    changes: Record<string, { from: string | boolean | null; to: string | boolean | null }>,
  ) {
    return this.audit.record(by, {
      entityType: 'admin-account',
      entityId: account.id,
      action,
      label: account.username,
      platformId: account.platformId,
      changes,
    });
  }
}
