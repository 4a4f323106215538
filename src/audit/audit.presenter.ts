import { WAY_IN_LABELS } from '../sessions/way-in-labels.js';
import { formatInZone } from '../exams/time-zone.js';
import type { AuditActor, AuditEntityType, AuditEntry, AuditValue, AuditVia } from './audit.js';

const VIA_TEXT: Record<AuditVia, string> = {
  page: 'examgate page',
  'admin-page': 'admin page',
  'admin-api': 'admin API',
  cli: 'command line',
  'roster-sync': 'roster sync',
  'enrol-on-launch': 'added on launch',
  launch: 'LTI launch',
  'dynamic-registration': 'dynamic registration',
  startup: 'start-up',
  'sign-in': 'candidate sign-in',
  'direct-link': 'direct link',
  'entry-code': 'entry code',
  'password-reset': 'password reset link',
};

const ENTITY_TEXT: Record<AuditEntityType, string> = {
  platform: 'Platform',
  deployment: 'Deployment',
  exam: 'Test',
  candidate: 'Candidate',
  'sign-in': 'Sign-in',
  'way-in': 'Direct link / entry code',
  settings: 'System settings',
  'permanent-user': 'Permanent user',
  'admin-account': 'Admin account',
  'permanent-list': 'List of permanent users',
  'mail-settings': 'E-mail settings',
  mail: 'E-mail',
  'password-reset': 'Password reset',
};

const FIELD_TEXT: Record<string, string> = {
  title: 'title',
  description: 'description',
  status: 'status',
  opensAt: 'opens',
  closesAt: 'closes',
  timeZone: 'time zone',
  durationMinutes: 'duration (minutes)',
  deliveryUrl: 'delivery URL',
  finishRedirectUrl: 'finish redirect URL',
  candidateIdPolicy: 'candidate-ID policy',
  rosterRoles: 'roster roles',
  enrolOnLaunch: 'add learners on launch',
  openIn: 'open the test in',
  isDemo: 'demo test',
  accessExpiresAt: 'links and codes expire',
  waysIn: 'links and codes',
  reason: 'refused because',
  candidateId: 'candidate ID',
  extraTimeMinutes: 'extra time (minutes)',
  withdrawnReason: 'withdrawn because',
  sisId: 'SIS id',
  lmsUserId: 'LMS user id',
  clientId: 'client id',
  authUrl: 'auth URL',
  tokenUrl: 'token URL',
  jwksUrl: 'JWKS URL',
  newDeploymentPolicy: 'new deployments',
  defaultTimeZone: 'default time zone',
  ssoMatchField: 'SSO user IDs matched on',
  ssoSetup: 'SSO setup',
  ssoAuthType: 'SSO authentication type',
  ssoUserId: 'SSO user ID',
  resourceLink: 'LMS link',
  movedInto: 'registration moved into',
  deploymentIds: 'deployment ids',
  linkLifetimeHours: 'link lifetime (hours)',
  csvDelimiter: 'CSV separator',
  slipPassword: 'slips show the password',
  slipEntryCode: 'slips show the entry code',
  slipLink: 'slips show the direct link and QR code',
};

/** Fields that hold an instant (stored as ISO text): shown in the reader's zone. */
const TIME_FIELDS = new Set(['opensAt', 'closesAt', 'accessExpiresAt', 'expiredAt']);

export function actorText(actor: AuditActor): string {
  if (actor.kind === 'lms-user') {
    return actor.name ? `${actor.name} (LMS user ${actor.sub})` : `LMS user ${actor.sub}`;
  }
  if (actor.kind === 'admin') {
    return actor.ref ? `Administrator (${actor.ref})` : 'Administrator';
  }
  if (actor.kind === 'platform-admin') {
    return `Institution administrator (${actor.ref})`;
  }
  if (actor.kind === 'candidate') {
    return `Candidate (${WAY_IN_LABELS[actor.way]})`;
  }
  if (actor.kind === 'anonymous') {
    return 'Someone not signed in';
  }
  return 'examgate (automatic)';
}

function valueText(field: string, value: AuditValue, zone: string): string {
  if (value === null || value === '') {
    return '(none)';
  }
  if (TIME_FIELDS.has(field) && typeof value === 'string' && !Number.isNaN(Date.parse(value))) {
    return formatInZone(new Date(value), zone);
  }
  if (typeof value === 'boolean') {
    return value ? 'yes' : 'no';
  }
  return String(value);
}

/** One entry as the History pages and the CSV show it; times in `zone` (the test's, or UTC for the admin pages). */
export function presentEntry(entry: AuditEntry, zone: string) {
  const changes = Object.entries(entry.changes).map(([field, { from, to }]) => ({
    field: FIELD_TEXT[field] ?? field,
    from: valueText(field, from, zone),
    to: valueText(field, to, zone),
  }));
  return {
    seq: entry.seq,
    when: formatInZone(entry.at, zone),
    at: entry.at.toISOString(),
    who: actorText(entry.by.actor),
    how: VIA_TEXT[entry.by.via] ?? entry.by.via,
    entity: ENTITY_TEXT[entry.entityType] ?? entry.entityType,
    entityId: entry.entityId,
    label: entry.label ?? entry.entityId,
    action: entry.action,
    platformId: entry.platformId,
    changes,
    changesText: changes.map((c) => `${c.field}: ${c.from} → ${c.to}`).join('; '),
  };
}

export type PresentedEntry = ReturnType<typeof presentEntry>;
