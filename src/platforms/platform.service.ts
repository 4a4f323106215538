import { SYSTEM, type AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { SideRead } from '../db/side-read.js';
import type { Logger } from '../logger.js';
import { isTimeZone } from '../exams/time-zone.js';
import { assertJwksUsable } from './jwks-check.js';
import {
  SSO_MATCH_FIELDS,
  type Deployment,
  type DeploymentPolicy,
  type Platform,
  type PresetName,
  type SsoMatchField,
} from './platform.js';
import {
  DeploymentNotAllowedError,
  InvalidPlatformError,
  InvalidSsoSettingError,
  type PlatformField,
  PlatformExistsError,
  PlatformNotFoundError,
} from './platform.errors.js';
import { CANVAS_DEFAULT_ISSUER, resolveEndpoints, type Endpoints } from './platform-presets.js';
import { deploymentAudit, platformAudit } from './platform-audit.js';
import type { PlatformRepository } from './platform.repository.js';

/** What registering needs from the LTI layer (ltijs keeps its own copy of each platform). */
export interface LtiPlatformRegistry {
  register(platform: { issuer: string; clientId: string; name: string } & Endpoints): Promise<string>;
  remove(issuer: string, clientId: string): Promise<void>;
}

export interface RegisterPlatformInput {
  issuer?: string;
  clientId: string;
  deploymentIds: string[];
  name?: string;
  preset?: PresetName;
  authUrl?: string;
  tokenUrl?: string;
  jwksUrl?: string;
  newDeploymentPolicy?: DeploymentPolicy | null;
  /** The zone new tests start with; UTC when not given. */
  defaultTimeZone?: string;
  /** Skip fetching the JWKS (for an LMS this machine cannot reach yet). */
  skipJwksCheck?: boolean;
  /** Registered but waiting for an admin's approval (dynamic registration): no launches, no framing. */
  pending?: boolean;
}

const MAX_ID = 255;

/** How each field is named in a sentence; the CLI adds its flag, the form links to the field. */
const LABEL: Record<PlatformField, string> = {
  preset: 'kind of LMS',
  issuer: 'issuer',
  clientId: 'client id',
  deploymentIds: 'deployment id',
  authUrl: 'auth URL',
  tokenUrl: 'token URL',
  jwksUrl: 'JWKS URL',
  defaultTimeZone: 'default time zone',
};

function requireUrl(field: PlatformField, value: string | undefined, allowHttp: boolean): string {
  const label = LABEL[field];
  if (!value) {
    throw new InvalidPlatformError(`${label} is required.`, field);
  }
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidPlatformError(`${label} must be an absolute URL, got "${value}".`, field);
  }
  if (url.protocol !== 'https:' && !(allowHttp && url.protocol === 'http:')) {
    throw new InvalidPlatformError(`${label} must use https://, got "${value}".`, field);
  }
  return value.replace(/\/+$/, '');
}

/** An IANA zone name (Europe/Oslo, UTC); empty means UTC, what a platform had before it could choose. */
function requireTimeZone(value: string | undefined): string {
  const zone = value?.trim() || 'UTC';
  if (zone.length > 64 || !isTimeZone(zone)) {
    throw new InvalidPlatformError(`"${zone.slice(0, 64)}" is not a time zone; use a name like Europe/Oslo or UTC.`, 'defaultTimeZone');
  }
  return zone;
}

function requireId(field: PlatformField, value: string | undefined): string {
  const trimmed = value?.trim() ?? '';
  if (trimmed.length === 0 || trimmed.length > MAX_ID) {
    throw new InvalidPlatformError(`${LABEL[field]} must be 1..${MAX_ID} characters.`, field);
  }
  return trimmed;
}

/** Registers LMS platforms (tenants) and decides which deployments may launch. Every change is in the audit trail. */
export class PlatformService {
  constructor(
    private readonly repository: PlatformRepository,
    private readonly lti: LtiPlatformRegistry,
    private readonly audit: AuditService,
    private readonly options: {
      defaultPolicy: DeploymentPolicy;
      allowHttp: boolean;
      /** Told after the set of platforms changed (the CSP frame-ancestors list follows it). */
      onChange?: () => Promise<void>;
    },
    private readonly log: Logger,
  ) {}

