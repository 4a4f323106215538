import express, { type Response, type Router } from 'express';
import { adminBy, type AdminSignIn } from '../platforms/admin-session.middleware.js';
import type { PlatformService } from '../platforms/platform.service.js';
import { asyncHandler } from '../web/async-handler.js';
import { HttpError } from '../web/http-error.js';
import { InvalidSettingsError, type SettingsProblem } from './settings.errors.js';
import { parseSettingsForm, readSettingsForm, type SettingsForm } from './settings-input.js';
import { presentSettings } from './settings.presenter.js';
import { SettingsScopeNotFoundError, type SystemSettings } from './settings.service.js';
import { INSTALLATION } from './settings.js';

export interface SettingsPageDeps {
  settings: SystemSettings;
  platforms: PlatformService;
  admin: AdminSignIn;
  /** Plain-http finish URLs only outside production. */
  allowHttp: boolean;
  envFinishRedirectUrl: string | null;
  /** SETTINGS_CACHE_SECONDS, which the page names. */
  cacheSeconds: number;
}

/**
 * /admin/settings: the installation's system settings and each platform's overrides, one form
 * each, saved through the audit trail. A refused form comes back with every problem at once.
 */
export function settingsAdminPages(deps: SettingsPageDeps): Router {
  const { settings, platforms, admin } = deps;
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }), admin.gate, admin.require);

  const page = async (
    res: Response,
    status: number,
    extra: { typed?: { scope: string; form: SettingsForm }; problems?: SettingsProblem[] },
  ) => {
    const known = await platforms.list();
    const sections = presentSettings({
      installation: { values: await settings.valuesOf(INSTALLATION), effective: await settings.forInstallation() },
      platforms: await Promise.all(known.map(async (p) => ({ id: p.id, name: p.name, values: await settings.valuesOf(p.id) }))),
      envFinishRedirectUrl: deps.envFinishRedirectUrl,
      typed: extra.typed,
    });
    const prefix = sections.find((s) => s.scope === extra.typed?.scope)?.prefix ?? '';
    const errors = (extra.problems ?? []).map((p) => ({ field: `${prefix}-${p.field}`, message: p.message }));
    res.status(status).render('admin-settings.njk', {
      title: 'System settings',
      cacheSeconds: deps.cacheSeconds,
      csrf: admin.csrfToken(res),
      sections,
      errors,
      fieldErrors: Object.fromEntries(errors.map((e) => [e.field, e.message])),
      done: res.req.query.done === 'saved' ? 'The settings are saved. Other examgate processes use them within a few seconds.' : null,
    });
  };

  router.get(
    '/',
    asyncHandler(async (_req, res) => {
      await page(res, 200, {});
    }),
  );
  router.post(
    '/:scope',
    admin.csrf,
    asyncHandler(async (req, res) => {
      const scope = String(req.params.scope);
      const form = readSettingsForm(req.body);
      try {
        await settings.save(scope, parseSettingsForm(form, { allowHttp: deps.allowHttp }), adminBy(res));
      } catch (err) {
        if (err instanceof SettingsScopeNotFoundError) {
          throw new HttpError(404, 'not_found', 'There is no such platform.');
        }
        if (!(err instanceof InvalidSettingsError)) {
          throw err;
        }
        await page(res, 400, { typed: { scope, form }, problems: err.problems });
        return;
      }
      const anchor = scope === INSTALLATION ? 'installation' : `platform-${scope}`;
      res.redirect(303, `/admin/settings?done=saved#${encodeURIComponent(anchor)}`);
    }),
  );
  return router;
}
