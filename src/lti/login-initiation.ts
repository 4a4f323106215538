import { randomBytes } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { LoginRequestRepository } from './login-request.repository.js';

/** 256 bits from the operating system's CSPRNG (ltijs's own nonce comes from Math.random). */
export function newLoginNonce(): string {
  return randomBytes(32).toString('base64url');
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
 * Runs before ltijs's login route. Validates the OIDC login initiation (ltijs would answer
 * raw JSON), then, when ltijs redirects the browser to the LMS, replaces ltijs's nonce with
 * one of examgate's own and records it with the login's parameters under the state ltijs
 * generated (read back from the redirect). The launch is later accepted only with this nonce
 * for this state (lti-provider.ts).
 */
export function rememberLoginRequest(
  store: LoginRequestRepository,
  ttlMs: number,
  reject: (req: Request, res: Response) => void,
): RequestHandler {
  return (req, res, next) => {
    const params = loginParams(req);
    if (!params.iss || !params.login_hint || !params.target_link_uri) {
      reject(req, res);
      return;
    }
    const redirect = res.redirect.bind(res) as (url: string) => void;
    res.redirect = ((url: string) => {
      const target = new URL(url);
      const state = target.searchParams.get('state');
      if (!state) {
        redirect(url);
        return;
      }
      const nonce = newLoginNonce();
      target.searchParams.set('nonce', nonce);
      store.save(state, nonce, params, ttlMs).then(() => redirect(target.toString()), next);
    }) as Response['redirect'];
    next();
  };
}
