import { createHash, randomBytes } from 'node:crypto';
import type { CookieOptions, NextFunction, Request, Response } from 'express';
import type { AuditBy } from '../audit/audit.js';
import type { Config } from '../config.js';
import { SESSION_COOKIE } from '../launch/session-context.middleware.js';
import type { SessionService } from '../sessions/session.service.js';
import { asyncHandler } from '../web/async-handler.js';
import { csrfTokenFor, verifyCsrf } from '../web/csrf.js';
import { HttpError } from '../web/http-error.js';
import type { SignedIn } from '../web/signed-in.js';
import type { AdminAccount, AdminAccounts } from './admin-account.service.js';

export const INSTITUTION_COOKIE = 'examgate_institution';
export const INSTITUTION_PATH = '/institution';
const SESSION_MS = 30 * 60_000;

/** Who is in a platform's admin area: one of its admin accounts, or an LMS user launched with an institution Administrator role. */
export interface InstitutionAdmin {
  platformId: string;
  idHash: string;
  by: AuditBy;
  /** The account signed in with; null for an LTI administrator (no account to manage). */
  account: AdminAccount | null;
  signedIn: SignedIn;
}

const sha256hex = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The platform admin area's session. An account's cookie (signed with SECRET_KEY by
 * cookie-parser, path /institution) holds an expiry, the account id and a random part; the
 * account is looked up on every request, so a removed account is out at once. An LTI launch
 * session of the LMS's administrator (audience 'admin') is let in for its own platform.
 * Everything here takes the platform from the session, never from the request.
 */
export class InstitutionSession {
  readonly #cookie: CookieOptions;
  readonly csrf: ReturnType<typeof verifyCsrf>;

  constructor(
    private readonly config: Config,
    private readonly accounts: AdminAccounts,
    private readonly sessions: SessionService,
  ) {
    const sameSite = config.secureCookies ? 'none' : 'lax';
    this.#cookie = { httpOnly: true, secure: config.secureCookies, sameSite, path: INSTITUTION_PATH };
    this.csrf = verifyCsrf(config.secretKeys);
  }

  signIn(res: Response, account: AdminAccount): void {
    const value = `${Date.now() + SESSION_MS}.${account.id}.${randomBytes(16).toString('base64url')}`;
    res.cookie(INSTITUTION_COOKIE, value, { ...this.#cookie, signed: true, maxAge: SESSION_MS });
  }

  signOut(res: Response): void {
    res.clearCookie(INSTITUTION_COOKIE, this.#cookie);
  }

  async current(req: Request): Promise<InstitutionAdmin | null> {
    const value: unknown = req.signedCookies?.[INSTITUTION_COOKIE];
    const [expires, accountId] = typeof value === 'string' ? value.split('.') : [];
    if (accountId && Number(expires) > Date.now()) {
      const account = await this.accounts.find(accountId);
      if (account) {
        return {
          platformId: account.platformId,
          idHash: sha256hex(String(value)),
          account,
          by: { actor: { kind: 'platform-admin', platformId: account.platformId, ref: account.username }, via: 'admin-page' },
          signedIn: { name: account.username, role: 'institution administrator', signOut: false },
        };
      }
    }
    return this.fromLaunch(req);
  }

  /** Every page of the area: the admin in res.locals, or 401 with the way to sign in. */
  readonly require = asyncHandler(async (req: Request, res: Response, next: NextFunction) => {
    res.set('Cache-Control', 'no-store');
    const admin = await this.current(req);
    if (!admin) {
      if (req.method === 'GET' && req.accepts(['html', 'json']) === 'html') {
        res.redirect(303, INSTITUTION_PATH);
        return;
      }
      throw new HttpError(401, 'admin_sign_in', `Your admin session has ended. Sign in again at ${INSTITUTION_PATH}.`);
    }
    res.locals.session = { idHash: admin.idHash };
    res.locals.institution = admin;
    res.locals.signedIn = admin.signedIn;
    next();
  });

  csrfToken(res: Response): string {
    return csrfTokenFor(this.config.secretKeys, adminOf(res).idHash);
  }

  private async fromLaunch(req: Request): Promise<InstitutionAdmin | null> {
    const session = await this.sessions.resume((req.cookies as Record<string, string | undefined> | undefined)?.[SESSION_COOKIE]);
    if (!session || session.launch.audience !== 'admin') {
      return null;
    }
    const { launch } = session;
    const name = launch.user.name ?? `LMS user ${launch.user.sub.slice(0, 12)}`;
    return {
      platformId: launch.platformId,
      idHash: session.idHash,
      account: null,
      by: {
        actor: { kind: 'lms-user', platformId: launch.platformId, sub: launch.user.sub, ...(launch.user.name ? { name } : {}) },
        via: 'admin-page',
      },
      signedIn: { name, role: 'LMS administrator' },
    };
  }
}

export function adminOf(res: Response): InstitutionAdmin {
  return res.locals.institution as InstitutionAdmin;
}
