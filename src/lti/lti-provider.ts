import { Provider, type LtijsError, type LtijsIdToken } from 'ltijs';
import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { Config } from '../config.js';
import type { DatabaseTarget } from '../db/database.js';
import type { Logger } from '../logger.js';
import type { ResealReport } from '../stored-secrets.js';
import { launchRefusal, type LaunchRefusedError } from './launch-errors.js';
import { launchGuard } from './launch-guard.js';
import { replayLtijsHelmet } from './ltijs-helmet.js';
import { countLoginFirst, partitionLtijsCookies, rememberLoginRequest, type UsedOnce } from './login-initiation.js';
import { platformStorageLaunch } from './platform-storage-launch.js';
import { outsideLaunchScope } from './launch-scope.js';
import { ExamgateLtiDatabase } from './lti-database.js';
import type { LoginRequestRepository } from './login-request.repository.js';
import type { SideRead } from '../db/side-read.js';
import { validatedLaunch, type VerifiedClaims } from './validated-launch.js';

/** ltijs's routes, kept at the root: mounting ltijs under a sub-path breaks its redirects. */
export const LTI_PATHS = {
  login: '/lti/login',
  launch: '/lti/launch',
  keys: '/lti/keys',
  register: '/lti/register',
} as const;

/** A launch ltijs has validated: the raw verified claims plus ltijs's own token for later service calls. */
export interface VerifiedLaunch {
  claims: Record<string, unknown>;
  ltiToken: LtijsIdToken;
  /** False when the launch was bound to the browser through platform storage: no cookie sticks where it runs. */
  cookiesStick: boolean;
}

export interface LtiHandlers<Beside> {
  /**
   * What a launch reads first (its platform), for the statement that ends its login to carry
   * (login-request.repository.ts), named by the verified token's issuer, client and deployment.
   */
  readBesideLoginEnd(issuer: string, clientId: string, deploymentId: string): SideRead<Beside>;
  /** A launch whose login has ended, with what `readBesideLoginEnd` read. */
  onLaunch(launch: VerifiedLaunch, beside: Beside, req: Request, res: Response, next: NextFunction): Promise<void>;
  /** Answers a refused LTI message (through the one error handler). */
  onFailure(refusal: LaunchRefusedError, req: Request, res: Response): void;
  /** Answers any other error (a throttle refusal, an outage) through the one error handler. */
  onError(err: unknown, req: Request, res: Response): void;
  onDynamicRegistration: RequestHandler;
}

export interface LtiLayer {
  /** Sends requests for ltijs's paths to ltijs and lets every other request pass. */
  middleware: RequestHandler;
  /** Start-up: ltijs's encrypted rows (its keys per platform) under SECRET_KEY, re-sealed from SECRET_KEY_PREVIOUS where needed. */
  resealStoredKeys(): Promise<ResealReport>;
  /** ltijs's own express app: pages rendered while it handles a request use its view settings. */
  app: Express;
  close(): Promise<void>;
}

const STATE_COOKIE_LIFETIME_MS = 60_000;

function errorCode(err: unknown): string {
  const e = err as LtijsError | undefined;
  return e?.details?.message ?? 'INVALID_TOKEN';
}

/**
 * Sets up ltijs once per process (it is a singleton) on the SQL storage plugin.
 * ltijs answers the login initiation and its key set; an id_token posted to the launch path is
 * validated by ltijs's own validator (validated-launch.ts) and handed to us in the same
 * request, with no ltik and no ltijs session cookie ("ltiaas" mode); examgate keeps its own
 * session instead. State-cookie validation stays on (devMode is never used).
 */
