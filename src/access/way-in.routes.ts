import express, { type Request, type Response, type Router } from 'express';
import type { ThrottleService } from '../throttle/throttle.service.js';
import { LoginThrottle } from '../throttle/login-throttle.js';
import type { ThrottleRules } from '../throttle/throttle-rules.js';
import { asyncHandler } from '../web/async-handler.js';
import { field } from '../web/form.js';
import { HttpError } from '../web/http-error.js';
import { postedFromOwnOrigin } from '../web/same-origin.js';
import { clientAddress } from '../web/throttle.js';
import type { CandidateSignIn } from '../web/candidate-sign-in.js';
import { normaliseEntryCode } from './entry-code.js';
import type { WayInResolution } from './way-in-expiry.js';
import { refusalPage } from './way-in-refusal.js';
import type { WayInKind } from './way-in-secret.js';
import type { WaysIn } from './ways-in.service.js';

export interface WayInRouteDeps {
  waysIn: WaysIn;
  signIn: CandidateSignIn;
  throttle: ThrottleService;
  rules: ThrottleRules;
  publicUrl: string;
}

type Refusal = Extract<WayInResolution, { ok: false }>;

/** Pages that carry a way in are never kept by a browser or proxy cache. */
function noStore(res: Response): void {
  res.set('Cache-Control', 'no-store');
}

/**
 * The ways in without an LMS or password: a direct link (`/go/<token>`) and an entry code
 * (`/enter`). A GET never signs anyone in; the POST that does must come from examgate's own
 * page (there is no session yet to hold a CSRF token), and the session never travels in a URL.
 */
export function wayInRoutes(deps: WayInRouteDeps): Router {
  const router = express.Router();
  const form = express.urlencoded({ extended: false, limit: '4kb' });
  const origin = new URL(deps.publicUrl).origin;
  const linkThrottle = new LoginThrottle(deps.throttle, deps.rules.directLink);
  const codeThrottle = new LoginThrottle(deps.throttle, deps.rules.entryCode);

  const ownPageOnly = (req: Request) => {
    if (!postedFromOwnOrigin(req, origin)) {
      throw new HttpError(403, 'cross_site', 'This form did not come from an examgate page. Open your link or the entry-code page again.');
    }
  };
  const refuse = async (res: Response, kind: WayInKind, refusal: Refusal, audit = true) => {
    if (audit) {
      await deps.waysIn.recordRefusal(kind, refusal);
    }
    const page = refusalPage(kind, refusal);
    noStore(res);
    res.status(page.status).render('way-in-refused.njk', page);
  };
  const enterPage = (res: Response, status: number, code: string, error: string | null) => {
    noStore(res);
    res.status(status).render('enter.njk', { title: error ? 'Error: Type your entry code' : 'Type your entry code', code, error });
  };

  router.get('/go', (_req, res) => {
    noStore(res);
    res.render('go-reopen.njk', { title: 'Open your personal link' });
  });

  // What a mail scanner or a link preview sees too: the test's name and a button, nothing more.
  router.get(
    '/go/:token',
    asyncHandler(async (req: Request<{ token: string }>, res) => {
      const resolved = await deps.waysIn.resolveLink(req.params.token);
      if (!resolved.ok) {
        await refuse(res, 'link', resolved, false);
        return;
      }
      noStore(res);
      res.render('go.njk', { title: `Open ${resolved.examTitle}`, examTitle: resolved.examTitle, token: req.params.token });
    }),
  );

  router.post(
    '/go',
    form,
    asyncHandler(async (req, res) => {
      ownPageOnly(req);
      const attempt = { address: clientAddress(req) };
      // The lock check and the link's lookup in one round trip (PostgreSQL).
      const resolved = await linkThrottle.assertNotLockedWith(attempt, deps.waysIn.lookup('link', field(req.body, 'token')));
      if (!resolved.ok) {
        // Only links examgate never issued count: someone is guessing, not a candidate with an old link.
        if (resolved.reason === 'unknown') {
          await linkThrottle.failed(attempt);
        }
        await refuse(res, 'link', resolved);
        return;
      }
      res.redirect(303, await deps.signIn.signIn(req, res, resolved.principal));
    }),
  );

  router.get('/enter', (_req, res) => {
    enterPage(res, 200, '', null);
  });

  router.post(
    '/enter',
    form,
    asyncHandler(async (req, res) => {
      ownPageOnly(req);
      const attempt = { address: clientAddress(req) };
      const typed = field(req.body, 'code').slice(0, 40);
      // The throttle and the code's lookup in one round trip (PostgreSQL); a malformed code reads nothing.
      const { found: resolved } = await codeThrottle.beforeAttemptWith(attempt, deps.waysIn.lookup('code', typed));
      if (normaliseEntryCode(typed) === null) {
        await codeThrottle.failed(attempt);
        enterPage(res, 400, typed, 'An entry code has 10 letters and digits, such as ABCD-EFGH-JK. Check it against your slip.');
        return;
      }
      if (!resolved.ok) {
        if (resolved.reason === 'unknown') {
          await codeThrottle.failed(attempt);
          await deps.waysIn.recordRefusal('code', resolved);
          enterPage(res, 404, typed, 'examgate does not know this entry code. Check it against your slip and type it again.');
          return;
        }
        await refuse(res, 'code', resolved);
        return;
      }
      res.redirect(303, await deps.signIn.signIn(req, res, resolved.principal));
    }),
  );
  return router;
}
