import type { AuditBy, AuditChange } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { Logger } from '../logger.js';
import { deploymentAudit, movedIntoAudit, platformAudit } from './platform-audit.js';
import { PlatformMoveRefusedError, PlatformNotFoundError } from './platform.errors.js';
import type { Platform } from './platform.js';
import type { PlatformRepository } from './platform.repository.js';
import type { LtiPlatformRegistry } from './platform.service.js';
import type { RegistrationTokenRepository } from './registration-token.repository.js';

/** How much of a platform's tenant examgate holds. */
export interface TenantCounts {
  courses: number;
  tests: number;
  candidates: number;
}

/** What a move needs from the domains that keep a tenant's data (courses, tests, candidates, sessions). */
export interface TenantContents {
  countsOf(platformId: string): Promise<TenantCounts>;
  /** Drops the platform's courses if none holds a test, in `unit`; false (nothing dropped) when one does. */
  removeEmptyCourses(platformId: string, unit: UnitOfWork): Promise<boolean>;
  endSessions(platformId: string, unit: UnitOfWork): Promise<void>;
}

/** A platform with what it holds, for the pages that offer or confirm a move. */
export interface PlatformWithCounts {
  platform: Platform;
  counts: TenantCounts;
}

export interface MovePlan {
  /** The platform that keeps its courses, tests and candidates and takes the new registration. */
  from: PlatformWithCounts;
  /** The new registration (a platform of its own until the move): client id, endpoints, deployments. */
  to: PlatformWithCounts;
}

/**
 * Moves a platform to a new registration of the same LMS — what a Moodle administrator who
 * registers examgate again (a new client id for the same issuer) needs, so the same courses
 * keep their tests and candidates. The new registration arrives as a platform of its own
 * (dynamic registration, or registered by an admin); the move gives the old platform its
 * client id, endpoints, ltijs record (examgate's key pair for it) and deployments, and ends
 * the new one's separate entry. The old platform keeps its id, so courses, tests, candidates,
 * resource links, live sessions and its audit trail stay where they are.
 */
export class PlatformMoveService {
  constructor(
    private readonly repository: PlatformRepository,
    private readonly registrationUrls: RegistrationTokenRepository,
    private readonly lti: LtiPlatformRegistry,
    private readonly audit: AuditService,
    private readonly tenants: TenantContents,
    private readonly options: { onChange?: () => Promise<void> },
    private readonly log: Logger,
  ) {}

  /** The other registrations of the platform's LMS (same issuer), each with what it holds. */
  async sameIssuerAs(platform: Platform): Promise<PlatformWithCounts[]> {
    const others = (await this.repository.list()).filter((p) => p.issuer === platform.issuer && p.id !== platform.id);
    return Promise.all(others.map(async (p) => ({ platform: p, counts: await this.tenants.countsOf(p.id) })));
  }

  countsOf(platformId: string): Promise<TenantCounts> {
    return this.tenants.countsOf(platformId);
  }

  /** Checks that `fromId` can move to the registration of `toId`; the plan says what each holds. */
  async plan(fromId: string, toId: string): Promise<MovePlan> {
    const [from, to] = await Promise.all([this.platform(fromId), this.platform(toId)]);
    refusalOf(from, to);
    const [fromCounts, toCounts] = await Promise.all([this.tenants.countsOf(from.id), this.tenants.countsOf(to.id)]);
    if (toCounts.tests > 0) {
      throw holdsTests(to, toCounts.tests);
    }
    return { from: { platform: from, counts: fromCounts }, to: { platform: to, counts: toCounts } };
  }

  /**
   * Performs the move in one transaction (with its audit entries), then drops ltijs's record
   * of the old client id and refreshes frame-ancestors. Returns the moved platform.
   */
  async move(fromId: string, toId: string, by: AuditBy): Promise<Platform> {
    // Refusals with the plan's words; the transaction checks again, as things may change in between.
    await this.plan(fromId, toId);
    const { before, moved, removed } = await this.repository.transaction(async (unit) => {
      // Read again inside the transaction: what the plan saw may have changed since.
      const [from, to] = await Promise.all([this.platform(fromId, unit), this.platform(toId, unit)]);
      refusalOf(from, to);
      if (!(await this.tenants.removeEmptyCourses(to.id, unit))) {
        throw holdsTests(to, null);
      }
      await this.tenants.endSessions(to.id, unit);
      await this.repository.takeDeployments(from.id, to.id, unit);
      await this.repository.remove(to.id, unit);
      await this.repository.setRegistration(from.id, to, unit);
      await this.registrationUrls.reassignUser(to.id, from, unit);
      const after = (await this.repository.findById(from.id, unit)) as Platform;
      await this.audit.record(by, moveAudit(from, after, to), unit);
      return { before: from, moved: after, removed: to };
    });
    // ltijs's record of the old client id (and examgate's key pair for it) goes; the new one's record stays, now the platform's.
    await this.lti.remove(before.issuer, before.clientId).catch((err: unknown) => {
      this.log.warn({ err, platformId: before.id, clientId: before.clientId }, 'ltijs kept its record of the old client id');
    });
    this.log.info(
      { platformId: moved.id, issuer: moved.issuer, from: before.clientId, to: moved.clientId, removedPlatformId: removed.id },
      'platform moved to a new registration',
    );
    await this.options.onChange?.();
    return moved;
  }

  private async platform(id: string, unit?: UnitOfWork): Promise<Platform> {
    const platform = await this.repository.findById(id, unit);
    if (!platform) {
      throw new PlatformNotFoundError(`with id ${id}`);
    }
    return platform;
  }
}

function refusalOf(from: Platform, to: Platform): void {
  if (from.id === to.id) {
    throw new PlatformMoveRefusedError(`${from.name} cannot be moved to its own registration: choose the new registration of the LMS.`);
  }
  if (from.issuer !== to.issuer) {
    throw new PlatformMoveRefusedError(
      `${from.name} (issuer ${from.issuer}) and ${to.name} (issuer ${to.issuer}) are different LMSs: a platform moves only to a new registration of the same LMS.`,
    );
  }
}

function holdsTests(to: Platform, tests: number | null): PlatformMoveRefusedError {
  const count = tests === null ? 'tests' : `${tests} ${tests === 1 ? 'test' : 'tests'}`;
  return new PlatformMoveRefusedError(
    `${to.name} already holds ${count} of its own, which a move would mix with another platform's. Move the other way round, or delete those tests first.`,
  );
}

/** The platform's change (client id, endpoints, deployments), each deployment dropped or taken over, and the end of the new one's entry. */
function moveAudit(before: Platform, after: Platform, removed: Platform): AuditChange[] {
  const had = new Set(before.deployments.map((d) => d.deploymentId));
  const has = new Set(after.deployments.map((d) => d.deploymentId));
  return [
    platformAudit('move', before, after),
    ...before.deployments.filter((d) => !has.has(d.deploymentId)).map((d) => deploymentAudit(after, 'remove', d, null, d.deploymentId)),
    ...after.deployments.filter((d) => !had.has(d.deploymentId)).map((d) => deploymentAudit(after, 'add', null, d, d.deploymentId)),
    movedIntoAudit(removed, after),
  ];
}
