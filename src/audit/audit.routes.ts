import express, { type Request, type Response, type Router } from 'express';
import type { ExamService } from '../exams/exam.service.js';
import { actorOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { sendCsv } from '../web/csv-download.js';
import { auditCsv } from './audit-csv.js';
import { presentEntry } from './audit.presenter.js';
import type { AuditService } from './audit.service.js';

export interface ExamHistoryDeps {
  exams: ExamService;
  audit: AuditService;
}

type ExamRequest = Request<{ examId: string }>;

/** A page number from the query, 1 when absent or nonsense. */
export function pageOf(req: Request): number {
  const page = Number(req.query.page);
  return Number.isInteger(page) && page > 0 ? page : 1;
}

/**
 * A test's History, mounted at /app/exams/:examId/history: staff of its course only (the same
 * walls as the test's own page: a learner gets 403, another course's staff 404).
 */
export function examHistoryRoutes(deps: ExamHistoryDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  const examOf = (req: ExamRequest, res: Response) => deps.exams.get(actorOf(launchOf(res)), req.params.examId);

  router.get(
    '/',
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      const history = await deps.audit.page({ examId: exam.id }, pageOf(req));
      res.render('history.njk', {
        title: `History · ${exam.title}`,
        exam: { id: exam.id, title: exam.title, timeZone: exam.window.timeZone },
        ...history,
        entries: history.entries.map((entry) => presentEntry(entry, exam.window.timeZone)),
      });
    }),
  );
  router.get(
    '/download',
    asyncHandler(async (req: ExamRequest, res) => {
      const exam = await examOf(req, res);
      await sendCsv(res, `test-history-${exam.id}.csv`, auditCsv(deps.audit.all({ examId: exam.id }), exam.window.timeZone));
    }),
  );
  return router;
}
