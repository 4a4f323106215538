import type { Router } from 'express';
import { asyncHandler } from '../web/async-handler.js';
import { adminBy, type AdminSignIn } from './admin-session.middleware.js';
import { InvalidPlatformError } from './platform.errors.js';
import type { PlatformService } from './platform.service.js';
import type { AdminPageRenderer } from './registration-url.pages.js';

/** The id of a platform's time-zone field on the admin page (one form per platform, so ids must differ). */
export const timeZoneFieldOf = (platformId: string) => `timeZone-${platformId}`;

/** A platform's settings on /admin: its default time zone for new tests. */
export function mountPlatformSettingsPages(router: Router, service: PlatformService, admin: AdminSignIn, render: AdminPageRenderer): void {
  router.post(
    '/platforms/:id/time-zone',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      const id = String(req.params.id);
      const typed = typeof req.body?.timeZone === 'string' ? req.body.timeZone.trim() : '';
      try {
        await service.setDefaultTimeZone(id, typed, adminBy(res));
      } catch (err) {
        if (!(err instanceof InvalidPlatformError)) {
          throw err;
        }
        const field = timeZoneFieldOf(id);
        await render(res, 400, {
          errors: [{ field, message: err.message }],
          fieldErrors: { [field]: err.message },
          typedTimeZone: { id, value: typed },
        });
        return;
      }
      res.redirect(303, `/admin?done=time-zone#platform-${encodeURIComponent(id)}`);
    }),
  );
}
