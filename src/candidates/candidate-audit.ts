import { changedFields, type AuditChange } from '../audit/audit.js';
import type { Candidate } from './candidate.js';
import type { CandidateChanges, NewCandidate } from './candidate.repository.js';

/** What the audit trail records of a candidate; attempt references and credentials never. */
const AUDITED_FIELDS = [
  'candidateId',
  'source',
  'lmsUserId',
  'name',
  'email',
  'sisId',
  'extraTimeMinutes',
  'building',
  'room',
  'ssoAuthType',
  'ssoUserId',
  'status',
  'withdrawnReason',
] as const;

type Audited = Pick<Candidate, (typeof AUDITED_FIELDS)[number]> & { id: string; examId: string };

/** The audit entry of one change to a candidate, or null when no audited field changed. */
export function candidateAudit(action: string, before: Audited | null, after: Audited | NewCandidate | null): AuditChange | null {
  const subject = (after ?? before) as Audited;
  const changes = changedFields<Audited>(before, after, AUDITED_FIELDS);
  if (Object.keys(changes).length === 0) {
    return null;
  }
  return { entityType: 'candidate', entityId: subject.id, action, label: subject.candidateId, examId: subject.examId, changes };
}

/** The entries that are not null: a list a single `record` writes in one statement. */
export function present(changes: Array<AuditChange | null>): AuditChange[] {
  return changes.filter((c): c is AuditChange => c !== null);
}

/** The editable candidate fields among a set of column changes, in the candidate's own names. */
export function editedValues(changes: CandidateChanges) {
  return {
    ...(changes.extra_time_minutes !== undefined ? { extraTimeMinutes: changes.extra_time_minutes } : {}),
    ...(changes.building !== undefined ? { building: changes.building } : {}),
    ...(changes.room !== undefined ? { room: changes.room } : {}),
  };
}
