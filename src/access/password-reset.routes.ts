import express, { type Request, type Response, type Router } from 'express';
import { InvalidPermanentUserError } from '../permanent/permanent-user.errors.js';
import type { ThrottleRule, ThrottleService } from '../throttle/throttle.service.js';
import { asyncHandler } from '../web/async-handler.js';
import { field } from '../web/form.js';
import { HttpError } from '../web/http-error.js';
import { postedFromOwnOrigin } from '../web/same-origin.js';
import { clientAddress, throttleRequests } from '../web/throttle.js';
import { LOGIN_PATH } from './candidate-login.routes.js';
import { RESET_PATH, ResetLinkInvalidError, type PasswordResets } from './password-reset.service.js';

export const FORGOT_PATH = '/login/forgot';

export interface PasswordResetRouteDeps {
  resets: PasswordResets;
  throttle: ThrottleService;
  /** Every request to these pages from one address counts (requests and links tried alike). */
  perAddress: ThrottleRule;
  publicOrigin: string;
  minutes: number;
}

const SENT =
  'If that username belongs to an account with an e-mail address, a message with a link to choose a new password is on its way to it.';

/**
 * "Forgot your password?" (/login/forgot) and "Choose a new password" (/login/reset/<token>).
 * No session exists yet, so forms are checked to come from examgate's own origin instead of a
 * CSRF token. Pages are never cached; the token is only in the path, which the error log masks.
 */
export function passwordResetRoutes(deps: PasswordResetRouteDeps): Router {
  const router = express.Router();
  const counted = throttleRequests(deps.throttle, [{ rule: deps.perAddress, key: clientAddress }]);
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const ownOrigin = (req: Request) => {
    if (!postedFromOwnOrigin(req, deps.publicOrigin)) {
      throw new HttpError(403, 'cross_site', 'Use examgate’s own page to reset your password.');
    }
  };
  const forgotPage = (res: Response, status: number, values: { username: string; error: string | null; sent: boolean }) =>
    res
      .status(status)
      .set('cache-control', 'no-store')
      .render('forgot-password.njk', {
        title: 'Forgot your password?',
        values,
        minutes: deps.minutes,
        done: values.sent ? SENT : null,
        errors: values.error ? [{ field: 'username', message: values.error }] : [],
      });

  router.get(FORGOT_PATH, counted, (_req, res) => forgotPage(res, 200, { username: '', error: null, sent: false }));
  router.post(
    FORGOT_PATH,
    form,
    counted,
    asyncHandler(async (req, res) => {
      ownOrigin(req);
      const username = field(req.body, 'username').trim().slice(0, 500);
      if (!username) {
        forgotPage(res, 400, { username, error: 'Enter your username, as on your login slip or registration e-mail.', sent: false });
        return;
      }
      await deps.resets.request(username);
      forgotPage(res, 200, { username: '', error: null, sent: true });
    }),
  );

  const resetPage = (res: Response, status: number, token: string, username: string, error: string | null) =>
    res
      .status(status)
      .set('cache-control', 'no-store')
      .render('reset-password.njk', {
        title: 'Choose a new password',
        action: `${RESET_PATH}/${encodeURIComponent(token)}`,
        username,
        errors: error ? [{ field: 'password', message: error }] : [],
      });
  const refused = (res: Response) =>
    res.status(410).set('cache-control', 'no-store').render('reset-link-refused.njk', {
      title: 'This link does not work any more',
      message: new ResetLinkInvalidError().message,
    });

  router.get(
    `${RESET_PATH}/:token`,
    counted,
    asyncHandler(async (req, res) => {
      const token = String(req.params.token).slice(0, 100);
      const target = await deps.resets.target(token);
      if (!target) {
        refused(res);
        return;
      }
      resetPage(res, 200, token, target.username, null);
    }),
  );
  router.post(
    `${RESET_PATH}/:token`,
    form,
    counted,
    asyncHandler(async (req, res) => {
      ownOrigin(req);
      const token = String(req.params.token).slice(0, 100);
      const target = await deps.resets.target(token);
      if (!target) {
        refused(res);
        return;
      }
      const password = field(req.body, 'password').slice(0, 500);
      if (password !== field(req.body, 'again').slice(0, 500)) {
        resetPage(res, 400, token, target.username, 'The two passwords are not the same. Type the new password twice.');
        return;
      }
      try {
        await deps.resets.complete(token, password);
      } catch (err) {
        if (err instanceof InvalidPermanentUserError) {
          resetPage(res, 400, token, target.username, err.message);
          return;
        }
        if (err instanceof ResetLinkInvalidError) {
          refused(res);
          return;
        }
        throw err;
      }
      res.redirect(303, `${LOGIN_PATH}?done=password-reset`);
    }),
  );
  return router;
}
