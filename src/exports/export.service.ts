import type { OneTimeUsers } from '../access/one-time-user.service.js';
import type { ExamScope } from '../access/way-in-audit.js';
import type { WaysIn } from '../access/ways-in.service.js';
import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { CandidateSelection, LongestValues } from '../candidates/candidate.repository.js';
import type { CandidateService } from '../candidates/candidate.service.js';
import type { Exam } from '../exams/exam.js';
import { ExportRefusedError } from './export.errors.js';
import { exportRow, type ExportRow } from './export-row.js';

export type ExportFormat = 'csv' | 'xlsx';

/** How many candidates are read, opened and written at a time: a batch is what an export holds in memory. */
export const EXPORT_BATCH = 500;

/** The selection as the audit trail names it ("source=one-time, room=B12"), or null for the whole test. */
function describe(selection: CandidateSelection): string | null {
  const parts = (['search', 'source', 'status', 'building', 'room'] as const)
    .filter((key) => selection[key])
    .map((key) => `${key}=${selection[key]}`);
  return parts.length > 0 ? parts.join(', ') : null;
}

/**
 * The hand-out lists of a test: each selected candidate with their username and password (one-time
 * users), entry code and direct link. Only once the test is active or closed (a draft has no
 * credentials to show yet); callers pass a test they were allowed to see (ExamService.get).
 */
export class CandidateExports {
  constructor(
    private readonly candidates: CandidateService,
    private readonly oneTimeUsers: OneTimeUsers,
    private readonly waysIn: WaysIn,
    private readonly audit: AuditService,
  ) {}

  assertExportable(exam: Exam): void {
    if (exam.status === 'draft') {
      throw new ExportRefusedError(exam.status);
    }
  }

  /** The longest free-text values of the selection (a spreadsheet sizes its columns before its first row). */
  longest(scope: ExamScope, selection: CandidateSelection): Promise<LongestValues> {
    return this.candidates.longest(scope.exam, selection);
  }

  /**
   * The rows, a batch at a time, by candidate ID. Anyone active who has no link or code yet is
   * given theirs first (as the ways-in page does), so the file hands out every way in.
   */
  async *rows(scope: ExamScope, selection: CandidateSelection, by: AuditBy): AsyncGenerator<ExportRow[]> {
    this.assertExportable(scope.exam);
    await this.waysIn.ensureIssued(scope, by);
    for await (const batch of this.candidates.batches(scope.exam, selection, EXPORT_BATCH)) {
      const oneTime = batch.filter((c) => c.source === 'one-time').map((c) => c.id);
      const [credentials, ways] = await Promise.all([
        this.oneTimeUsers.credentialsFor(scope.exam, oneTime),
        this.waysIn.liveFor(
          scope,
          batch.map((c) => c.id),
        ),
      ]);
      yield batch.map((c) => exportRow(c, credentials.get(c.id), ways.get(c.id)));
    }
  }

  /** One entry on the test's History per export: who (the entry's actor), the format, how many rows, which filter. Never a value. */
  async record(scope: ExamScope, by: AuditBy, format: ExportFormat, rows: number, selection: CandidateSelection, complete = true) {
    const filter = describe(selection);
    await this.audit.record(by, {
      entityType: 'exam',
      entityId: scope.exam.id,
      action: 'export',
      label: scope.exam.title,
      platformId: scope.platformId,
      examId: scope.exam.id,
      changes: {
        format: { from: null, to: format },
        rows: { from: null, to: rows },
        ...(filter ? { filter: { from: null, to: filter } } : {}),
        ...(complete ? {} : { complete: { from: null, to: false } }),
      },
    });
  }
}
