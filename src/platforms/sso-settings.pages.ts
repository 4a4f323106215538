import type { Request, Response, Router } from 'express';
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
/** What a refused SSO change shows again: the field its message is about, and what was typed there. */
interface Refusal {
  status: number;
  field: string;
  typed?: Record<string, unknown>;
}

export function mountSsoSettingsPages(
  router: Router,
  service: PlatformService,
  setups: SsoSetups,
  admin: AdminSignIn,
  render: AdminPageRenderer,
): void {
  /**
   * One POST of the platform's SSO section: `change` runs; a broken rule comes back on /admin
   * against its field, anything else goes on to the error handler; success returns to the
   * platform's section with the `done` message.
   */
  const post = (
    path: string,
    done: string,
    change: (req: Request, res: Response) => Promise<unknown>,
    refusal: (req: Request) => Refusal,
  ) =>
    router.post(
      path,
      admin.require,
      admin.csrf,
      asyncHandler(async (req, res) => {
        try {
          await change(req, res);
        } catch (err) {
          if (!(err instanceof InvalidSsoSettingError)) {
            throw err;
          }
          const { status, field, typed } = refusal(req);
          await render(res, status, { errors: [{ field, message: err.message }], fieldErrors: { [field]: err.message }, ...typed });
          return;
        }
        res.redirect(303, `/admin?done=${done}#platform-${encodeURIComponent(String(req.params.id))}`);
      }),
    );
  const platformOf = (req: Request) => String(req.params.id);
  const setupOf = (req: Request) => String(req.params.setupId);

  post(
    '/platforms/:id/sso-match',
    'sso-match',
    (req, res) => service.setSsoMatchField(platformOf(req), typedText(req.body, 'ssoMatchField'), adminBy(res)),
    (req) => ({ status: 400, field: ssoMatchFieldOf(platformOf(req)) }),
  );
  post(
    '/platforms/:id/sso-setups',
    'sso-setup',
    (req, res) => setups.register(platformOf(req), typedText(req.body, 'name'), adminBy(res)),
    (req) => ({
      status: 400,
      field: ssoSetupFieldOf(platformOf(req)),
      typed: { typedSsoSetup: { id: platformOf(req), value: typedText(req.body, 'name') } },
    }),
  );
  post(
    '/platforms/:id/sso-setups/:setupId/rename',
    'sso-setup-renamed',
    (req, res) => setups.rename(platformOf(req), setupOf(req), typedText(req.body, 'name'), adminBy(res)),
    (req) => ({
      status: 400,
      field: ssoSetupNameFieldOf(setupOf(req)),
      typed: { typedSsoSetupName: { id: setupOf(req), value: typedText(req.body, 'name') } },
    }),
  );
  // A setup still in use is a conflict; the message sits at the setup's name field.
  post(
    '/platforms/:id/sso-setups/:setupId/remove',
    'sso-setup-removed',
    (req, res) => setups.remove(platformOf(req), setupOf(req), adminBy(res)),
    (req) => ({ status: 409, field: ssoSetupNameFieldOf(setupOf(req)) }),
  );
}
