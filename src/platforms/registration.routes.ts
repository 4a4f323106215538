import express, { type Router } from 'express';
import { asyncHandler } from '../web/async-handler.js';
import type { DynamicRegistrationService } from './dynamic-registration.service.js';

const text = (value: unknown) => (typeof value === 'string' && value !== '' ? value : undefined);

/**
 * /lti/register (open mode) and /lti/register/:token (the URL an admin created): the page the
 * LMS opens with `openid_configuration` and `registration_token` added to the query. The token
 * travels as a path segment, so an LMS appending its own query parameters cannot mangle it.
 * Refusals go to the error handler (HTML page with the step that failed, never remote details).
 */
export function dynamicRegistrationRoutes(service: DynamicRegistrationService): Router {
  const router = express.Router();
  const register = asyncHandler<{ token?: string }>(async (req, res) => {
    res.set('Cache-Control', 'no-store');
    const { pending, knownLms } = await service.register({
      token: req.params.token,
      openidConfiguration: text(req.query.openid_configuration),
      registrationToken: text(req.query.registration_token),
    });
    res.render('registration-done.njk', { title: 'examgate is registered', pending, knownLms });
  });
  router.get('/', register);
  router.get('/:token', register);
  return router;
}
