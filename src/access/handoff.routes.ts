import express, { type Router } from 'express';
import { asyncHandler } from '../web/async-handler.js';
import { field } from '../web/form.js';
import { StartTicketError } from './start-ticket.js';
import type { TicketedHandOff } from './ticketed-handoff.js';

/**
 * Start, Continue and Reopen land here, usually in a new top-level tab or the whole window,
 * where the LMS iframe's session cookie is not sent (a partitioned cookie stays in the LMS's
 * partition). The start ticket in the form authenticates the request instead; it is also the
 * form's CSRF protection. It travels only in the POST body, never in a URL or a log line.
 */
export function handoffRoutes(deps: { handOffs: TicketedHandOff }): Router {
  const router = express.Router();
  router.post(
    '/handoff',
    express.urlencoded({ extended: false, limit: '4kb' }),
    asyncHandler(async (req, res) => {
      // The lobby's form posts to its own origin. Another site's page posting a ticket it got for
      // its own session would hand this browser someone else's test; browsers that say where a
      // request comes from let that be refused outright.
      const site = req.get('sec-fetch-site');
      if (site !== undefined && site !== 'same-origin') {
        throw new StartTicketError('cross_site');
      }
      const { exam, deliveryUrl, token } = await deps.handOffs.handOff(field(req.body, 'ticket'));
      res.set('cache-control', 'no-store').render('handoff.njk', { title: `Starting ${exam.title}`, deliveryUrl, token });
    }),
  );
  return router;
}
