import type { ExamService } from '../exams/exam.service.js';
import type { ImportKind } from '../imports/import-kind.js';
import type { SsoSetups } from '../platforms/sso-setup.service.js';
import type { SsoCandidates, SsoTarget } from './sso-candidates.service.js';
import { ssoRowSchema, type SsoRow } from './sso-row.schema.js';

export const SSO_IMPORT_KIND = 'sso';

/** Where the engine's pages of one SSO import live: the auth type is part of the target, so of the path. */
export const ssoImportPath = ({ exam, authType }: SsoTarget) => `/app/exams/${exam.id}/candidates/sso/${encodeURIComponent(authType.id)}`;

/** A stored import names its target by test and auth type: "<exam id>/<auth type id>". */
const targetIdOf = (target: SsoTarget) => `${target.exam.id}/${target.authType.id}`;

/**
 * The SSO candidate CSV (seed 001, CSV import (SSO)) as a kind of the CSV engine: the engine
 * reads, previews and opens the transaction; SsoCandidates plans and writes.
 */
export function ssoImportKind(deps: { sso: SsoCandidates; exams: ExamService; setups: SsoSetups }): ImportKind<SsoRow, SsoTarget> {
  return {
    name: SSO_IMPORT_KIND,
    schema: ssoRowSchema,
    targetId: targetIdOf,
    async loadTarget(targetId) {
      const [examId = '', authTypeId = ''] = targetId.split('/');
      const found = await deps.exams.findForSystem(examId);
      const authType = found ? await deps.setups.authType(found.course.platformId, authTypeId) : null;
      return found && authType ? { exam: found.exam, platformId: found.course.platformId, authType } : null;
    },
    plan: (target, rows, unit) => deps.sso.plan(target, rows, unit),
    commit: async (target, planned, unit, by, progress) => deps.sso.commit(target, await planned.all(), unit, by, progress),
    auditSubject: ({ exam, platformId }) => ({ entityType: 'exam', entityId: exam.id, label: exam.title, examId: exam.id, platformId }),
    reportCells: (row) => [row.candidateId, row.ssoUserId, String(row.extraTimeMinutes), row.building ?? '', row.room ?? ''],
  };
}
