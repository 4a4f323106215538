import cookieParser from 'cookie-parser';
import express, { type Express, type Router } from 'express';
import type { Config } from './config.js';
import type { Logger } from './logger.js';
import { LTI_PATHS, type LtiLayer } from './lti/lti-provider.js';
import { loginContinueRoutes } from './lti/login-continue.routes.js';
import type { LoginRequestRepository } from './lti/login-request.repository.js';
import { WINDOW_HANDOVER_PATH, type LaunchController } from './launch/launch.controller.js';
import { deliveryRoutes } from './access/delivery.routes.js';
import { handoffRoutes } from './access/handoff.routes.js';
import { candidateAreaRoutes } from './access/candidate-area.routes.js';
import { candidateLoginRoutes } from './access/candidate-login.routes.js';
import type { CandidateSignIn } from './web/candidate-sign-in.js';
import type { CandidateTests } from './access/candidate-tests.js';
import { auditAdminPages } from './audit/audit-admin.pages.js';
import { auditInstitutionPages, INSTITUTION_HISTORY_PATH } from './audit/audit-institution.pages.js';
import { appRoutes, type AppRouteDeps } from './launch/app.routes.js';
import { platformAdminPages } from './platforms/platform.pages.js';
import { settingsAdminPages } from './settings/settings.pages.js';
import { platformAdminRoutes } from './platforms/platform.routes.js';
import type { PlatformService } from './platforms/platform.service.js';
import type { PlatformMoveService } from './platforms/platform-move.service.js';
import type { DynamicRegistrationService } from './platforms/dynamic-registration.service.js';
import { dynamicRegistrationRoutes } from './platforms/registration.routes.js';
import type { RegistrationTokenService } from './platforms/registration-token.service.js';
import type { ToolConfiguration } from './platforms/tool-configuration.js';
import type { SigningKeys } from './access/signing-keys.js';
import { asyncHandler } from './web/async-handler.js';
import { errorHandler } from './web/error-handler.js';
import { favicon, FAVICON_PATH } from './web/favicon.js';
import type { FrameAncestors } from './web/frame-ancestors.js';
import { HttpError } from './web/http-error.js';
import { configureViews } from './web/views.js';
import { securityHeaders } from './web/security-headers.js';
import type { ThrottleService } from './throttle/throttle.service.js';
import { throttleRules } from './throttle/throttle-rules.js';
import { LoginThrottle } from './throttle/login-throttle.js';
import { AdminSignIn } from './platforms/admin-session.middleware.js';
import { clientAddress, throttleRequests, throttleRequestsWhereAnswered } from './web/throttle.js';
import { wayInRoutes } from './access/way-in.routes.js';
import type { PermanentUsers } from './permanent/permanent-user.service.js';
import { permanentUserPages } from './permanent/permanent-user.pages.js';
import type { AdminAccounts } from './admins/admin-account.service.js';
import { InstitutionSession } from './admins/institution-session.middleware.js';
import { institutionRoutes } from './admins/institution.routes.js';
import { listPages } from './lists/list.pages.js';
import { institutionListArea } from './lists/list-areas.middleware.js';
import { bulkUploadRoutes } from './permanent/bulk/bulk-upload.routes.js';
import type { wireBulkUpload } from './permanent/bulk/bulk-upload.wiring.js';
import type { MailWiring } from './mail/wire-mail.js';
import { MAIL_SETTINGS_PATH, mailSettingsPages } from './mail/mail-settings.pages.js';
import { OUTBOX_PATH, outboxPages } from './mail/outbox.pages.js';
import { sendThroughSmtp } from './mail/smtp-transport.js';
import { passwordResetRoutes } from './access/password-reset.routes.js';

/** A size in bytes as the upload form states its limits ("2 MB"). */
const megabytes = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

export interface AppDeps extends Omit<AppRouteDeps, 'secret'> {
  candidateTests: CandidateTests;
  candidateSignIn: CandidateSignIn;
  permanentUsers: PermanentUsers;
  bulk: ReturnType<typeof wireBulkUpload>;
  adminAccounts: AdminAccounts;
  mail: MailWiring;
  config: Config;
  loginRequests: LoginRequestRepository;
  launchController: LaunchController;
  log: Logger;
  lti: LtiLayer;
  platforms: PlatformService;
  keys: SigningKeys;
  frameAncestors: FrameAncestors;
  throttle: ThrottleService;
  tool: ToolConfiguration;
  dynamicRegistration: DynamicRegistrationService;
  registrationUrls: RegistrationTokenService;
  platformMoves: PlatformMoveService;
  isDatabaseReady: () => Promise<boolean>;
  demo: Router | null;
  /** Starts a candidate session for a direct link or entry code (access/candidate-sign-in.ts). */
}

