import express, { type Request, type RequestHandler, type Response, type Router } from 'express';
import type { AuditBy } from '../audit/audit.js';
import { asyncHandler } from '../web/async-handler.js';
import { sendCsv } from '../web/csv-download.js';
import { primed } from '../web/streamed-download.js';
import { ImportConflictError, ImportFileError } from './import.errors.js';
import type { ImportKind } from './import-kind.js';
import { importReportCsv } from './import-report-csv.js';
import { presentImport } from './import.presenter.js';
import type { ImportService } from './import.service.js';
import { acceptUpload, uploadProblem } from './import-upload.middleware.js';

/** How a domain puts its import kind on a page of its own. */
export interface MountOptions<Target> {
  /** The target of the request, with the domain's walls (throws its not-found error for another course's). */
  targetOf(req: Request, res: Response): Promise<Target>;
  /** Where the router with the import routes is mounted for this target. */
  pathOf(target: Target): string;
  /** The page the upload form is on. */
  backOf(target: Target): string;
  /** What the pages' titles and breadcrumbs name (the test's title). */
  titleOf(target: Target): string;
  /** Times as the target's people read them (the test's time zone). */
  formatTime(target: Target): (at: Date) => string;
  byOf(res: Response): AuditBy;
  csrf: RequestHandler;
  csrfTokenOf(res: Response): string;
  /** Shows the upload form again with `message` about its file field (status 400). */
  refuse(req: Request, res: Response, target: Target, message: string): Promise<void>;
  /** Form fields the upload form sends besides the file (its options); 4 unless said. */
  formFields?: number;
}

const COMMITTED = 'committed';

/**
 * The engine's routes for one kind, under `router`: POST /import (the upload → a preview),
 * GET /imports/:importId (preview, progress or report), POST /imports/:importId/commit,
 * GET /imports/:importId/status (JSON for the progress bar), GET /imports/:importId/report.csv.
 */
export function mountImport<Row, Target>(
  router: Router,
  imports: ImportService,
  kind: ImportKind<Row, Target>,
  options: MountOptions<Target>,
): void {
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const idOf = (req: Request) => String((req.params as Record<string, string>).importId ?? '');
  const headers = kind.schema.columns.map((c) => c.label);

  const render = async (req: Request, res: Response, target: Target, problem: string | null) => {
    const found = await imports.page(kind, target, idOf(req));
    const view = presentImport(found, options.formatTime(target), await imports.committedBefore(found));
    const base = options.pathOf(target);
    const page = found.status === 'preview' ? 'Import preview' : found.status === 'committed' ? 'Import report' : 'Import';
    res.status(problem ? 409 : 200).render('import.njk', {
      title: `${page} · ${options.titleOf(target)}`,
      heading: `${page}: ${found.fileName}`,
      crumbs: [{ href: options.backOf(target), text: `Candidates · ${options.titleOf(target)}` }, { text: page }],
      imp: view,
      headers,
      base: `${base}/imports/${found.id}`,
      back: options.backOf(target),
      problem,
      done: req.query.done === COMMITTED && found.status === 'committed',
      csrf: options.csrfTokenOf(res),
    });
  };

  router.post(
    '/import',
    acceptUpload(Math.max(imports.settings.maxBytes, kind.archive?.maxBytes ?? 0), options.formFields),
    options.csrf,
    asyncHandler(async (req, res) => {
      const target = await options.targetOf(req, res);
      const problem = uploadProblem(res, req.file, kind.archive ? { csvMaxBytes: imports.settings.maxBytes } : undefined);
      if (problem) {
        await options.refuse(req, res, target, problem);
        return;
      }
      try {
        const found = await imports.preview(kind, target, { name: req.file!.originalname, bytes: req.file!.buffer }, options.byOf(res));
        res.redirect(303, `${options.pathOf(target)}/imports/${found.id}`);
      } catch (err) {
        if (err instanceof ImportFileError) {
          await options.refuse(req, res, target, err.message);
          return;
        }
        throw err;
      }
    }),
  );

  router.get(
    '/imports/:importId',
    asyncHandler(async (req, res) => render(req, res, await options.targetOf(req, res), null)),
  );

  router.post(
    '/imports/:importId/commit',
    form,
    options.csrf,
    asyncHandler(async (req, res) => {
      const target = await options.targetOf(req, res);
      try {
        await imports.commit(kind, target, idOf(req));
      } catch (err) {
        if (err instanceof ImportConflictError) {
          await render(req, res, target, err.message);
          return;
        }
        throw err;
      }
      res.redirect(303, `${options.pathOf(target)}/imports/${idOf(req)}?done=${COMMITTED}`);
    }),
  );

  router.get(
    '/imports/:importId/status',
    asyncHandler(async (req, res) => {
      const found = await imports.head(kind, await options.targetOf(req, res), idOf(req));
      const job = found.jobId ? await imports.jobOf(found.jobId) : null;
      res.json({
        status: found.status,
        done: job?.progress.done ?? 0,
        total: job?.progress.total ?? found.summary.counts.add + found.summary.counts.update,
      });
    }),
  );

  router.get(
    '/imports/:importId/report.csv',
    asyncHandler(async (req, res) => {
      const { found, lines } = await imports.reportOf(kind, await options.targetOf(req, res), idOf(req));
      const name = `import-${found.status === 'committed' ? 'report' : 'preview'}-${found.createdAt.toISOString().slice(0, 10)}.csv`;
      // The first part is read before anything is sent: a failure then is an error page, not a cut file.
      await sendCsv(res, name, importReportCsv(found, headers, await primed(lines)));
    }),
  );
}
