import type { CandidateWayIn } from '../sessions/candidate-principal.js';

/**
 * The audit trail's vocabulary: who changed what, and how. Routes build an `AuditBy` from the
 * session (or the CLI, a job, a launch) and hand it to the service that makes the change.
 */

/** Who made a change. An LMS user is named by platform + `sub`; an admin has no personal identity (ADMIN_TOKEN). */
export type AuditActor =
  | { kind: 'lms-user'; platformId: string; sub: string; name?: string }
  | { kind: 'admin'; /** Tells one admin sign-in (or the API, or an OS user of the CLI) from another; never a secret. */ ref?: string }
  /** An institution admin of one platform: their own account (admin_accounts.id) or an LTI launch with an institution role. */
  | { kind: 'platform-admin'; platformId: string; ref: string }
  | { kind: 'system' }
  /** A candidate signed in outside the LMS; `candidateId` is candidates.id, `way` how they came in. */
  | { kind: 'candidate'; platformId: string; candidateId: string; way: CandidateWayIn }
  /** Someone not (yet) known: a sign-in with an unknown username, or whoever brought an unknown, withdrawn or expired link or code. */
  | { kind: 'anonymous' };

/** How a change came in. */
export const AUDIT_VIA = [
  'page',
  'admin-page',
  'admin-api',
  'cli',
  'roster-sync',
  'enrol-on-launch',
  'launch',
  'dynamic-registration',
  'startup',
  'sign-in',
  'direct-link',
  'entry-code',
  'password-reset',
] as const;
export type AuditVia = (typeof AUDIT_VIA)[number];

/** Who and how, passed together from the edge to the service. */
export interface AuditBy {
  actor: AuditActor;
  via: AuditVia;
}

export const AUDIT_ENTITIES = [
  'platform',
  'deployment',
  'exam',
  'candidate',
  'sign-in',
  'way-in',
  'permanent-user',
  'admin-account',
  'permanent-list',
  'settings',
  'mail-settings',
  'mail',
  'password-reset',
] as const;
export type AuditEntityType = (typeof AUDIT_ENTITIES)[number];

/** A changed field's values as recorded: text, number, boolean or absent. */
export type AuditValue = string | number | boolean | null;
export type AuditChanges = Record<string, { from: AuditValue; to: AuditValue }>;

/** One change to one entity, as a service describes it. */
export interface AuditChange {
  entityType: AuditEntityType;
  entityId: string;
  /** 'create', 'update', 'delete', 'activate', 'close', 'approve', 'withdraw', 'restore', … */
  action: string;
  /** A readable name at the time (test title, candidate ID, platform name, deployment id). */
  label?: string | null;
  /** The tenant the entity lives in; the admin history filters on it. */
  platformId?: string | null;
  /** The test the entity belongs to (a test's own id for a test); its History lists it. */
  examId?: string | null;
  /** Only the fields that changed; never secrets. */
  changes?: AuditChanges;
}

/** A recorded entry, as read back. */
export interface AuditEntry extends Required<Omit<AuditChange, 'label' | 'platformId' | 'examId'>> {
  seq: number;
  at: Date;
  by: AuditBy;
  label: string | null;
  platformId: string | null;
  examId: string | null;
}

export const SYSTEM: AuditActor = { kind: 'system' };

function normalise(value: unknown): AuditValue {
  if (value === undefined || value === null) {
    return null;
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    return value;
  }
  return JSON.stringify(value);
}

/**
 * The fields among `fields` whose values differ between `before` and `after` (null for a
 * side that does not exist). Only listed fields are ever looked at, so a secret added to an
 * entity later never reaches the trail unless someone lists it on purpose.
 */
export function changedFields<T extends object>(before: T | null, after: T | null, fields: readonly (keyof T & string)[]): AuditChanges {
  const changes: AuditChanges = {};
  for (const field of fields) {
    const from = before ? normalise(before[field]) : null;
    const to = after ? normalise(after[field]) : null;
    if (from !== to) {
      changes[field] = { from, to };
    }
  }
  return changes;
}
