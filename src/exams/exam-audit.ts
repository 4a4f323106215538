import { changedFields, type AuditChange } from '../audit/audit.js';
import type { Exam } from './exam.js';

/** What the audit trail records of a test: its settings and status, flat. */
function auditedFacts(exam: Exam) {
  const { window, roster: _roster, id: _id, courseId: _course, maxCandidates: _max, ...rest } = exam;
  return { ...rest, opensAt: window.opensAt, closesAt: window.closesAt, timeZone: window.timeZone };
}
const AUDITED_FIELDS = [
  'title',
  'description',
  'status',
  'opensAt',
  'closesAt',
  'timeZone',
  'durationMinutes',
  'deliveryUrl',
  'finishRedirectUrl',
  'candidateIdPolicy',
  'rosterRoles',
  'enrolOnLaunch',
  'openIn',
  'isDemo',
  'accessExpiresAt',
] as const;

/**
 * Staff gave an LMS link this test (the link led to none): recorded on the test, so its
 * History says which link now opens it. The link is named by its title and LMS id.
 */
export function linkPlacementAudit(
  platformId: string,
  exam: Exam,
  link: { resourceLinkId: string | null; resourceLinkTitle: string | null },
  previousExamId: string | null,
): AuditChange {
  const name = link.resourceLinkTitle ? `${link.resourceLinkTitle} (${link.resourceLinkId})` : link.resourceLinkId;
  return {
    entityType: 'exam',
    entityId: exam.id,
    action: 'place',
    label: exam.title,
    platformId,
    examId: exam.id,
    changes: { resourceLink: { from: previousExamId ? 'a test of another course' : null, to: name } },
  };
}

/** The audit entry of one change to a test (a deletion records only its title). */
export function examAudit(platformId: string, action: string, before: Exam | null, after: Exam | null): AuditChange {
  const exam = (after ?? before) as Exam;
  const changes = action === 'delete' ? {} : changedFields(before && auditedFacts(before), after && auditedFacts(after), AUDITED_FIELDS);
  return { entityType: 'exam', entityId: exam.id, action, label: exam.title, platformId, examId: exam.id, changes };
}
