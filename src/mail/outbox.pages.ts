import express, { type Router } from 'express';
import { adminOf, type InstitutionSession } from '../admins/institution-session.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { doneMessage } from '../web/done-message.js';
import { HttpError } from '../web/http-error.js';
import { presentMail } from './outbox.presenter.js';
import { NotFailedError, OutboxMessageNotFoundError, type Outbox } from './outbox.service.js';

export const OUTBOX_PATH = '/institution/mail';

const DONE = { resent: 'The message is queued again: it goes out within a minute if the SMTP server takes it.' };

/** The admin's platform's e-mail: every message with its state, newest first, paged; "Send again" for failed ones. */
export function outboxPages(outbox: Outbox, session: InstitutionSession): Router {
  const router = express.Router();
  router.use(session.require, express.urlencoded({ extended: false, limit: '4kb' }));

  router.get(
    '/',
    asyncHandler(async (req, res) => {
      const found = await outbox.page(adminOf(res).platformId, Number(req.query.page) || 1);
      const link = (n: number) => `${OUTBOX_PATH}?page=${n}`;
      res.render('institution/mail.njk', {
        title: 'E-mail',
        institution: adminOf(res),
        csrf: session.csrfToken(res),
        ...found,
        messages: found.messages.map(presentMail),
        previous: found.page > 1 ? link(found.page - 1) : null,
        next: found.page < found.pages ? link(found.page + 1) : null,
        done: doneMessage(DONE, req.query),
      });
    }),
  );
  router.post(
    '/:id/resend',
    session.csrf,
    asyncHandler(async (req, res) => {
      try {
        await outbox.resend(adminOf(res).platformId, String(req.params.id), adminOf(res).by);
      } catch (err) {
        if (err instanceof OutboxMessageNotFoundError) {
          throw new HttpError(404, 'not_found', err.message);
        }
        if (err instanceof NotFailedError) {
          throw new HttpError(409, 'not_failed', err.message);
        }
        throw err;
      }
      res.redirect(303, `${OUTBOX_PATH}?done=resent`);
    }),
  );
  return router;
}
