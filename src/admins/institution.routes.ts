import express, { type Request, type Response, type Router } from 'express';
import type { LoginThrottle } from '../throttle/login-throttle.js';
import { qrSvg } from '../handout/slip-qr.js';
import { asyncHandler } from '../web/async-handler.js';
import { doneMessage, type DoneMessages } from '../web/done-message.js';
import { field } from '../web/form.js';
import { HttpError } from '../web/http-error.js';
import { postedFromOwnOrigin } from '../web/same-origin.js';
import { clientAddress } from '../web/throttle.js';
import { InvalidAdminAccountError } from './admin-account.errors.js';
import type { AdminAccounts } from './admin-account.service.js';
import { adminOf, INSTITUTION_PATH, type InstitutionSession } from './institution-session.middleware.js';

const WRONG = 'The username, password or code is not right.';
const MAX_FIELD = 500;

const DONE: DoneMessages = {
  'signed-out': 'You have signed out.',
  'two-step-on': 'Two-step sign-in is on: from now on, signing in asks for a code from your app.',
  'two-step-off': 'Two-step sign-in is off.',
};

export interface InstitutionRouteDeps {
  accounts: AdminAccounts;
  session: InstitutionSession;
  throttle: LoginThrottle;
  publicOrigin: string;
}

/** Sign-in, sign-out, two-step sign-in and the platform's admin accounts (/institution). */
export function institutionRoutes(deps: InstitutionRouteDeps): Router {
  const { accounts, session } = deps;
  const router = express.Router();
  router.use(express.urlencoded({ extended: false, limit: '16kb' }));

  const signInPage = (req: Request, res: Response, status: number, username = '', error: string | null = null) =>
    res
      .status(status)
      .set('cache-control', 'no-store')
      .render('institution/sign-in.njk', {
        title: 'Sign in to institution administration',
        username,
        errors: error ? [{ field: 'username', message: error }] : [],
        done: error ? null : doneMessage(DONE, req.query),
      });

  router.get(
    '/',
    asyncHandler(async (req, res) => {
      if (await session.current(req)) {
        res.redirect(303, `${INSTITUTION_PATH}/users`);
        return;
      }
      signInPage(req, res, 200);
    }),
  );

  router.post(
    '/sign-in',
    asyncHandler(async (req, res) => {
      if (!postedFromOwnOrigin(req, deps.publicOrigin)) {
        throw new HttpError(403, 'cross_site', 'Sign in on examgate’s own sign-in page.');
      }
      const username = field(req.body, 'username').trim().slice(0, MAX_FIELD);
      const password = field(req.body, 'password').slice(0, MAX_FIELD);
      const code = field(req.body, 'code').trim().slice(0, 10);
      if (!username || !password) {
        signInPage(req, res, 400, username, 'Enter your username and password.');
        return;
      }
      const attempt = { account: username, address: clientAddress(req) };
      await deps.throttle.beforeAttempt(attempt);
      const account = await accounts.verify(username, password, code);
      if (!account) {
        await deps.throttle.failed(attempt);
        signInPage(req, res, 401, username, WRONG);
        return;
      }
      await deps.throttle.succeeded(attempt);
      session.signIn(res, account);
      res.redirect(303, `${INSTITUTION_PATH}/users`);
    }),
  );

  router.post('/sign-out', session.require, session.csrf, (_req, res) => {
    session.signOut(res);
    res.redirect(303, `${INSTITUTION_PATH}?done=signed-out`);
  });

  mountTwoStep(router, deps);
  mountAdmins(router, deps);
  return router;
}

/** The signed-in account; an LTI administrator has none (and no two-step or account pages). */
function accountOf(res: Response) {
  const account = adminOf(res).account;
  if (!account) {
    throw new HttpError(404, 'not_found', 'An LMS administrator has no examgate admin account to manage here.');
  }
  return account;
}

function mountTwoStep(router: Router, { accounts, session }: InstitutionRouteDeps): void {
  const page = async (req: Request, res: Response, status: number, error: string | null = null) => {
    const account = accountOf(res);
    const fresh = await accounts.get(account.platformId, account.id);
    const pending = fresh.totpEnabled ? null : await accounts.pendingTotp(account.platformId, account.id);
    res.status(status).render('institution/two-step.njk', {
      title: 'Two-step sign-in',
      institution: adminOf(res),
      csrf: session.csrfToken(res),
      enabled: fresh.totpEnabled,
      pending: pending ? { ...pending, qr: qrSvg(pending.uri, 'QR code of the authenticator set-up link') } : null,
      errors: error ? [{ field: 'code', message: error }] : [],
      done: doneMessage(DONE, req.query),
    });
  };
  router.get(
    '/two-step',
    session.require,
    asyncHandler((req, res) => page(req, res, 200)),
  );
  router.post(
    '/two-step/start',
    session.require,
    session.csrf,
    asyncHandler(async (_req, res) => {
      const account = accountOf(res);
      await accounts.startTotp(account.platformId, account.id);
      res.redirect(303, `${INSTITUTION_PATH}/two-step`);
    }),
  );
  router.post(
    '/two-step/confirm',
    session.require,
    session.csrf,
    asyncHandler(async (req, res) => {
      const account = accountOf(res);
      try {
        await accounts.confirmTotp(account.platformId, account.id, field(req.body, 'code').slice(0, 10), adminOf(res).by);
      } catch (err) {
        if (err instanceof InvalidAdminAccountError) {
          await page(req, res, 400, err.message);
          return;
        }
        throw err;
      }
      res.redirect(303, `${INSTITUTION_PATH}/two-step?done=two-step-on`);
    }),
  );
  router.post(
    '/two-step/off',
    session.require,
    session.csrf,
    asyncHandler(async (_req, res) => {
      const account = accountOf(res);
      await accounts.disableTotp(account.platformId, account.id, adminOf(res).by);
      res.redirect(303, `${INSTITUTION_PATH}/two-step?done=two-step-off`);
    }),
  );
}

function mountAdmins(router: Router, { accounts, session }: InstitutionRouteDeps): void {
  const page = async (res: Response, status: number, extra: Record<string, unknown> = {}) => {
    const admin = adminOf(res);
    accountOf(res);
    const list = await accounts.list(admin.platformId);
    res.status(status).render('institution/admins.njk', {
      title: 'Admin accounts',
      institution: admin,
      csrf: session.csrfToken(res),
      accounts: list.map((a) => ({ ...a, created: a.createdAt.toISOString().slice(0, 10) })),
      form: {},
      fieldErrors: {},
      errors: [],
      ...extra,
    });
  };
  router.get(
    '/admins',
    session.require,
    asyncHandler((_req, res) => page(res, 200)),
  );
  router.post(
    '/admins',
    session.require,
    session.csrf,
    asyncHandler(async (req, res) => {
      const admin = adminOf(res);
      accountOf(res);
      const username = field(req.body, 'username').slice(0, MAX_FIELD + 10);
      const password = field(req.body, 'password');
      try {
        const { account, generated } = await accounts.create(admin.platformId, username, password || null, admin.by);
        await page(res, 201, {
          done: `The admin account ${account.username} is added.`,
          generated: generated ? { username: account.username, password: generated } : null,
        });
      } catch (err) {
        if (!(err instanceof InvalidAdminAccountError)) {
          throw err;
        }
        const error = { field: err.field, message: err.message };
        await page(res, 400, { form: { username }, errors: [error], fieldErrors: { [err.field]: err.message } });
      }
    }),
  );
}
