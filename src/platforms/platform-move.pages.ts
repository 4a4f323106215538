import type { Request, Response, Router } from 'express';
import { asyncHandler } from '../web/async-handler.js';
import { adminBy, type AdminSignIn } from './admin-session.middleware.js';
import { PlatformMoveRefusedError } from './platform.errors.js';
import type { PlatformMoveService, PlatformWithCounts } from './platform-move.service.js';
import type { PlatformService } from './platform.service.js';
import { holdsText, presentPlatform } from './platform.presenter.js';

const present = ({ platform, counts }: PlatformWithCounts) => ({ ...presentPlatform(platform), counts, holds: holdsText(counts) });

/**
 * Moving a platform to a new registration of the same LMS, on /admin: choose the new
 * registration (another platform of the same issuer holding no test), review what changes and
 * what stays, then move. Refusals come back on the choosing page with their message.
 */
export function mountPlatformMovePages(router: Router, platforms: PlatformService, moves: PlatformMoveService, admin: AdminSignIn): void {
  const choosePage = async (res: Response, fromId: string, status: number, error: string | null) => {
    const from = await platforms.get(fromId);
    const others = await moves.sameIssuerAs(from);
    res.status(status).render('admin-move.njk', {
      title: `Move ${from.name} to a new registration`,
      from: present({ platform: from, counts: await moves.countsOf(from.id) }),
      targets: others.filter((o) => o.counts.tests === 0).map(present),
      error,
      csrf: admin.csrfToken(res),
    });
  };

  router.get(
    '/platforms/:id/move',
    admin.require,
    asyncHandler(async (req: Request, res) => {
      const fromId = String(req.params.id);
      const to = typeof req.query.to === 'string' ? req.query.to : '';
      if (!to) {
        await choosePage(res, fromId, 200, null);
        return;
      }
      try {
        const plan = await moves.plan(fromId, to);
        res.render('admin-move-confirm.njk', {
          title: `Move ${plan.from.platform.name} to the new registration?`,
          from: present(plan.from),
          to: present(plan.to),
          csrf: admin.csrfToken(res),
        });
      } catch (err) {
        if (!(err instanceof PlatformMoveRefusedError)) {
          throw err;
        }
        await choosePage(res, fromId, 409, err.message);
      }
    }),
  );
  router.post(
    '/platforms/:id/move',
    admin.require,
    admin.csrf,
    asyncHandler(async (req: Request, res) => {
      const fromId = String(req.params.id);
      try {
        await moves.move(fromId, typeof req.body?.to === 'string' ? req.body.to : '', adminBy(res));
      } catch (err) {
        if (!(err instanceof PlatformMoveRefusedError)) {
          throw err;
        }
        await choosePage(res, fromId, 409, err.message);
        return;
      }
      res.redirect(303, `/admin?done=moved#platform-${encodeURIComponent(fromId)}`);
    }),
  );
}
