import type { Writable } from 'node:stream';
import express, { type Request, type Response, type Router } from 'express';
import type { ExamScope } from '../access/way-in-audit.js';
import type { AuditBy } from '../audit/audit.js';
import type { CandidateSelection } from '../candidates/candidate.repository.js';
import type { ExamService } from '../exams/exam.service.js';
import { actorOf, auditByOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { chosenDelimiter, type DelimiterDefault } from './csv-delimiter.js';
import { writeCsv } from './csv-export.js';
import { primed, sendDownload } from '../web/streamed-download.js';
import { selectionOf } from './export-query.js';
import type { ExportRow } from './export-row.js';
import type { CandidateExports, ExportFormat } from './export.service.js';
import { writeXlsx } from './xlsx-export.js';

export interface ExportRouteDeps {
  exams: ExamService;
  exports: CandidateExports;
  /** The platform's default CSV separator (system settings), for a request that names none. */
  settings: { forPlatform(platformId: string): Promise<{ csvDelimiter: DelimiterDefault }> };
}

type ExportRequest = Request<{ examId: string }>;

/** Writes the batches to `out`, calling `beforeEnd` before the file's last bytes; returns the row count. */
type Writer = (out: Writable, batches: AsyncIterable<ExportRow[]>, beforeEnd: (rows: number) => Promise<void>) => Promise<number>;

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

interface ExportJob {
  scope: ExamScope;
  format: ExportFormat;
  selection: CandidateSelection;
  by: AuditBy;
}

/**
 * Streams one export and puts it on the test's History: before the file's last bytes leave
 * (whoever has the whole file is already recorded), or, when it breaks off, with the rows that
 * had left and marked incomplete.
 */
async function sendExport(res: Response, exports: CandidateExports, job: ExportJob, write: Writer): Promise<void> {
  const { scope, format, selection, by } = job;
  const batches = await primed(exports.rows(scope, selection, by));
  let written = 0;
  let recorded = false;
  const counted = (async function* () {
    for await (const batch of batches) {
      yield batch;
      written += batch.length;
    }
  })();
  const record = async (rows: number) => {
    recorded = true;
    await exports.record(scope, by, format, rows, selection);
  };
  const file = { contentType: CONTENT_TYPES[format], filename: `${scope.exam.title.trim() || 'test'} - candidates.${format}` };
  try {
    await sendDownload(res, file, (out) => write(out, counted, record));
  } catch (err) {
    if (!recorded) {
      await exports.record(scope, by, format, written, selection, false).catch(() => undefined);
    }
    throw err;
  }
}

/**
 * The candidate list of a test with everyone's way in, as CSV and .xlsx, for staff of the
 * test's course (another course's test is a 404 through ExamService.get): mounted at
 * /app/exams/:examId, answering /export.csv and /export.xlsx with the candidates page's filter.
 */
export function exportRoutes(deps: ExportRouteDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(['/export.csv', '/export.xlsx'], requireStaff);

  const exportAs = (format: ExportFormat) =>
    asyncHandler(async (req: ExportRequest, res: Response) => {
      const actor = actorOf(launchOf(res));
      const scope: ExamScope = { exam: await deps.exams.get(actor, req.params.examId), platformId: actor.platformId };
      const query = req.query as Record<string, unknown>;
      const selection = selectionOf(query);
      const fallback = format === 'csv' ? (await deps.settings.forPlatform(actor.platformId)).csvDelimiter : 'auto';
      const delimiter = format === 'csv' ? chosenDelimiter(query.delimiter, req.get('accept-language'), fallback) : null;
      deps.exports.assertExportable(scope.exam);
      const job = { scope, format, selection, by: auditByOf(launchOf(res)) };
      if (delimiter) {
        await sendExport(res, deps.exports, job, (out, batches, beforeEnd) => writeCsv(out, batches, delimiter, beforeEnd));
        return;
      }
      const longest = await deps.exports.longest(scope, selection);
      await sendExport(res, deps.exports, job, (out, batches, beforeEnd) => writeXlsx(out, scope.exam.title, batches, longest, beforeEnd));
    });

  router.get('/export.csv', exportAs('csv'));
  router.get('/export.xlsx', exportAs('xlsx'));
  return router;
}
