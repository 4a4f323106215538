import type { Response, Router } from 'express';
import { asyncHandler } from '../web/async-handler.js';
import type { AdminSignIn } from './admin-session.middleware.js';
import { InvalidRegistrationUrlError } from './registration.errors.js';
import type { RegistrationTokenService } from './registration-token.service.js';
import { relativeWords, utcWords } from './registration-url.presenter.js';

/** Renders the admin page with extra context (a status message, the URL just created, field errors). */
export type AdminPageRenderer = (res: Response, status: number, extra: Record<string, unknown>) => Promise<void>;

/**
 * Creating and revoking registration URLs on /admin. A new URL is shown once, on the page the
 * POST answers: examgate keeps only a hash of its token, so it cannot show it again.
 */
export function mountRegistrationUrlPages(
  router: Router,
  urls: RegistrationTokenService,
  admin: AdminSignIn,
  render: AdminPageRenderer,
): void {
  router.post(
    '/registration-urls',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      const raw = typeof req.body?.hours === 'string' ? req.body.hours.trim() : '';
      try {
        const created = await urls.create(raw === '' ? undefined : Number(raw));
        const expires = `${relativeWords(created.expiresAt, new Date())} (${utcWords(created.expiresAt)})`;
        await render(res, 200, {
          done: `A registration URL was created. Copy it now: it is shown only this once. It works for one registration and expires ${expires}.`,
          createdRegistration: { url: created.url, expires },
        });
      } catch (err) {
        if (!(err instanceof InvalidRegistrationUrlError)) {
          throw err;
        }
        await render(res, 400, { errors: [{ field: 'hours', message: err.message }], fieldErrors: { hours: err.message }, hours: raw });
      }
    }),
  );
  router.post(
    '/registration-urls/:id/revoke',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      await urls.revoke(String(req.params.id));
      res.redirect(303, '/admin?done=revoked#registration-urls');
    }),
  );
}
