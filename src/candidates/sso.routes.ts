import express, { type Request, type Response, type Router } from 'express';
import { formatInZone } from '../exams/time-zone.js';
import { mountImport } from '../imports/import.routes.js';
import { actorOf, auditByOf, csrfOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { verifyCsrf } from '../web/csrf.js';
import { field } from '../web/form.js';
import { HttpError } from '../web/http-error.js';
import { candidatesPage, type CandidateRouteDeps } from './candidates.pages.js';
import type { SsoTarget } from './sso-candidates.service.js';
import { ssoImportPath } from './sso-import.kind.js';

/**
 * CSV import (SSO) on a test's candidates page, mounted at /app/exams/:examId/candidates/sso:
 * the upload (POST /import, the auth type a field of the form) and, under /:authType, the
 * engine's preview, commit and report of an import for that auth type.
 */
export function ssoImportRoutes(deps: CandidateRouteDeps): Router {
  const router = express.Router({ mergeParams: true });
  router.use(requireStaff);
  const csrf = verifyCsrf(deps.secret);
  const renderPage = candidatesPage(deps);

  /** The test (behind the course's walls) and an auth type of its platform; another platform's setup is 404. */
  const targetOf = async (req: Request, res: Response, authTypeId: string): Promise<SsoTarget> => {
    const launch = launchOf(res);
    const params = req.params as Record<string, string>;
    const exam = await deps.exams.get(actorOf(launch), params.examId ?? '');
    const authType = authTypeId ? await deps.ssoSetups.authType(launch.platformId, authTypeId) : null;
    if (!authType) {
      throw new HttpError(404, 'not_found', 'This authentication type is not one of this platform’s. Choose one on the candidates page.');
    }
    return { exam, platformId: launch.platformId, authType };
  };
  const options = (authTypeOf: (req: Request) => string) => ({
    targetOf: (req: Request, res: Response) => targetOf(req, res, authTypeOf(req)),
    pathOf: ssoImportPath,
    backOf: ({ exam }: SsoTarget) => `/app/exams/${exam.id}/candidates?source=sso`,
    titleOf: ({ exam }: SsoTarget) => exam.title,
    formatTime:
      ({ exam }: SsoTarget) =>
      (at: Date) =>
        formatInZone(at, exam.window.timeZone),
    byOf: (res: Response) => auditByOf(launchOf(res)),
    csrf,
    csrfTokenOf: (res: Response) => csrfOf(res, deps.secret),
    refuse: (req: Request, res: Response, { exam }: SsoTarget, message: string) =>
      renderPage(req, res, exam, {
        oneTime: { form: 'sso-import', errors: [{ field: 'file', message }], values: { authType: field(req.body, 'authType') } },
      }),
  });

  // The upload form names the auth type in a field (multer has read it by the time targetOf runs).
  const upload = express.Router({ mergeParams: true });
  mountImport(
    upload,
    deps.imports,
    deps.ssoImport,
    options((req) => field(req.body, 'authType')),
  );
  const byPath = express.Router({ mergeParams: true });
  mountImport(
    byPath,
    deps.imports,
    deps.ssoImport,
    options((req) => (req.params as Record<string, string>).authType ?? ''),
  );
  router.post('/import', upload);
  router.use('/:authType', byPath);
  return router;
}
