import type { AuditBy, AuditChange } from '../audit/audit.js';
import type { Exam } from '../exams/exam.js';
import type { WayInRefusal } from './way-in-expiry.js';
import type { WayInKind } from './way-in-secret.js';

/** The test a change to its ways in belongs to, and its tenant. */
export interface ExamScope {
  exam: Exam;
  platformId: string;
}

/** A test-wide change (issue, revoke all, reissue all): one entry on the test, with how many ways in. Never a value. */
export function wholeTestAudit(scope: ExamScope, action: 'issue' | 'revoke-all' | 'reissue-all', count: number): AuditChange {
  return {
    entityType: 'way-in',
    entityId: scope.exam.id,
    action,
    label: scope.exam.title,
    platformId: scope.platformId,
    examId: scope.exam.id,
    changes: { waysIn: { from: null, to: count } },
  };
}

/** One candidate's ways in revoked or reissued; named by their candidate ID. */
export function candidateWayInAudit(
  scope: ExamScope,
  candidate: { id: string; candidateId: string },
  action: 'revoke' | 'reissue' | 'reissue-link' | 'reissue-code',
): AuditChange {
  return {
    entityType: 'way-in',
    entityId: candidate.id,
    action,
    label: candidate.candidateId,
    platformId: scope.platformId,
    examId: scope.exam.id,
    changes: {},
  };
}

/** Someone not signed in was refused at /go or /enter: who they would have been (when known) and why. */
export function refusedAudit(
  kind: WayInKind,
  reason: WayInRefusal,
  known: { candidateId: string; examId: string; platformId: string } | null,
): { by: AuditBy; change: AuditChange } {
  return {
    by: { actor: { kind: 'anonymous' }, via: kind === 'link' ? 'direct-link' : 'entry-code' },
    change: {
      entityType: 'way-in',
      entityId: known?.candidateId ?? 'unknown',
      action: 'sign-in-refused',
      label: null,
      platformId: known?.platformId ?? null,
      examId: known?.examId ?? null,
      changes: { reason: { from: null, to: reason } },
    },
  };
}
