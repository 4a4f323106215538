import express, { type Request, type Router } from 'express';
import type { AdminSignIn } from '../platforms/admin-session.middleware.js';
import type { PlatformService } from '../platforms/platform.service.js';
import { asyncHandler } from '../web/async-handler.js';
import { sendCsv } from '../web/csv-download.js';
import { auditCsv } from './audit-csv.js';
import { auditFilterFor, entityOf, entityOptions, type EntityChoices } from './audit-filter.js';
import type { AuditFilter } from './audit.repository.js';
import { presentEntry } from './audit.presenter.js';
import { pageOf } from './audit.routes.js';
import type { AuditService } from './audit.service.js';

/** The admin History covers the tenants themselves; a test's own History covers its candidates. */
const ENTITY_CHOICES: EntityChoices = {
  '': { label: 'Platforms, deployments and system settings', types: ['platform', 'deployment', 'settings'] },
  platform: { label: 'Platforms only', types: ['platform'] },
  deployment: { label: 'Deployments only', types: ['deployment'] },
  settings: { label: 'System settings only', types: ['settings'] },
};

function filterOf(req: Request): { entity: string; platform: string; filter: AuditFilter } {
  const entity = entityOf(req.query.entity, ENTITY_CHOICES);
  const platform = typeof req.query.platform === 'string' ? req.query.platform.slice(0, 36) : '';
  return { entity, platform, filter: auditFilterFor(ENTITY_CHOICES, entity, platform) };
}

/** /admin/history: who changed which platform or deployment, when and how; filters by entity and platform; CSV. Times in UTC. */
export function auditAdminPages(audit: AuditService, platforms: PlatformService, admin: AdminSignIn): Router {
  const router = express.Router();
  router.use(admin.gate, admin.require);

  router.get(
    '/',
    asyncHandler(async (req, res) => {
      const { entity, platform, filter } = filterOf(req);
      const history = await audit.page(filter, pageOf(req));
      const known = await platforms.list();
      res.render('admin-history.njk', {
        title: 'History · Administration',
        ...history,
        entries: history.entries.map((entry) => presentEntry(entry, 'UTC')),
        entity,
        platform,
        entityChoices: entityOptions(ENTITY_CHOICES),
        platforms: known.map((p) => ({ id: p.id, name: p.name })),
        query: new URLSearchParams({ entity, platform }).toString(),
      });
    }),
  );
  router.get(
    '/download',
    asyncHandler(async (req, res) => {
      await sendCsv(res, 'examgate-admin-history.csv', auditCsv(audit.all(filterOf(req).filter), 'UTC'));
    }),
  );
  return router;
}
