import express, { type Router } from 'express';
import { asyncHandler } from '../web/async-handler.js';
import { launchRefusal } from './launch-errors.js';
import { cookiesKnownToStick, LOGIN_CONTINUE_PATH } from './login-initiation.js';
import type { LoginRequestRepository } from './login-request.repository.js';
import { newWindowLogin } from './new-window-login.js';
import { newStorageProof, platformOriginOf, storageKeyOf, storageTargetOf } from './platform-storage.js';

/**
 * The second step of every login in a browser examgate has not seen keep its cookies here
 * (login-initiation.ts). The cookies were set one redirect ago: if they came back, the login
 * goes on to the LMS; if not, the LMS's hint is still unused, and the page either keeps the
 * login's proof in the platform's storage (where the LMS offers it) or opens the same login
 * in a new, first-party window.
 */
export function loginContinueRoutes(deps: { loginRequests: LoginRequestRepository; loginUrl: string }): Router {
  const router = express.Router();
  router.get(
    LOGIN_CONTINUE_PATH,
    asyncHandler(async (req, res) => {
      const state = typeof req.query.state === 'string' && req.query.state.length <= 200 ? req.query.state : '';
      const login = state ? await deps.loginRequests.find(state) : null;
      if (!login?.redirectUrl) {
        throw launchRefusal('LOGIN_NOT_PENDING');
      }
      res.set('cache-control', 'no-store');
      if (cookiesKnownToStick(req)) {
        res.redirect(302, login.redirectUrl);
        return;
      }
      const newWindow = newWindowLogin(deps.loginUrl, login.params);
      const target = storageTargetOf(login.params);
      if (target) {
        const { proof, hash } = newStorageProof();
        if (await deps.loginRequests.keepProofInPlatformStorage(state, hash)) {
          res.render('login-platform-storage.njk', {
            title: 'Opening examgate',
            storage: { target, origin: platformOriginOf(login.redirectUrl), key: storageKeyOf(state), value: proof },
            next: login.redirectUrl,
            newWindow,
          });
          return;
        }
      }
      res.render('login-new-window.njk', { title: 'Open examgate in a new window', newWindow });
    }),
  );
  return router;
}
