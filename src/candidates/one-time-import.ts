import type { AuditBy } from '../audit/audit.js';
import type { OneTimeUsers } from '../access/one-time-user.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import { ImportConflictError } from '../imports/import.errors.js';
import type { ImportKind, ImportPlan, PlannedRow } from '../imports/import-kind.js';
import type { ImportSchema } from '../imports/import-schema.js';
import type { Candidate } from './candidate.js';
import { CANDIDATE_ID_MAX, MAX_EXTRA_TIME_MINUTES } from './candidate.js';
import type { CandidateService } from './candidate.service.js';

/** A test as an import target: the rows go into it; the platform names the tenant in the audit trail. */
export interface ExamTarget {
  exam: Exam;
  platformId: string;
}

export interface OneTimeImportRow {
  candidateId: string;
  extraTimeMinutes: number;
}

// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** Rows written per step of a commit, so a job's progress bar moves (all inside the one transaction). */
const STEP = 500;

/** Extra time in whole minutes; blank is none. Anything else is refused, never guessed ("30 min", "1.5"). */
export function extraTimeOf(text: string): number | string {
  if (text === '') {
    return 0;
  }
  const minutes = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(minutes) || minutes > MAX_EXTRA_TIME_MINUTES) {
    return `"${text.slice(0, 40)}" is not a whole number of minutes from 0 to ${MAX_EXTRA_TIME_MINUTES} (write 30 for half an hour; blank for none).`;
  }
  return minutes;
}

/** Checks a candidate ID from a file: 1..500 characters, no control characters; any text otherwise (formulas are neutralised on export). */
export function candidateIdProblem(id: string): string | null {
  if (id === '') {
    return 'is empty: every row needs a candidate ID.';
  }
  if (CONTROL.test(id)) {
    return 'holds a control character (a tab or a line break inside the value).';
  }
  if (Array.from(id).length > CANDIDATE_ID_MAX) {
    return `is ${Array.from(id).length} characters long; a candidate ID is at most ${CANDIDATE_ID_MAX}.`;
  }
  return null;
}

export const CANDIDATE_ID_COLUMN = {
  key: 'candidateId',
  label: 'Candidate ID',
  aliases: [
    'candidate_id',
    'CandidateID',
    'Candidate',
    'Candidate number',
    'Candidate no',
    'Kandidatnummer',
    'Kandidat-ID',
    'Kandidatnr',
    'ID',
  ],
  required: true,
} as const;

export const EXTRA_TIME_COLUMN = {
  key: 'extraTime',
  label: 'Extra time',
  aliases: [
    'extra_time',
    'extra_time_minutes',
    'Extra time (min)',
    'Extra time (minutes)',
    'Extra minutes',
    'Ekstra tid',
    'Ekstratid',
    'Tilleggstid',
    'Zusatzzeit',
  ],
  required: false,
} as const;

/** `Candidate ID, extra time` (seeds 000/001). */
export const oneTimeSchema: ImportSchema<OneTimeImportRow> = {
  columns: [CANDIDATE_ID_COLUMN, EXTRA_TIME_COLUMN],
  parseRow(cells) {
    const candidateId = cells.candidateId ?? '';
    const problem = candidateIdProblem(candidateId);
    if (problem) {
      return { ok: false, column: CANDIDATE_ID_COLUMN.label, reason: problem };
    }
    const minutes = extraTimeOf(cells.extraTime ?? '');
    if (typeof minutes === 'string') {
      return { ok: false, column: EXTRA_TIME_COLUMN.label, reason: minutes };
    }
    return { ok: true, row: { candidateId, extraTimeMinutes: minutes } };
  },
  uniqueKey: (row) => row.candidateId,
};

/** Where each row goes against the test's candidates: new → add, a one-time user with other extra time → update, the same → skip. */
function classify(
  row: OneTimeImportRow,
  existing: Candidate | undefined,
): { plan: 'add' | 'update' | 'skip'; note?: string } | { reason: string } {
  if (!existing) {
    return { plan: 'add' };
  }
  if (existing.source !== 'one-time') {
    return { reason: `is already on this test as a ${existing.source} candidate.` };
  }
  if (existing.status !== 'active') {
    return { reason: 'belongs to a withdrawn candidate of this test; restore them on the candidates page first.' };
  }
  if (existing.extraTimeMinutes === row.extraTimeMinutes) {
    return { plan: 'skip', note: 'already on this test' };
  }
  return { plan: 'update', note: `extra time ${existing.extraTimeMinutes} → ${row.extraTimeMinutes} min` };
}

