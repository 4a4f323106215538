import express, { type Request, type Response, type Router } from 'express';
import { adminOf, type InstitutionSession } from '../admins/institution-session.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { sendCsv } from '../web/csv-download.js';
import { auditCsv } from './audit-csv.js';
import { auditFilterFor, entityOf, entityOptions, type EntityChoices } from './audit-filter.js';
import type { AuditFilter } from './audit.repository.js';
import { presentEntry } from './audit.presenter.js';
import { pageOf } from './audit.routes.js';
import type { AuditService } from './audit.service.js';

export const INSTITUTION_HISTORY_PATH = '/institution/history';

/** What an institution admin can narrow their platform's trail to; every choice stays within the platform. */
const ENTITY_CHOICES: EntityChoices = {
  '': { label: 'Everything of this platform' },
  'permanent-user': { label: 'Permanent users', types: ['permanent-user'] },
  'permanent-list': { label: 'Lists', types: ['permanent-list'] },
  'admin-account': { label: 'Admin accounts', types: ['admin-account'] },
  mail: { label: 'E-mail and password resets', types: ['mail', 'password-reset'] },
  'sign-in': { label: 'Candidate sign-ins', types: ['sign-in'] },
  exam: { label: 'Tests', types: ['exam'] },
  platform: { label: 'The platform, its deployments, settings and bulk uploads', types: ['platform', 'deployment', 'settings'] },
};

/**
 * The wall: the platform comes from the session and nothing else; no query parameter names one.
 * An empty platform id would read every tenant's trail (AuditFilter ignores an empty condition), so
 * it is refused outright rather than trusted to never happen.
 */
function filterOf(req: Request, res: Response): { entity: string; filter: AuditFilter } {
  const { platformId } = adminOf(res);
  if (!platformId) {
    throw new Error('an institution admin without a platform reached the history');
  }
  const entity = entityOf(req.query.entity, ENTITY_CHOICES);
  return { entity, filter: auditFilterFor(ENTITY_CHOICES, entity, platformId) };
}

/** /institution/history: who changed what in the admin's own platform, newest first, paged, filtered by entity; CSV. Times in UTC. */
export function auditInstitutionPages(audit: AuditService, session: InstitutionSession): Router {
  const router = express.Router();
  router.use(session.require);

  router.get(
    '/',
    asyncHandler(async (req, res) => {
      const { entity, filter } = filterOf(req, res);
      const history = await audit.page(filter, pageOf(req));
      res.render('institution/history.njk', {
        title: 'History',
        institution: adminOf(res),
        csrf: session.csrfToken(res),
        ...history,
        entries: history.entries.map((entry) => presentEntry(entry, 'UTC')),
        entity,
        entityChoices: entityOptions(ENTITY_CHOICES),
        query: entity ? new URLSearchParams({ entity }).toString() : '',
      });
    }),
  );
  router.get(
    '/download',
    asyncHandler(async (req, res) => {
      await sendCsv(res, 'examgate-institution-history.csv', auditCsv(audit.all(filterOf(req, res).filter), 'UTC'));
    }),
  );
  return router;
}
