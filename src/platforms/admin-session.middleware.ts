import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { CookieOptions, NextFunction, Request, Response } from 'express';
import type { AuditBy } from '../audit/audit.js';
import type { Config } from '../config.js';
import type { LoginThrottle } from '../throttle/login-throttle.js';
import { csrfTokenFor, verifyCsrf } from '../web/csrf.js';
import { HttpError } from '../web/http-error.js';
import { signedInAsAdmin } from '../web/signed-in.js';

export const ADMIN_COOKIE = 'examgate_admin';

/**
 * Everyone signs in with the one ADMIN_TOKEN, so the trail tells sign-ins apart by a short
 * digest of the session (not the cookie, which would let a reader of the trail sign in).
 */
export function adminBy(res: Response): AuditBy {
  return { actor: { kind: 'admin', ref: adminRef(res) }, via: 'admin-page' };
}

function adminRef(res: Response): string {
  const { idHash } = res.locals.session as { idHash: string };
  return `sign-in ${idHash.slice(0, 8)}`;
}

/** The page header names the sign-in (layout.njk); for pages that look up the session themselves. */
export function showAdminSignedIn(res: Response): void {
  res.locals.signedIn = signedInAsAdmin(adminRef(res));
}
const ADMIN_SESSION_MS = 30 * 60_000;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * Signing in to the admin pages with ADMIN_TOKEN. The cookie holds an expiry, a random part and
 * a fingerprint of the current token (changing ADMIN_TOKEN signs everyone out), signed with
 * SECRET_KEY by cookie-parser; CSRF tokens are bound to its hash. Off while ADMIN_TOKEN is unset.
 * Sign-in attempts and failures are throttled per address (throttle-rules.ts).
 */
export class AdminSignIn {
  readonly #expected: Buffer | null;
  readonly #fingerprint: string;
  readonly #cookie: CookieOptions;
  /** Checks a posted form's CSRF token against the admin session (after `require`). */
  readonly csrf: ReturnType<typeof verifyCsrf>;

  constructor(
    private readonly config: Config,
    private readonly throttle: LoginThrottle,
  ) {
    this.csrf = verifyCsrf(config.secretKeys);
    const token = config.ADMIN_TOKEN;
    this.#expected = token ? sha256(token) : null;
    this.#fingerprint = createHash('sha256')
      .update(`examgate-admin:${token ?? ''}`)
      .digest('hex')
      .slice(0, 16);
    // Same SameSite rule as the session cookie: None; Secure over https (LMS iframes), Lax on plain http.
    const sameSite = config.secureCookies ? 'none' : 'lax';
    this.#cookie = { httpOnly: true, secure: config.secureCookies, sameSite, path: '/admin' };
  }

  /** Every admin page: never cached, and refused while the admin pages are off. */
  readonly gate = (_req: Request, res: Response, next: NextFunction): void => {
    res.set('Cache-Control', 'no-store');
    next(this.#expected ? undefined : new HttpError(403, 'admin_disabled', 'The admin pages are off: set ADMIN_TOKEN to enable them.'));
  };

  current(req: Request): { idHash: string } | null {
    const value: unknown = req.signedCookies?.[ADMIN_COOKIE];
    const [expires, , fingerprint] = typeof value === 'string' ? value.split('.') : [];
    if (!this.#expected || fingerprint !== this.#fingerprint || !(Number(expires) > Date.now())) {
      return null;
    }
    return { idHash: sha256(String(value)).toString('hex') };
  }

  /** Puts the admin session where verifyCsrf looks for it, or refuses with 401. */
  readonly require = (req: Request, res: Response, next: NextFunction): void => {
    const session = this.current(req);
    if (!session) {
      next(new HttpError(401, 'admin_sign_in', 'Your admin session has ended. Sign in again at /admin.'));
      return;
    }
    res.locals.session = session;
    showAdminSignedIn(res);
    next();
  };

  csrfToken(res: Response): string {
    return csrfTokenFor(this.config.secretKeys, (res.locals.session as { idHash: string }).idHash);
  }

  /**
   * `signIn` behind the sign-in throttle: throws ThrottledError, before comparing anything,
   * while this address has failed or tried too often.
   */
  async attemptSignIn(sent: string, address: string, res: Response): Promise<boolean> {
    await this.throttle.beforeAttempt({ address });
    const signedIn = this.signIn(sent, res);
    await (signedIn ? this.throttle.succeeded({ address }) : this.throttle.failed({ address }));
    return signedIn;
  }

  /** True and the cookie set when `sent` is the admin token; compared as digests so no length or content leaks through timing. */
  signIn(sent: string, res: Response): boolean {
    if (!this.#expected || !timingSafeEqual(sha256(sent), this.#expected)) {
      return false;
    }
    const value = `${Date.now() + ADMIN_SESSION_MS}.${randomBytes(16).toString('base64url')}.${this.#fingerprint}`;
    res.cookie(ADMIN_COOKIE, value, { ...this.#cookie, signed: true, maxAge: ADMIN_SESSION_MS });
    return true;
  }

  signOut(res: Response): void {
    res.clearCookie(ADMIN_COOKIE, this.#cookie);
  }
}