export async function startLti<Beside>(deps: {
  config: Config;
  target: DatabaseTarget;
  loginRequests: LoginRequestRepository;
  /** Where the new-window form's one use is remembered. */
  usedOnce: UsedOnce;
  log: Logger;
  handlers: LtiHandlers<Beside>;
  /** Whether the database answers now: a failed validation while it does not is an outage, not a bad launch. */
  isDatabaseReady: () => Promise<boolean>;
}): Promise<LtiLayer> {
  const { config, handlers, log } = deps;
  // A nonce must be remembered as long as a token carrying it can be accepted.
  const nonceLifetimeMs = (config.LTI_TOKEN_MAX_AGE_SECONDS + config.LTI_CLOCK_SKEW_SECONDS) * 1000 + 300_000;
  const database = new ExamgateLtiDatabase(deps.target, config.secretKeys);

  const fail = (req: Request, res: Response, code: string) => {
    const refusal = launchRefusal(code);
    log.warn({ code, path: req.path, reason: refusal.reason }, 'LTI message refused');
    handlers.onFailure(refusal, req, res);
  };

  // ltijs keeps only the message of an error thrown inside its validation: when the database
  // is down, that is a driver's message, not a verdict on the launch. Asking the database
  // tells the two apart (failures are rare, so the extra query costs nothing on good launches).
  const classify = (req: Request, res: Response) => {
    deps.isDatabaseReady().then(
      (ready) => fail(req, res, ready ? errorCode(res.locals.err) : 'DATABASE_UNAVAILABLE'),
      () => fail(req, res, 'DATABASE_UNAVAILABLE'),
    );
  };

  /** A launch ltijs's validator accepted (validated-launch.ts). */
  const launch = async (claims: VerifiedClaims, token: LtijsIdToken, req: Request, res: Response, next: NextFunction) => {
    try {
      // ltijs checked that the state is bound to this browser (its signed state cookie); the
      // nonce must be the one examgate issued for that very login, never used before, and the
      // login ends here.
      const { outcome: ended, beside } = await deps.loginRequests.endWith(
        String(req.body.state),
        String(claims.nonce),
        new Date(Date.now() + nonceLifetimeMs),
        handlers.readBesideLoginEnd(token.iss, token.clientId, token.deploymentId),
      );
      if (ended !== 'ended') {
        fail(req, res, ended === 'nonce-used' ? 'NONCE_ALREADY_RECEIVED' : 'NONCE_NOT_ISSUED_FOR_THIS_LOGIN');
        return;
      }
      // The launch key in scope was for ltijs's validation only; nothing after it sees it.
      const cookiesStick = res.locals.launchWithoutCookies !== true;
      await outsideLaunchScope(() => handlers.onLaunch({ claims, ltiToken: token, cookiesStick }, beside, req, res, next));
    } catch (err) {
      next(err);
    }
  };

  Provider.setup(
    config.SECRET_KEY,
    { plugin: database },
    {
      appRoute: LTI_PATHS.launch,
      loginRoute: LTI_PATHS.login,
      keysetRoute: LTI_PATHS.keys,
      dynRegRoute: LTI_PATHS.register,
      ltiaas: true,
      cors: false,
      devMode: false,
      tokenMaxAge: config.LTI_TOKEN_MAX_AGE_SECONDS,
      cookies: { secure: config.secureCookies, sameSite: config.secureCookies ? 'None' : 'Lax' },
      // examgate runs the registration exchange itself (platforms/registration-exchange.ts); ltijs
      // needs this block only to route LTI_PATHS.register to the app instead of answering it with
      // its own 403. Should its exchange ever run, nothing it registers is active.
      dynReg: {
        url: config.PUBLIC_URL,
        name: 'examgate',
        description: 'Candidates, access and delivery for assessments',
        autoActivate: false,
        useDeepLinking: true,
      },
      serverAddon: (app: Express) => {
        app.use(partitionLtijsCookies(config.secureCookies));
        app.use(launchGuard(config.LTI_CLOCK_SKEW_SECONDS, (req, res, rejection) => fail(req, res, rejection.code)));
        app.use(
          platformStorageLaunch({
            loginRequests: deps.loginRequests,
            launchPath: LTI_PATHS.launch,
            loginUrl: LTI_PATHS.login,
            publicOrigin: new URL(config.PUBLIC_URL).origin,
            refuse: fail,
          }),
        );
        app.use(
          LTI_PATHS.login,
          rememberLoginRequest(
            deps.loginRequests,
            deps.usedOnce,
            { ttlMs: STATE_COOKIE_LIFETIME_MS, secureCookies: config.secureCookies },
            fail,
          ),
        );
        app.post(
          LTI_PATHS.launch,
          validatedLaunch({
            encryptionKey: config.SECRET_KEY,
            tokenMaxAgeSeconds: config.LTI_TOKEN_MAX_AGE_SECONDS,
            secureCookies: config.secureCookies,
            database,
            getPlatform: (issuer, clientId) => Provider.getPlatform(issuer, clientId),
            onValid: launch,
            onInvalid: (req, res) => classify(req, res),
          }),
        );
      },
    },
  );

  replayLtijsHelmet(Provider.app);
  Provider.onInvalidToken(classify);
  Provider.onSessionTimeout(classify);
  // ltijs calls these from its login route too: that login is counted before it is answered.
  const failCounted = (code: string) => (req: Request, res: Response) => {
    countLoginFirst(res).then(
      () => fail(req, res, code),
      (err: unknown) => handlers.onError(err, req, res),
    );
  };
  Provider.onUnregisteredPlatform(failCounted('UNREGISTERED_PLATFORM'));
  Provider.onInactivePlatform(failCounted('PLATFORM_NOT_ACTIVATED'));
  Provider.onDynamicRegistration(handlers.onDynamicRegistration);

  const sigintBefore = new Set(process.listeners('SIGINT'));
  await Provider.deploy({ serverless: true, silent: true });
  // ltijs installs a SIGINT handler that exits at once; examgate stops gracefully itself.
  for (const listener of process.listeners('SIGINT')) {
    if (!sigintBefore.has(listener)) {
      process.removeListener('SIGINT', listener);
    }
  }

  const ltiPaths = new Set<string>(Object.values(LTI_PATHS));
  return {
    middleware: (req, res, next) => (ltiPaths.has(req.path) ? Provider.app(req, res, next) : next()),
    resealStoredKeys: () => database.resealStoredKeys(),
    app: Provider.app,
    close: async () => {
      await Provider.close({ silent: true });
    },
  };
}