/** One-time users from a CSV, through the import engine; the commit is OneTimeUsers' batch under the test's lock and cap. */
export function oneTimeImportKind(deps: {
  exams: ExamService;
  candidates: CandidateService;
  oneTimeUsers: OneTimeUsers;
}): ImportKind<OneTimeImportRow, ExamTarget> {
  const plan = async (target: ExamTarget, rows: ReadonlyArray<{ line: number; row: OneTimeImportRow }>, unit?: UnitOfWork) => {
    const all = await deps.candidates.allIn(target.exam, unit);
    const byId = new Map(all.map((c) => [c.candidateId, c]));
    const result: ImportPlan<OneTimeImportRow> = { planned: [], rejected: [] };
    for (const { line, row } of rows) {
      const verdict = classify(row, byId.get(row.candidateId));
      if ('reason' in verdict) {
        result.rejected.push({
          line,
          column: CANDIDATE_ID_COLUMN.label,
          reason: `"${row.candidateId.slice(0, 60)}" ${verdict.reason}`,
          raw: row.candidateId.slice(0, 200),
        });
      } else {
        result.planned.push({ line, row, plan: verdict.plan, ...(verdict.note ? { note: verdict.note } : {}) });
      }
    }
    const active = all.filter((c) => c.status === 'active').length;
    result.cap = { limit: target.exam.maxCandidates, after: active + result.planned.filter((p) => p.plan === 'add').length };
    return result;
  };

  return {
    name: 'one-time',
    schema: oneTimeSchema,
    targetId: (target) => target.exam.id,
    async loadTarget(examId) {
      const found = await deps.exams.findForSystem(examId);
      return found ? { exam: found.exam, platformId: found.course.platformId } : null;
    },
    plan: (target, rows, unit) => plan(target, rows, unit),
    async commit(target, rows, unit, by: AuditBy, progress) {
      const planned = await rows.all();
      await deps.candidates.lockIn(target.exam, unit);
      // Under the lock, what is stored now: the preview's plan must still hold, or nothing is written.
      const again = await plan(target, planned, unit);
      const changed = again.rejected.length > 0 || again.planned.some((p, i) => p.plan !== planned[i]?.plan);
      if (changed) {
        throw new ImportConflictError(
          "The test's candidates changed since this preview was made. Nothing was imported: upload the file again to see the new preview.",
        );
      }
      if (again.cap && again.cap.after > again.cap.limit) {
        throw new ImportConflictError(
          `This import would make ${again.cap.after} candidates on a test of at most ${again.cap.limit}. Nothing was imported.`,
        );
      }
      const existing = new Map((await deps.candidates.allIn(target.exam, unit)).map((c) => [c.candidateId, c]));
      const adds = planned.filter((p) => p.plan === 'add');
      let done = 0;
      for (let i = 0; i < adds.length; i += STEP) {
        const step = adds.slice(i, i + STEP).map((p: PlannedRow<OneTimeImportRow>) => ({
          candidateId: p.row.candidateId,
          extraTimeMinutes: p.row.extraTimeMinutes,
          line: p.line,
        }));
        await deps.oneTimeUsers.addIn(target.exam, step, by, unit);
        done += step.length;
        progress(done);
      }
      for (const p of planned.filter((q) => q.plan === 'update')) {
        await deps.candidates.setExtraTimeIn(existing.get(p.row.candidateId)!, p.row.extraTimeMinutes, by, unit);
        done += 1;
        progress(done);
      }
    },
    auditSubject: (target) => ({
      entityType: 'exam',
      entityId: target.exam.id,
      label: target.exam.title,
      examId: target.exam.id,
      platformId: target.platformId,
    }),
    reportCells: (row) => [row.candidateId, String(row.extraTimeMinutes)],
  };
}