  /** Validates, checks the JWKS answers, then stores the platform in ltijs and in examgate. */
  async register(input: RegisterPlatformInput, by: AuditBy): Promise<Platform> {
    const preset = input.preset ?? 'custom';
    const issuer = requireUrl('issuer', input.issuer ?? (preset === 'canvas' ? CANVAS_DEFAULT_ISSUER : undefined), this.options.allowHttp);
    const clientId = requireId('clientId', input.clientId);
    const deploymentIds = [...new Set(input.deploymentIds.map((d) => requireId('deploymentIds', d)))];
    const defaultTimeZone = requireTimeZone(input.defaultTimeZone);
    // A dynamically registered LMS may name its deployment only in the first launch.
    if (deploymentIds.length === 0 && preset !== 'dynamic') {
      throw new InvalidPlatformError('At least one deployment id is required.', 'deploymentIds');
    }
    const resolved = resolveEndpoints(preset, issuer, { authUrl: input.authUrl, tokenUrl: input.tokenUrl, jwksUrl: input.jwksUrl });
    const endpoints: Endpoints = {
      authUrl: requireUrl('authUrl', resolved.authUrl, this.options.allowHttp),
      tokenUrl: requireUrl('tokenUrl', resolved.tokenUrl, this.options.allowHttp),
      jwksUrl: requireUrl('jwksUrl', resolved.jwksUrl, this.options.allowHttp),
    };
    if (await this.repository.findByIssuerAndClientId(issuer, clientId)) {
      throw new PlatformExistsError(issuer, clientId);
    }
    if (!input.skipJwksCheck) {
      await assertJwksUsable(endpoints.jwksUrl);
    }
    const name = input.name?.trim() || new URL(issuer).host;
    const ltijsPlatformId = await this.lti.register({ issuer, clientId, name, ...endpoints });
    try {
      const fields = {
        issuer,
        clientId,
        name,
        preset,
        ...endpoints,
        newDeploymentPolicy: input.newDeploymentPolicy ?? null,
        defaultTimeZone,
        // The LMS user id (`sub`) until an admin says otherwise: the one field every launch carries.
        ssoMatchField: 'sub' as const,
        ltijsPlatformId,
        status: input.pending ? ('pending' as const) : ('active' as const),
      };
      const platform = await this.insertAudited(fields, deploymentIds, by);
      this.log.info({ platformId: platform.id, issuer, clientId, deploymentIds }, 'platform registered');
      await this.options.onChange?.();
      return platform;
    } catch (err) {
      // Leave no half-registered platform behind in ltijs.
      await this.lti.remove(issuer, clientId);
      throw err;
    }
  }

  private insertAudited(fields: Omit<Platform, 'id' | 'deployments'>, deploymentIds: string[], by: AuditBy): Promise<Platform> {
    return this.repository.transaction(async (transaction) => {
      const platform = await this.repository.insert(fields, deploymentIds, transaction);
      await this.audit.record(by, platformAudit('register', null, platform), transaction);
      return platform;
    });
  }

  list(): Promise<Platform[]> {
    return this.repository.list();
  }

  /** With `unit`, read inside its transaction. */
  async get(id: string, unit?: UnitOfWork): Promise<Platform> {
    const platform = await this.repository.findById(id, unit);
    if (!platform) {
      throw new PlatformNotFoundError(`with id ${id}`);
    }
    return platform;
  }

  findByIssuerAndClientId(issuer: string, clientId: string): Promise<Platform | null> {
    return this.repository.findByIssuerAndClientId(issuer, clientId);
  }

  /**
   * The platform of a launch, for `admitDeployment`: read afresh, with only the launch's own
   * deployment in `deployments`, by the statement that ends the launch's login (one round trip).
   */
  readForLaunch(issuer: string, clientId: string, deploymentId: string): SideRead<Platform | null> {
    return this.repository.readForLaunch(issuer, clientId, deploymentId);
  }

  async remove(id: string, by: AuditBy): Promise<void> {
    const platform = await this.get(id);
    await this.repository.transaction(async (transaction) => {
      await this.repository.remove(id, transaction);
      await this.audit.record(by, platformAudit('remove', platform, null), transaction);
    });
    await this.lti.remove(platform.issuer, platform.clientId);
    this.log.info({ platformId: id, issuer: platform.issuer }, 'platform removed');
    await this.options.onChange?.();
  }

  /** Adds an active deployment, or activates a held one; one that is already active changes nothing. */
  async addDeployment(platformId: string, deploymentId: string, by: AuditBy): Promise<void> {
    const platform = await this.get(platformId);
    const id = requireId('deploymentIds', deploymentId);
    await this.repository.transaction(async (transaction) => {
      const [stored, created] = await this.repository.addDeployment(platformId, id, 'active', 'admin', transaction);
      if (created) {
        await this.audit.record(by, deploymentAudit(platform, 'add', null, stored, id), transaction);
      } else if (stored.status !== 'active') {
        await this.repository.setDeploymentStatus(platformId, id, 'active', transaction);
        await this.audit.record(by, deploymentAudit(platform, 'approve', stored, { status: 'active' }, id), transaction);
      }
    });
  }

  /** Approves a pending platform: from now on it may launch and frame examgate. */
  async approvePlatform(platformId: string, by: AuditBy): Promise<void> {
    const before = await this.get(platformId);
    await this.repository.transaction(async (transaction) => {
      await this.repository.setStatus(platformId, 'active', transaction);
      const change = platformAudit('approve', before, { ...before, status: 'active' });
      await this.audit.record(by, Object.keys(change.changes ?? {}).length > 0 ? [change] : [], transaction);
    });
    this.log.info({ platformId }, 'platform approved');
    await this.options.onChange?.();
  }

