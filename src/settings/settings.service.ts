import type { AuditBy } from '../audit/audit.js';
import { changedFields } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import { InvalidSettingsError } from './settings.errors.js';
import type { SettingsRepository } from './settings.repository.js';
import {
  effective,
  INSTALLATION,
  NOTHING_SET,
  SETTING_FIELDS,
  type EffectiveSettings,
  type SettingsFallbacks,
  type SettingsScope,
  type SettingsValues,
} from './settings.js';

export interface SettingsOptions {
  fallbacks: SettingsFallbacks;
  /** How long a read of the table serves before the next one (0: read every time). */
  cacheMs: number;
  /** The platform's name for the audit entry's label, or null when there is no such platform. */
  platformName: (platformId: string) => Promise<string | null>;
  now?: () => number;
}

/** No platform of that id: the settings page answers 404. */
export class SettingsScopeNotFoundError extends Error {
  constructor(scope: string) {
    super(`no platform ${scope}`);
    this.name = 'SettingsScopeNotFoundError';
  }
}

/**
 * The system settings, read on hot paths (every finish, slips page and export): the whole table
 * is kept in memory for `cacheMs` and read again after it. A save here drops the copy at once;
 * another process sharing the database sees the change when its copy expires, so within
 * SETTINGS_CACHE_SECONDS (README: System settings).
 */
export class SystemSettings {
  #cached: { at: number; all: Promise<Map<SettingsScope, SettingsValues>> } | null = null;
  readonly #now: () => number;

  constructor(
    private readonly repository: SettingsRepository,
    private readonly audit: AuditService,
    private readonly options: SettingsOptions,
  ) {
    this.#now = options.now ?? Date.now;
  }

  /** What one scope sets itself (nothing set: every field null). */
  async valuesOf(scope: SettingsScope): Promise<SettingsValues> {
    return (await this.all()).get(scope) ?? NOTHING_SET;
  }

  /** The settings in force for a platform's tests and candidates. */
  async forPlatform(platformId: string): Promise<EffectiveSettings> {
    const all = await this.all();
    return effective(all.get(platformId) ?? NOTHING_SET, all.get(INSTALLATION) ?? NOTHING_SET, this.options.fallbacks);
  }

  /** The installation's settings as a platform that sets nothing has them. */
  async forInstallation(): Promise<EffectiveSettings> {
    return effective(NOTHING_SET, await this.valuesOf(INSTALLATION), this.options.fallbacks);
  }

  /**
   * Saves one scope's values whole, with an audit entry of what changed (old → new; the settings
   * hold no secret). InvalidSettingsError when slips would show no way in at all.
   */
  async save(scope: SettingsScope, values: SettingsValues, by: AuditBy): Promise<void> {
    const label = scope === INSTALLATION ? 'Installation' : await this.options.platformName(scope);
    if (label === null) {
      throw new SettingsScopeNotFoundError(scope);
    }
    await this.repository.transaction(async (unit) => {
      const all = await this.repository.all(unit);
      const before = all.get(scope) ?? NOTHING_SET;
      const installation = scope === INSTALLATION ? values : (all.get(INSTALLATION) ?? NOTHING_SET);
      assertSlipsShowAWayIn(effective(scope === INSTALLATION ? NOTHING_SET : values, installation, this.options.fallbacks));
      await this.record(scope, label, before, values, by, unit);
      await this.repository.save(scope, values, new Date(this.#now()), unit);
    });
    this.forget();
  }

  /** Drops the in-memory copy: the next read goes to the database. */
  forget(): void {
    this.#cached = null;
  }

  private async record(scope: SettingsScope, label: string, before: SettingsValues, after: SettingsValues, by: AuditBy, unit: UnitOfWork) {
    const changes = changedFields(before, after, SETTING_FIELDS);
    if (Object.keys(changes).length === 0) {
      return;
    }
    const platformId = scope === INSTALLATION ? null : scope;
    await this.audit.record(by, { entityType: 'settings', entityId: scope, action: 'update', label, platformId, changes }, unit);
  }

  private all(): Promise<Map<SettingsScope, SettingsValues>> {
    const now = this.#now();
    if (!this.#cached || now - this.#cached.at >= this.options.cacheMs) {
      const all = this.repository.all();
      // A failed read is not kept: the next caller tries again.
      all.catch(() => {
        if (this.#cached?.all === all) {
          this.#cached = null;
        }
      });
      this.#cached = { at: now, all };
    }
    return this.#cached.all;
  }
}

function assertSlipsShowAWayIn(settings: EffectiveSettings): void {
  const { password, entryCode, link } = settings.slips;
  if (!password && !entryCode && !link) {
    throw new InvalidSettingsError([
      { field: 'slipPassword', message: 'Slips must show at least one way in: the password, the entry code or the direct link.' },
    ]);
  }
}
