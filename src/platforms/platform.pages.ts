import express, { type Request, type Response, type Router } from 'express';
import type { Config } from '../config.js';
import { asyncHandler } from '../web/async-handler.js';
import { mapError } from '../web/error-table.js';
import { clientAddress } from '../web/throttle.js';
import { adminBy, showAdminSignedIn, type AdminSignIn } from './admin-session.middleware.js';
import { InvalidPlatformError, JwksUnreachableError, PlatformExistsError } from './platform.errors.js';
import type { PlatformService, RegisterPlatformInput } from './platform.service.js';
import type { RegistrationTokenService } from './registration-token.service.js';
import { mountPlatformSettingsPages } from './platform-settings.pages.js';
import { mountSsoSettingsPages } from './sso-settings.pages.js';
import { MATCH_FIELD_LABELS, type SsoSetups } from './sso-setup.service.js';
import { SSO_MATCH_FIELDS } from './platform.js';
import { mountPlatformMovePages } from './platform-move.pages.js';
import type { PlatformMoveService } from './platform-move.service.js';
import { holdsText, presentPlatform, presentPlatformList } from './platform.presenter.js';
import { mountRegistrationUrlPages, type AdminPageRenderer } from './registration-url.pages.js';
import { presentRegistrationUrl } from './registration-url.presenter.js';
import type { ToolConfiguration } from './tool-configuration.js';

const FIELDS = [
  'preset',
  'issuer',
  'clientId',
  'deploymentIds',
  'name',
  'authUrl',
  'tokenUrl',
  'jwksUrl',
  'newDeploymentPolicy',
  'defaultTimeZone',
] as const;
type RegistrationForm = Record<(typeof FIELDS)[number], string> & { skipJwksCheck: boolean };
type FieldError = { field: string; message: string };
const DONE: Record<string, string> = {
  registered: 'The platform is registered.',
  approved: 'The deployment is approved: launches from it are accepted now.',
  removed: 'The platform is removed.',
  'platform-approved': 'The platform is approved: it may launch examgate and show it in its pages now.',
  revoked: 'The registration URL is revoked: an LMS that tries it now is refused.',
  moved:
    'The platform is moved to its new registration: its courses, tests and candidates stay, launches come in with the new client id, and the old client id is refused.',
  'time-zone': 'The default time zone is saved: new tests of this platform start in it (tests that exist keep theirs).',
  'sso-match': 'Saved: SSO user IDs of this LMS identity are matched on the field chosen, at each candidate’s first launch.',
  'sso-setup': 'The SSO setup is registered: SSO imports of this platform’s tests can choose it now.',
  'sso-setup-renamed': 'The SSO setup is renamed: candidates imported with it keep it, under the new name.',
  'sso-setup-removed': 'The SSO setup is removed: SSO imports can no longer choose it.',
};

function readForm(body: unknown): RegistrationForm {
  const raw = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const text = (key: string) => (typeof raw[key] === 'string' ? (raw[key] as string).trim() : '');
  const fields = Object.fromEntries(FIELDS.map((f) => [f, text(f)])) as Record<(typeof FIELDS)[number], string>;
  return { ...fields, skipJwksCheck: text('skipJwksCheck') === 'on' };
}

function toInput(form: RegistrationForm): RegisterPlatformInput {
  if (form.preset !== 'canvas' && form.preset !== 'moodle' && form.preset !== 'custom') {
    throw new InvalidPlatformError('Choose the kind of LMS: Moodle, Canvas or other.');
  }
  const policy = form.newDeploymentPolicy;
  return {
    preset: form.preset,
    issuer: form.issuer || undefined,
    clientId: form.clientId,
    deploymentIds: form.deploymentIds.split(/[\s,]+/).filter(Boolean),
    name: form.name || undefined,
    authUrl: form.authUrl || undefined,
    tokenUrl: form.tokenUrl || undefined,
    jwksUrl: form.jwksUrl || undefined,
    newDeploymentPolicy: policy === 'accept' || policy === 'hold' ? policy : null,
    defaultTimeZone: form.defaultTimeZone || undefined,
    skipJwksCheck: form.skipJwksCheck,
  };
}

/** A registration error as the page shows it: linked to the field the error names, with the table's status. */
function formError(err: InvalidPlatformError | PlatformExistsError | JwksUnreachableError): FieldError & { status: number } {
  const field = err instanceof PlatformExistsError ? 'clientId' : err instanceof JwksUnreachableError ? 'jwksUrl' : err.field;
  return { status: mapError(err)?.status ?? 400, field, message: err.message };
}

/**
 * HTML admin pages at /admin: sign in with ADMIN_TOKEN, register platforms (presets as in the
 * CLI), approve held deployments, remove platforms, and the values the LMS admin pastes.
 */
