import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import { pendingCountOf } from '../throttle/pending-count.js';
import { launchCookieOptions } from '../web/cookie-policy.js';
import type { LoginRequestRepository } from './login-request.repository.js';

/** 256 bits from the operating system's CSPRNG (ltijs's own nonce comes from Math.random). */
export function newLoginNonce(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Set beside ltijs's state cookie, with the same attributes: when it comes back, this browser
 * keeps examgate's cookies in this context (this LMS's frame, or a window of examgate's own).
 */
export const COOKIE_PROBE = 'examgate_cookies';
const COOKIE_PROBE_MAX_AGE_MS = 30 * 24 * 3600 * 1000;

/** Where a login goes when examgate does not know yet whether its cookie sticks here. */
export const LOGIN_CONTINUE_PATH = '/lti/login/continue';

/**
 * A field of the new-window form (login-continue.routes.ts): that form may start its login once.
 * A second press would send the LMS a hint it has already spent (Moodle's are single-use) and end
 * on the LMS's "Invalid request"; examgate answers it with a page of its own instead.
 */
export const RESTART_FIELD = 'examgate_restart';
const RESTART_MEMORY_MS = 24 * 3600 * 1000;

/** Remembers ids that may be used once (db/single-use-ids.ts). */
export interface UsedOnce {
  remember(id: string, expiresAt: Date): Promise<boolean>;
}

function loginParams(req: Request): Record<string, string> {
  const body: unknown = req.body;
  return Object.fromEntries(
    Object.entries({ ...req.query, ...(typeof body === 'object' && body !== null ? body : {}) }).filter(
      (e): e is [string, string] => typeof e[1] === 'string',
    ),
  );
}

/**
 * Takes this login's throttle count (left to its answer by app.ts) before an answer that
 * records no login: a refusal, an unknown platform. Resolves at once when it was taken.
 */
export function countLoginFirst(res: Response): Promise<void> {
  return pendingCountOf(res.locals)?.take() ?? Promise.resolve();
}

export function cookiesKnownToStick(req: Request): boolean {
  return (req.cookies as Record<string, unknown> | undefined)?.[COOKIE_PROBE] === '1';
}

/**
 * Runs before ltijs's login route. Validates the OIDC login initiation (ltijs would answer
 * raw JSON), then, when ltijs redirects the browser to the LMS, replaces ltijs's nonce with
 * one of examgate's own and records it with the login's parameters and the LMS address under
 * the state ltijs generated (read back from the redirect). The launch is later accepted only
 * with this nonce for this state (lti-provider.ts).
 *
 * The LMS address is not visited yet unless this browser is known to keep examgate's cookies
 * here: Moodle's lti_message_hint is single-use, so a login that goes to the LMS and then
 * finds the state cookie missing can never be repeated. Instead the browser first comes back
 * to examgate (LOGIN_CONTINUE_PATH), which sees whether the cookies set with this answer were
 * kept, while the hint is still unused.
 */
export function rememberLoginRequest(
  store: LoginRequestRepository,
  restarts: UsedOnce,
  options: { ttlMs: number; secureCookies: boolean },
  reject: (req: Request, res: Response, code: string) => void,
): RequestHandler {
  const cookieOptions = launchCookieOptions(options.secureCookies);
  return (req, res, next) => {
    const { [RESTART_FIELD]: restart, ...params } = loginParams(req);
    if (!params.iss || !params.login_hint || !params.target_link_uri) {
      countLoginFirst(res).then(() => reject(req, res, 'MISSING_LOGIN_PARAMETERS'), next);
      return;
    }
    if (restart !== undefined) {
      // Counted before the restart is spent: a refused restart can be pressed again later.
      const once = countLoginFirst(res).then(() =>
        restart.length <= 100 ? restarts.remember(`login-restart:${restart}`, new Date(Date.now() + RESTART_MEMORY_MS)) : false,
      );
      once.then((first) => (first ? continueLogin(req, res, next, params) : reject(req, res, 'LOGIN_ALREADY_RESTARTED')), next);
      return;
    }
    continueLogin(req, res, next, params);
  };

  function continueLogin(req: Request, res: Response, next: (err?: unknown) => void, params: Record<string, string>): void {
    const redirect = res.redirect.bind(res) as (status: number, url: string) => void;
    res.redirect = ((url: string) => {
      const target = new URL(url);
      const state = target.searchParams.get('state');
      if (!state) {
        redirect(302, url);
        return;
      }
      const nonce = newLoginNonce();
      target.searchParams.set('nonce', nonce);
      const lmsUrl = target.toString();
      const login = store.newLogin(state, nonce, params, lmsUrl, options.ttlMs);
      // The login's throttle count and its record in one statement (on PostgreSQL); refused, nothing is recorded.
      const pending = pendingCountOf(res.locals);
      const recorded = pending ? pending.takeWithInsert(login) : store.insert(login);
      recorded.then(
        () => {
          if (cookiesKnownToStick(req)) {
            redirect(302, lmsUrl);
            return;
          }
          res.cookie(COOKIE_PROBE, '1', { ...cookieOptions, maxAge: COOKIE_PROBE_MAX_AGE_MS });
          redirect(303, `${LOGIN_CONTINUE_PATH}?state=${encodeURIComponent(state)}`);
        },
        (err: unknown) => {
          // No login was recorded, so the state cookie ltijs set for it goes unsent.
          res.removeHeader('Set-Cookie');
          next(err);
        },
      );
    }) as Response['redirect'];
    next();
  }
}

/**
 * ltijs sets its state cookie with only secure/sameSite/domain; examgate's cookie policy adds
 * `Partitioned` over https. Clearing goes through res.cookie too, so the cleared cookie is the
 * one in the same partition.
 */
export function partitionLtijsCookies(secureCookies: boolean): RequestHandler {
  const { partitioned } = launchCookieOptions(secureCookies);
  return (_req, res, next) => {
    if (partitioned) {
      const setCookie = res.cookie.bind(res) as (name: string, value: unknown, options?: object) => Response;
      res.cookie = ((name: string, value: unknown, cookieOptions: object = {}) =>
        setCookie(name, value, { ...cookieOptions, partitioned: true })) as Response['cookie'];
    }
    next();
  };
}
