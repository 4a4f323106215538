import { changedFields, type AuditChange } from '../audit/audit.js';
import type { Deployment, Platform } from './platform.js';

/** What the audit trail records of a platform: where it is and how it admits deployments. ltijs's internal id never. */
const AUDITED_FIELDS = [
  'issuer',
  'clientId',
  'name',
  'preset',
  'authUrl',
  'tokenUrl',
  'jwksUrl',
  'newDeploymentPolicy',
  'defaultTimeZone',
  'ssoMatchField',
  'status',
  'deploymentIds',
] as const;

function facts(platform: Platform) {
  const { deployments, ltijsPlatformId: _internal, ...rest } = platform;
  return { ...rest, deploymentIds: deployments.map((d) => d.deploymentId).join(', ') };
}

/** The audit entry of a change to a platform (a removal records only its name). */
export function platformAudit(action: string, before: Platform | null, after: Platform | null): AuditChange {
  const platform = (after ?? before) as Platform;
  const changes = action === 'remove' ? {} : changedFields(before && facts(before), after && facts(after), AUDITED_FIELDS);
  return { entityType: 'platform', entityId: platform.id, action, label: platform.name, platformId: platform.id, changes };
}

/** The separate entry of a new registration ends: its registration now belongs to `into` (platform-move.service.ts). */
export function movedIntoAudit(removed: Platform, into: Platform): AuditChange {
  return {
    entityType: 'platform',
    entityId: removed.id,
    action: 'remove',
    label: removed.name,
    platformId: removed.id,
    changes: { movedInto: { from: null, to: into.name } },
  };
}

/** The audit entry of a change to one deployment of a platform. */
export function deploymentAudit(
  platform: Platform,
  action: string,
  before: Pick<Deployment, 'status'> | null,
  after: Pick<Deployment, 'status'> | null,
  deploymentId: string,
): AuditChange {
  return {
    entityType: 'deployment',
    entityId: deploymentId,
    action,
    label: `${deploymentId} on ${platform.name}`,
    platformId: platform.id,
    changes: changedFields(before, after, ['status']),
  };
}
