import type { Router } from 'express';
import { asyncHandler } from '../web/async-handler.js';
import { adminBy, type AdminSignIn } from './admin-session.middleware.js';
import { InvalidSsoSettingError } from './platform.errors.js';
import type { PlatformService } from './platform.service.js';
import type { AdminPageRenderer } from './registration-url.pages.js';
import type { SsoSetups } from './sso-setup.service.js';

/** The ids of a platform's SSO fields on /admin (one form per platform, so ids must differ). */
export const ssoMatchFieldOf = (platformId: string) => `ssoMatch-${platformId}`;
export const ssoSetupFieldOf = (platformId: string) => `ssoSetup-${platformId}`;
export const ssoSetupNameFieldOf = (setupId: string) => `ssoSetupName-${setupId}`;

const typedText = (body: unknown, key: string): string => {
  const value = (body as Record<string, unknown> | undefined)?.[key];
  return typeof value === 'string' ? value.trim() : '';
};

/**
 * A platform's SSO settings on /admin: what SSO user IDs of the LMS identity are matched on, and
 * the other SSO setups an SSO import may name. Both are audited on the platform.
 */
export function mountSsoSettingsPages(
  router: Router,
  service: PlatformService,
  setups: SsoSetups,
  admin: AdminSignIn,
  render: AdminPageRenderer,
): void {
  router.post(
    '/platforms/:id/sso-match',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      const id = String(req.params.id);
      try {
        await service.setSsoMatchField(id, typedText(req.body, 'ssoMatchField'), adminBy(res));
      } catch (err) {
        if (!(err instanceof InvalidSsoSettingError)) {
          throw err;
        }
        const field = ssoMatchFieldOf(id);
        await render(res, 400, { errors: [{ field, message: err.message }], fieldErrors: { [field]: err.message } });
        return;
      }
      res.redirect(303, `/admin?done=sso-match#platform-${encodeURIComponent(id)}`);
    }),
  );
  router.post(
    '/platforms/:id/sso-setups',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      const id = String(req.params.id);
      const typed = typedText(req.body, 'name');
      try {
        await setups.register(id, typed, adminBy(res));
      } catch (err) {
        if (!(err instanceof InvalidSsoSettingError)) {
          throw err;
        }
        const field = ssoSetupFieldOf(id);
        await render(res, 400, {
          errors: [{ field, message: err.message }],
          fieldErrors: { [field]: err.message },
          typedSsoSetup: { id, value: typed },
        });
        return;
      }
      res.redirect(303, `/admin?done=sso-setup#platform-${encodeURIComponent(id)}`);
    }),
  );
  router.post(
    '/platforms/:id/sso-setups/:setupId/rename',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      const id = String(req.params.id);
      const setupId = String(req.params.setupId);
      const typed = typedText(req.body, 'name');
      try {
        await setups.rename(id, setupId, typed, adminBy(res));
      } catch (err) {
        if (!(err instanceof InvalidSsoSettingError)) {
          throw err;
        }
        const field = ssoSetupNameFieldOf(setupId);
        await render(res, 400, {
          errors: [{ field, message: err.message }],
          fieldErrors: { [field]: err.message },
          typedSsoSetupName: { id: setupId, value: typed },
        });
        return;
      }
      res.redirect(303, `/admin?done=sso-setup-renamed#platform-${encodeURIComponent(id)}`);
    }),
  );
  router.post(
    '/platforms/:id/sso-setups/:setupId/remove',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      const id = String(req.params.id);
      const setupId = String(req.params.setupId);
      try {
        await setups.remove(id, setupId, adminBy(res));
      } catch (err) {
        if (!(err instanceof InvalidSsoSettingError)) {
          throw err;
        }
        // The message is about the setup's row: the error summary links to its name field.
        const field = ssoSetupNameFieldOf(setupId);
        await render(res, 409, { errors: [{ field, message: err.message }], fieldErrors: { [field]: err.message } });
        return;
      }
      res.redirect(303, `/admin?done=sso-setup-removed#platform-${encodeURIComponent(id)}`);
    }),
  );
}