/** Assembles the express application; it never listens itself (main.ts and the tests do). */
export function createApp(deps: AppDeps): Express {
  const app = express();
  app.disable('x-powered-by');
  // Pages are made for one session and never revalidated: no body hash (ETag) on every response.
  app.set('etag', false);
  // Node's own parser (no nested objects from a query string: nothing here reads any).
  app.set('query parser', 'simple');
  // Only whose X-Forwarded-For examgate believes decides req.ip, the address the throttles count (README: trust proxy).
  app.set('trust proxy', deps.config.TRUST_PROXY);
  configureViews(app);
  configureViews(deps.lti.app);

  // Without it every page's automatic icon request would end in the 404 page (and the log).
  app.get(FAVICON_PATH, favicon());
  app.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get(
    '/readyz',
    asyncHandler(async (_req, res) => {
      const ready = await deps.isDatabaseReady();
      res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'database unavailable' });
    }),
  );

  // helmet's headers, worked out once; the CSP nonce is new for every response.
  app.use(securityHeaders(deps.frameAncestors));
  // ltijs reads signed cookies through the same parser (its own one then skips), so it signs with
  // SECRET_KEY too; during a rotation, cookies signed with SECRET_KEY_PREVIOUS are still read.
  app.use(cookieParser([...deps.config.secretKeys]));

  const rules = throttleRules(deps.config);
  // The second step of a login (its own path, so it is not counted as a second login).
  app.use(loginContinueRoutes({ loginRequests: deps.loginRequests, loginUrl: LTI_PATHS.login }));
  app.post(
    WINDOW_HANDOVER_PATH,
    express.urlencoded({ extended: false, limit: '4kb' }),
    throttleRequests(deps.throttle, [{ rule: rules.ltiLoginPerAddress, key: clientAddress }]),
    asyncHandler((req, res) => deps.launchController.onWindowHandover(req, res)),
  );
  // Before ltijs: its routes answer themselves. Login is generous (a class launches at once);
  // the form is parsed here to read the issuer, and ltijs's own parser then leaves it be.
  // A login is counted where it is answered: on its usual way, in the statement that records it.
  app.use(
    '/lti/login',
    express.urlencoded({ extended: false, limit: '16kb' }),
    throttleRequestsWhereAnswered(
      deps.throttle,
      [
        { rule: rules.ltiLoginPerAddress, key: clientAddress },
        { rule: rules.ltiLoginPerPlatform, key: loginPlatformKey },
      ],
      deps.log,
    ),
  );
  app.use(LTI_PATHS.register, throttleRequests(deps.throttle, [{ rule: rules.ltiRegisterPerAddress, key: clientAddress }]));
  // Before ltijs, which would otherwise run its own registration exchange at this path.
  app.use(LTI_PATHS.register, dynamicRegistrationRoutes(deps.dynamicRegistration));
  app.use(deps.lti.middleware);
  app.use('/app', appRoutes({ ...deps, secret: deps.config.secretKeys, photos: deps.bulk.photos }));
  app.use(
    candidateLoginRoutes({
      credentials: {
        lookup: (username) => deps.oneTimeUsers.lookup(username),
        verify: async (account, username, password) => {
          const found = deps.oneTimeUsers.check(account, password);
          // One-time usernames are unique across examgate; a permanent user's only on its platform.
          return found ? { ...found, way: 'one-time' } : deps.permanentUsers.principalFor(username, password);
        },
      },
      sessions: deps.sessions,
      candidateSignIn: deps.candidateSignIn,
      throttle: new LoginThrottle(deps.throttle, rules.candidateLogin),
      publicOrigin: new URL(deps.config.PUBLIC_URL).origin,
    }),
  );
  app.use(
    passwordResetRoutes({
      resets: deps.mail.passwordResets,
      throttle: deps.throttle,
      perAddress: deps.mail.passwordResetPerAddress,
      publicOrigin: new URL(deps.config.PUBLIC_URL).origin,
      minutes: deps.config.PASSWORD_RESET_MINUTES,
    }),
  );
  app.use('/my', candidateAreaRoutes({ ...deps, secret: deps.config.secretKeys }));
  app.use(deliveryRoutes(deps));
  app.use(handoffRoutes(deps));
  // The API and the sign-in form take the same ADMIN_TOKEN, so they share one failure throttle.
  const adminThrottle = new LoginThrottle(deps.throttle, rules.adminSignIn);
  app.use('/admin/api', platformAdminRoutes(deps.platforms, deps.platformMoves, deps.config.ADMIN_TOKEN, deps.tool, adminThrottle));
  // One admin sign-in (cookie, CSRF, sign-in throttle) for every admin page.
  const admin = new AdminSignIn(deps.config, adminThrottle);
  app.use('/admin/history', auditAdminPages(deps.audit, deps.platforms, admin));
  app.use(
    '/admin/settings',
    settingsAdminPages({
      settings: deps.settings,
      platforms: deps.platforms,
      admin,
      allowHttp: deps.config.NODE_ENV !== 'production',
      envFinishRedirectUrl: deps.config.FINISH_REDIRECT_URL ?? null,
      cacheSeconds: deps.config.SETTINGS_CACHE_SECONDS,
    }),
  );
  app.use(
    MAIL_SETTINGS_PATH,
    mailSettingsPages({ settings: deps.mail.mailSettings, outbox: deps.mail.outbox, admin, send: sendThroughSmtp }),
  );
  app.use(
    '/admin',
    platformAdminPages({
      platforms: deps.platforms,
      registrationUrls: deps.registrationUrls,
      moves: deps.platformMoves,
      config: deps.config,
      tool: deps.tool,
      admin,
      ssoSetups: deps.ssoSetups,
    }),
  );
  // A platform's own admin area: its admin accounts, or an LMS administrator's launch; walled per platform.
  const institution = new InstitutionSession(deps.config, deps.adminAccounts, deps.sessions);
  app.use(
    '/institution/users/upload',
    bulkUploadRoutes({
      uploads: deps.bulk.bulkUploads,
      imports: deps.imports,
      kind: deps.bulk.bulkImport,
      session: institution,
      limits: { photo: megabytes(deps.config.PHOTO_MAX_BYTES), zip: megabytes(deps.config.IMPORT_ZIP_MAX_BYTES) },
    }),
  );
  app.use('/institution/lists', listPages({ ...deps, staff: deps.staffDirectory }, institutionListArea(institution)));
  app.use('/institution/users', permanentUserPages(deps.permanentUsers, institution, deps.mail.registrationDetails, deps.bulk.photos));
  app.use(OUTBOX_PATH, outboxPages(deps.mail.outbox, institution));
  app.use(INSTITUTION_HISTORY_PATH, auditInstitutionPages(deps.audit, institution));
  app.use(
    '/institution',
    institutionRoutes({
      accounts: deps.adminAccounts,
      session: institution,
      throttle: new LoginThrottle(deps.throttle, rules.accountSignIn),
      publicOrigin: new URL(deps.config.PUBLIC_URL).origin,
    }),
  );
  // Direct links (/go) and entry codes (/enter): ways in for candidates without an LMS or password.
  app.use(
    wayInRoutes({ waysIn: deps.waysIn, signIn: deps.candidateSignIn, throttle: deps.throttle, rules, publicUrl: deps.config.PUBLIC_URL }),
  );
  if (deps.demo) {
    app.use('/demo', deps.demo);
  }
  app.get('/', (_req, res) => {
    res.render('home.njk', {
      title: 'examgate',
      tool: deps.tool,
      demo: Boolean(deps.demo),
      registrationMode: deps.config.DYNAMIC_REGISTRATION,
    });
  });
  app.use((req, _res, next) => {
    next(new HttpError(404, 'not_found', `Nothing lives at ${req.path}.`));
  });
  app.use(errorHandler(deps.log));
  return app;
}

/** The platform a login initiation names (issuer and client id), from the query or the form. */
function loginPlatformKey(req: express.Request): string | null {
  const param = (name: string): string | undefined => {
    const fromBody: unknown = (req.body as Record<string, unknown> | undefined)?.[name];
    const value = typeof fromBody === 'string' ? fromBody : req.query[name];
    return typeof value === 'string' ? value : undefined;
  };
  const iss = param('iss');
  return iss ? `${iss} ${param('client_id') ?? ''}` : null;
}
