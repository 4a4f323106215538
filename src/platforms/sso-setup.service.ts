import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import { isUniqueViolation } from '../db/errors.js';
import type { Platform, SsoMatchField } from './platform.js';
import { InvalidSsoSettingError, SsoSetupNotFoundError } from './platform.errors.js';
import type { PlatformService } from './platform.service.js';
import type { SsoSetupRepository } from './sso-setup.repository.js';
import { LMS_IDENTITY, type SsoAuthType, type SsoSetup } from './sso-setup.js';

export const SSO_SETUP_NAME_MAX = 200;

export const MATCH_FIELD_LABELS: Record<SsoMatchField, string> = {
  sub: 'LMS user id',
  sis_id: 'SIS id',
  email: 'e-mail address',
};

/** The name as shown, and the key two names must not share (NFC, lower case, inner spaces collapsed). */
function cleanName(typed: string): { name: string; key: string } {
  const name = typed.normalize('NFC').replace(/\s+/g, ' ').trim();
  return { name, key: name.toLowerCase() };
}

/** A name as typed, cleaned, or refused with the rule it breaks. */
function validName(typed: string): { name: string; key: string } {
  const cleaned = cleanName(typed);
  if (cleaned.name.length === 0 || cleaned.name.length > SSO_SETUP_NAME_MAX) {
    throw new InvalidSsoSettingError(`Give the SSO setup a name of 1 to ${SSO_SETUP_NAME_MAX} characters.`);
  }
  // Control characters (tabs, line breaks) would make two names look alike on the upload form.
  if (/\p{Cc}/u.test(cleaned.name)) {
    throw new InvalidSsoSettingError('The name of an SSO setup cannot hold control characters.');
  }
  return cleaned;
}

/** The SSO setups of a platform and the auth types an SSO import may use. */
export class SsoSetups {
  constructor(
    private readonly repository: SsoSetupRepository,
    private readonly platforms: PlatformService,
    private readonly audit: AuditService,
  ) {}

  list(platformId: string): Promise<SsoSetup[]> {
    return this.repository.list(platformId);
  }

  /** Registers a setup by name (1..200 characters, unique on the platform in any letter case); audited on the platform. */
  async register(platformId: string, typed: string, by: AuditBy): Promise<SsoSetup> {
    const platform = await this.platforms.get(platformId);
    const { name, key } = validName(typed);
    return this.unlessNameTaken(platform, name, () =>
      this.repository.transaction(async (unit) => {
        const setup = await this.repository.insert(platformId, name, key, unit);
        await this.audit.record(by, [setupAudit(platform, 'sso-setup-add', null, setup.name)], unit);
        return setup;
      }),
    );
  }

  /**
   * Renames a setup, with the rules of `register`. Candidates imported with it keep it: they
   * name the setup by id, so the new name shows wherever it did.
   */
  async rename(platformId: string, setupId: string, typed: string, by: AuditBy): Promise<SsoSetup> {
    const platform = await this.platforms.get(platformId);
    const setup = await this.existing(platformId, setupId);
    const { name, key } = validName(typed);
    return this.unlessNameTaken(platform, name, () =>
      this.repository.transaction(async (unit) => {
        await this.repository.rename(platformId, setupId, name, key, unit);
        await this.audit.record(by, [setupAudit(platform, 'sso-setup-rename', setup.name, name)], unit);
        return { ...setup, name };
      }),
    );
  }

  /**
   * Removes a setup no candidate uses. One that candidates were imported with is kept: it is how
   * their sign-in is matched, and removing it would leave them without a way in.
   */
  async remove(platformId: string, setupId: string, by: AuditBy): Promise<SsoSetup> {
    const platform = await this.platforms.get(platformId);
    const setup = await this.existing(platformId, setupId);
    await this.repository.transaction(async (unit) => {
      const used = await this.repository.candidatesUsing(setupId, unit);
      if (used > 0) {
        const who = used === 1 ? '1 candidate was' : `${used} candidates were`;
        throw new InvalidSsoSettingError(
          `"${setup.name}" was not removed: ${who} imported with it, and it is how they are recognised. Remove those candidates (or their tests) first.`,
        );
      }
      await this.repository.remove(platformId, setupId, unit);
      await this.audit.record(by, [setupAudit(platform, 'sso-setup-remove', setup.name, null)], unit);
    });
    return setup;
  }

  private async existing(platformId: string, setupId: string): Promise<SsoSetup> {
    const setup = await this.repository.find(platformId, setupId);
    if (!setup) {
      throw new SsoSetupNotFoundError();
    }
    return setup;
  }

  private async unlessNameTaken<T>(platform: Platform, name: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      if (isUniqueViolation(err)) {
        throw new InvalidSsoSettingError(`${platform.name} already has an SSO setup named "${name}".`);
      }
      throw err;
    }
  }

  /** What an SSO import of this platform may choose, the LMS identity first. */
  async authTypesOf(platformId: string): Promise<SsoAuthType[]> {
    const [platform, setups] = await Promise.all([this.platforms.get(platformId), this.repository.list(platformId)]);
    return [lmsIdentity(platform), ...setups.map((setup) => ({ id: setup.id, label: setup.name }))];
  }

  /** The auth type an import form names, if the platform has it (another platform's setup never). */
  async authType(platformId: string, id: string): Promise<SsoAuthType | null> {
    if (id === LMS_IDENTITY) {
      return lmsIdentity(await this.platforms.get(platformId));
    }
    const setup = await this.repository.find(platformId, id);
    return setup ? { id: setup.id, label: setup.name } : null;
  }

  /** The launch field the platform matches SSO user IDs of its LMS identity on. */
  async matchFieldOf(platformId: string): Promise<SsoMatchField> {
    return (await this.platforms.get(platformId)).ssoMatchField;
  }
}

function lmsIdentity(platform: Platform): SsoAuthType {
  return { id: LMS_IDENTITY, label: `${platform.name} (LMS identity, matched on the ${MATCH_FIELD_LABELS[platform.ssoMatchField]})` };
}

function setupAudit(platform: Platform, action: string, from: string | null, to: string | null) {
  return {
    entityType: 'platform' as const,
    entityId: platform.id,
    action,
    label: platform.name,
    platformId: platform.id,
    changes: { ssoSetup: { from, to } },
  };
}
