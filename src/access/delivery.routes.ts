import express, { type Request, type Router } from 'express';
import { asyncHandler } from '../web/async-handler.js';
import { HttpError } from '../web/http-error.js';
import { ReportRejectedError } from './attempt.errors.js';
import type { AttemptService } from './attempt.service.js';
import { presentFinishPage } from './finish-page.js';
import type { SigningKeys } from './signing-keys.js';

/** examgate's side of the delivery protocol (docs/delivery-protocol.md): its JWKS, engine reports, the way back. */
export function deliveryRoutes(deps: { attempts: AttemptService; keys: SigningKeys }): Router {
  const router = express.Router();

  router.get(
    '/.well-known/jwks.json',
    asyncHandler(async (_req, res) => {
      res.set('cache-control', 'public, max-age=300').json(await deps.keys.jwks());
    }),
  );

  router.post(
    '/api/delivery/v1/attempts/:ref/events',
    asyncHandler(async (req: Request<{ ref: string }>, res) => {
      const header = req.get('authorization') ?? '';
      const token = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      if (!token || token.length > 8192) {
        throw new ReportRejectedError('unauthenticated', 'Send the report as Authorization: Bearer <signed JWT>.');
      }
      await deps.attempts.report(token, req.params.ref);
      res.status(204).end();
    }),
  );

  router.get(
    '/attempts/:ref/return',
    asyncHandler(async (req: Request<{ ref: string }>, res) => {
      const destination = await deps.attempts.destinationAfter(req.params.ref);
      if (!destination) {
        throw new HttpError(404, 'not_found', 'This attempt does not exist.');
      }
      if (!destination.finished) {
        res.status(409).render('attempt-pending.njk', { title: 'Your test is not finished yet' });
        return;
      }
      if (destination.redirectUrl) {
        res.redirect(303, destination.redirectUrl);
        return;
      }
      res.render('attempt-finished.njk', { title: 'Test finished', finish: presentFinishPage(destination.exam, destination.candidate) });
    }),
  );
  return router;
}