  async approveDeployment(platformId: string, deploymentId: string, by: AuditBy): Promise<void> {
    await this.changeDeployment(platformId, deploymentId, async (platform, held, transaction) => {
      if (held.status !== 'active') {
        await this.repository.setDeploymentStatus(platformId, deploymentId, 'active', transaction);
        await this.audit.record(by, deploymentAudit(platform, 'approve', held, { status: 'active' }, deploymentId), transaction);
      }
    });
  }

  async removeDeployment(platformId: string, deploymentId: string, by: AuditBy): Promise<void> {
    await this.changeDeployment(platformId, deploymentId, async (platform, existing, transaction) => {
      await this.repository.removeDeployment(platformId, deploymentId, transaction);
      await this.audit.record(by, deploymentAudit(platform, 'remove', existing, null, deploymentId), transaction);
    });
  }

  async setNewDeploymentPolicy(platformId: string, policy: DeploymentPolicy | null, by: AuditBy): Promise<void> {
    const before = await this.get(platformId);
    await this.repository.transaction(async (transaction) => {
      await this.repository.setPolicy(platformId, policy, transaction);
      const change = platformAudit('update', before, { ...before, newDeploymentPolicy: policy });
      await this.audit.record(by, Object.keys(change.changes ?? {}).length > 0 ? [change] : [], transaction);
    });
  }

  /** The zone new tests of the platform start with (an admin's choice; the LMS sends none). */
  async setDefaultTimeZone(platformId: string, zone: string, by: AuditBy): Promise<Platform> {
    const before = await this.get(platformId);
    const defaultTimeZone = requireTimeZone(zone);
    await this.repository.transaction(async (transaction) => {
      await this.repository.setDefaultTimeZone(platformId, defaultTimeZone, transaction);
      const change = platformAudit('update', before, { ...before, defaultTimeZone });
      await this.audit.record(by, Object.keys(change.changes ?? {}).length > 0 ? [change] : [], transaction);
    });
    return { ...before, defaultTimeZone };
  }

  /** Which launch field the platform's SSO user IDs of "the LMS identity" are matched on; audited. */
  async setSsoMatchField(platformId: string, field: string, by: AuditBy): Promise<Platform> {
    const before = await this.get(platformId);
    const ssoMatchField = SSO_MATCH_FIELDS.find((known): known is SsoMatchField => known === field);
    if (!ssoMatchField) {
      throw new InvalidSsoSettingError('Choose what SSO user IDs are matched on: the LMS user id, the SIS id or the e-mail address.');
    }
    await this.repository.transaction(async (transaction) => {
      await this.repository.setSsoMatchField(platformId, ssoMatchField, transaction);
      const change = platformAudit('update', before, { ...before, ssoMatchField });
      await this.audit.record(by, Object.keys(change.changes ?? {}).length > 0 ? [change] : [], transaction);
    });
    return { ...before, ssoMatchField };
  }

  /** Runs `work` on an existing deployment in one transaction with its audit entry; a missing one is PlatformNotFoundError. */
  private async changeDeployment(
    platformId: string,
    deploymentId: string,
    work: (platform: Platform, deployment: Deployment, transaction: UnitOfWork) => Promise<void>,
  ): Promise<void> {
    const platform = await this.repository.findById(platformId);
    await this.repository.transaction(async (transaction) => {
      const deployment = platform ? await this.repository.findDeployment(platformId, deploymentId, transaction) : null;
      if (!platform || !deployment) {
        throw new PlatformNotFoundError(`deployment ${deploymentId} on platform ${platformId}`);
      }
      await work(platform, deployment, transaction);
    });
  }

  /**
   * Called for every validated launch. ltijs only checks that a deployment id is present;
   * here a known one passes, and a new one under a known client id is accepted and logged
   * or held for approval, by the platform's policy.
   */
  async admitDeployment(platform: Platform, deploymentId: string): Promise<void> {
    if (platform.status !== 'active') {
      // Nothing is recorded for a platform no admin has approved yet.
      throw new DeploymentNotAllowedError(deploymentId, true);
    }
    const known =
      platform.deployments.find((d) => d.deploymentId === deploymentId) ??
      (await this.repository.findDeployment(platform.id, deploymentId));
    if (known) {
      if (known.status !== 'active') {
        throw new DeploymentNotAllowedError(deploymentId, true);
      }
      return;
    }
    const policy = platform.newDeploymentPolicy ?? this.options.defaultPolicy;
    const stored = await this.repository.transaction(async (transaction) => {
      const status = policy === 'accept' ? 'active' : 'pending';
      const [deployment, created] = await this.repository.addDeployment(platform.id, deploymentId, status, 'launch', transaction);
      if (created) {
        const by: AuditBy = { actor: SYSTEM, via: 'launch' };
        await this.audit.record(by, deploymentAudit(platform, 'add', null, deployment, deploymentId), transaction);
      }
      return deployment;
    });
    this.log.warn({ platformId: platform.id, issuer: platform.issuer, deploymentId, policy }, 'new deployment id seen in a launch');
    if (stored.status !== 'active') {
      throw new DeploymentNotAllowedError(deploymentId, true);
    }
  }
}
