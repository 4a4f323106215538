import type { Request, RequestHandler, Response } from 'express';
import { postedFromOwnOrigin } from '../web/same-origin.js';
import { newWindowLogin } from './new-window-login.js';
import type { LoginRequestRepository } from './login-request.repository.js';
import { platformOriginOf, proofMatches, storageKeyOf, storageTargetOf } from './platform-storage.js';

export const STORAGE_PROOF_FIELD = 'storage_proof';

/**
 * A launch that arrives without ltijs's state cookie, for a login that kept its proof in the
 * platform's storage instead (login-continue.routes.ts). The first post (from the LMS) gets a
 * page that reads the proof back from the platform's page and posts the launch again with it;
 * that second post must come from examgate's own page (web/same-origin.ts), so another site cannot
 * make a browser complete someone else's login. With the proof checked, ltijs is told the
 * state is bound to this browser (as the cookie would have told it) and validates the rest
 * of the launch as always. Every other request passes untouched.
 */
export function platformStorageLaunch(deps: {
  loginRequests: LoginRequestRepository;
  launchPath: string;
  loginUrl: string;
  publicOrigin: string;
  refuse: (req: Request, res: Response, code: string) => void;
}): RequestHandler {
  return (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { state, id_token: idToken } = body;
    const signed = req.signedCookies as Record<string, unknown> | undefined;
    if (
      req.method !== 'POST' ||
      req.path !== deps.launchPath ||
      typeof state !== 'string' ||
      typeof idToken !== 'string' ||
      signed?.[`state${state}`]
    ) {
      next();
      return;
    }
    deps.loginRequests.find(state).then((login) => {
      const target = login ? storageTargetOf(login.params) : null;
      if (!login?.storageProofHash || !login.redirectUrl || !target) {
        next();
        return;
      }
      const proof = body[STORAGE_PROOF_FIELD];
      if (typeof proof !== 'string') {
        // ltijs's helmet says no-referrer, under which a browser without Sec-Fetch-Site would post
        // `Origin: null` even back to examgate; same-origin lets it name examgate.
        res.set({ 'cache-control': 'no-store', 'referrer-policy': 'same-origin' }).render('launch-platform-storage.njk', {
          title: 'Opening examgate',
          storage: { target, origin: platformOriginOf(login.redirectUrl), key: storageKeyOf(state) },
          launch: { url: deps.launchPath, idToken, state, proofField: STORAGE_PROOF_FIELD },
          newWindow: newWindowLogin(deps.loginUrl, login.params),
        });
        return;
      }
      if (!postedFromOwnOrigin(req, deps.publicOrigin)) {
        deps.refuse(req, res, 'STORAGE_PROOF_FROM_ANOTHER_SITE');
        return;
      }
      if (!proofMatches(proof, login.storageProofHash)) {
        deps.refuse(req, res, 'STORAGE_PROOF_MISMATCH');
        return;
      }
      (req.signedCookies as Record<string, unknown>)[`state${state}`] = login.params.iss;
      res.locals.launchWithoutCookies = true;
      next();
    }, next);
  };
}
