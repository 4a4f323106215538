import { changedFields, type AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { SealedText } from '../secrets/sealed-text.js';
import type { ResealReport } from '../stored-secrets.js';
import type { MailSettings, MailSettingsSource } from './mail-settings.js';
import type { MailSettingsRepository } from './mail-settings.repository.js';

export const SMTP_PASSWORD_PURPOSE = 'examgate smtp password';

/** What the form sends for the password: keep the stored one, set a new one, or remove it. */
export type PasswordChange = { kind: 'keep' } | { kind: 'set'; password: string } | { kind: 'clear' };

export type MailSettingsChange = Omit<MailSettings, 'password'> & { password: PasswordChange };

/** The settings in force, where they came from, and (for the page) whether a password is stored, never the password. */
export interface MailSettingsInForce {
  settings: MailSettings | null;
  source: MailSettingsSource;
  hasPassword: boolean;
}

const AUDITED = ['host', 'port', 'security', 'username', 'fromAddress', 'fromName'] as const;

/** The stored SMTP settings cannot be opened (SECRET_KEY changed without SECRET_KEY_PREVIOUS). */
export class MailPasswordUnreadableError extends Error {
  constructor() {
    super('The stored SMTP password cannot be read with SECRET_KEY: type it again on the e-mail settings page.');
    this.name = 'MailPasswordUnreadableError';
  }
}

/**
 * The installation's SMTP settings: the page's row when saved, else the environment's. Read on
 * every send (one small row), so a change reaches every process at once. Saves are audited
 * field by field; the password only as "changed", never its value.
 */
export class MailSettingsService {
  constructor(
    private readonly repository: MailSettingsRepository,
    private readonly sealed: SealedText,
    private readonly audit: AuditService,
    private readonly fromEnvironment: MailSettings | null,
  ) {}

  async inForce(): Promise<MailSettingsInForce> {
    const stored = await this.repository.get();
    if (!stored) {
      const env = this.fromEnvironment;
      return { settings: env, source: env ? 'environment' : 'none', hasPassword: Boolean(env?.password) };
    }
    const opened = stored.passwordSealed ? this.sealed.open(stored.passwordSealed) : null;
    if (stored.passwordSealed && !opened) {
      throw new MailPasswordUnreadableError();
    }
    const { passwordSealed: _sealed, updatedAt: _at, ...plain } = stored;
    return { settings: { ...plain, password: opened?.plain ?? null }, source: 'page', hasPassword: Boolean(opened) };
  }

  async save(change: MailSettingsChange, by: AuditBy): Promise<void> {
    await this.repository.transaction(async (unit) => {
      const before = await this.repository.get(unit);
      const beforeFields = before ?? this.fromEnvironment;
      const passwordSealed =
        change.password.kind === 'set'
          ? this.sealed.seal(change.password.password)
          : change.password.kind === 'clear'
            ? null
            : (before?.passwordSealed ?? (this.fromEnvironment?.password ? this.sealed.seal(this.fromEnvironment.password) : null));
      const { password: _change, ...fields } = change;
      await this.repository.save({ ...fields, passwordSealed }, new Date(), unit);
      const changes = changedFields(beforeFields, fields, AUDITED);
      if (change.password.kind !== 'keep') {
        changes.password = { from: null, to: change.password.kind === 'set' ? 'changed' : 'removed' };
      }
      await this.audit.record(
        by,
        { entityType: 'mail-settings', entityId: 'installation', action: before ? 'update' : 'create', label: 'E-mail (SMTP)', changes },
        unit,
      );
    });
  }

  /** Start-up: a password sealed under SECRET_KEY_PREVIOUS is sealed again under SECRET_KEY. */
  async reseal(): Promise<ResealReport> {
    const report: ResealReport = { what: 'the SMTP password', total: 0, resealed: 0, unreadable: 0 };
    await this.repository.transaction(async (unit) => {
      const stored = await this.repository.get(unit);
      if (!stored?.passwordSealed) {
        return;
      }
      report.total = 1;
      const opened = this.sealed.open(stored.passwordSealed);
      if (!opened) {
        report.unreadable = 1;
      } else if (opened.stale) {
        const { updatedAt, ...rest } = stored;
        await this.repository.save({ ...rest, passwordSealed: this.sealed.seal(opened.plain) }, updatedAt, unit);
        report.resealed = 1;
      }
    });
    return report;
  }
}