export function platformAdminPages({
  platforms: service,
  registrationUrls,
  moves,
  config,
  tool,
  admin,
  ssoSetups,
}: {
  platforms: PlatformService;
  ssoSetups: SsoSetups;
  registrationUrls: RegistrationTokenService;
  moves: PlatformMoveService;
  config: Config;
  tool: ToolConfiguration;
  admin: AdminSignIn;
}): Router {
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }), admin.gate);

  const signInPage = (res: Response, status: number, errors: FieldError[] = []) =>
    res.status(status).render('admin-sign-in.njk', { title: 'Sign in to examgate administration', errors });
  const platformsPage = async (
    res: Response,
    status: number,
    form: Partial<RegistrationForm>,
    errors: FieldError[],
    done?: string,
    extra: Record<string, unknown> = {},
  ) => {
    const withCounts = await Promise.all(
      (await service.list()).map(async (platform) => ({ platform, counts: await moves.countsOf(platform.id) })),
    );
    const setups = new Map(
      await Promise.all(withCounts.map(async ({ platform }) => [platform.id, await ssoSetups.list(platform.id)] as const)),
    );
    const platforms = presentPlatformList(withCounts).map((p) => ({ ...p, ssoSetups: setups.get(p.id) ?? [] }));
    const ssoMatchFields = SSO_MATCH_FIELDS.map((value) => ({ value, label: MATCH_FIELD_LABELS[value] }));
    const fieldErrors = Object.fromEntries(errors.map((e) => [e.field, e.message]));
    const defaultPolicy = config.NEW_DEPLOYMENT_POLICY;
    const now = new Date();
    res.status(status).render('admin-platforms.njk', {
      registrationMode: config.DYNAMIC_REGISTRATION,
      registrationUrlHours: config.REGISTRATION_URL_HOURS,
      registrationUrls: (await registrationUrls.list()).map((u) => presentRegistrationUrl(u, now)),
      title: 'Platforms',
      csrf: admin.csrfToken(res),
      platforms,
      form,
      errors,
      fieldErrors,
      done,
      tool,
      defaultPolicy,
      ssoMatchFields,
      ...extra,
    });
  };

  router.get(
    '/',
    asyncHandler(async (req, res) => {
      res.locals.session = admin.current(req);
      if (!res.locals.session) {
        signInPage(res, 200);
        return;
      }
      showAdminSignedIn(res);
      await platformsPage(res, 200, { preset: 'moodle' }, [], DONE[String(req.query.done)]);
    }),
  );
  router.post(
    '/sign-in',
    asyncHandler(async (req: Request, res) => {
      const sent = typeof req.body?.token === 'string' ? req.body.token.trim() : '';
      if (!(await admin.attemptSignIn(sent, clientAddress(req), res))) {
        signInPage(res, 401, [{ field: 'token', message: 'That admin token is not correct.' }]);
        return;
      }
      res.redirect(303, '/admin');
    }),
  );
  router.post('/sign-out', admin.require, admin.csrf, (_req, res) => {
    admin.signOut(res);
    res.redirect(303, '/admin');
  });
  router.post(
    '/platforms',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      const form = readForm(req.body);
      try {
        await service.register(toInput(form), adminBy(res));
      } catch (err) {
        if (!(err instanceof InvalidPlatformError || err instanceof PlatformExistsError || err instanceof JwksUnreachableError)) {
          throw err;
        }
        const { status, ...error } = formError(err);
        await platformsPage(res, status, form, [error]);
        return;
      }
      res.redirect(303, '/admin?done=registered');
    }),
  );
  mountPlatformActions(router, service, moves, admin);
  mountPlatformMovePages(router, service, moves, admin);
  const renderWith: AdminPageRenderer = (res, status, extra) => platformsPage(res, status, { preset: 'moodle' }, [], undefined, extra);
  mountRegistrationUrlPages(router, registrationUrls, admin, renderWith);
  mountPlatformSettingsPages(router, service, admin, renderWith);
  mountSsoSettingsPages(router, service, ssoSetups, admin, renderWith);
  return router;
}

/** Approve a pending platform or a held deployment; remove a platform behind a confirmation page. */
function mountPlatformActions(router: Router, service: PlatformService, moves: PlatformMoveService, admin: AdminSignIn): void {
  router.post(
    '/platforms/:id/approve',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      await service.approvePlatform(String(req.params.id), adminBy(res));
      res.redirect(303, '/admin?done=platform-approved');
    }),
  );
  router.post(
    '/platforms/:id/deployments/:deploymentId/approve',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      await service.approveDeployment(String(req.params.id), String(req.params.deploymentId), adminBy(res));
      res.redirect(303, '/admin?done=approved');
    }),
  );
  router.get(
    '/platforms/:id/remove',
    admin.require,
    asyncHandler(async (req, res) => {
      const platform = presentPlatform(await service.get(String(req.params.id)));
      const counts = await moves.countsOf(platform.id);
      res.render('admin-remove.njk', {
        title: `Remove ${platform.name}?`,
        platform,
        counts,
        holds: holdsText(counts),
        csrf: admin.csrfToken(res),
      });
    }),
  );
  router.post(
    '/platforms/:id/remove',
    admin.require,
    admin.csrf,
    asyncHandler(async (req, res) => {
      await service.remove(String(req.params.id), adminBy(res));
      res.redirect(303, '/admin?done=removed');
    }),
  );
}
