import express, { type Request, type Response, type Router } from 'express';
import { adminOf, type InstitutionSession } from '../admins/institution-session.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { doneMessage, type DoneMessages } from '../web/done-message.js';
import { checkbox, field } from '../web/form.js';
import { checkInput, type PermanentUserInput } from './permanent-user-input.js';
import { InvalidPermanentUserError, PermanentUsernameTakenError } from './permanent-user.errors.js';
import { mountDeleteAndPassword } from './permanent-user-actions.pages.js';
import { BASE, choiceOf, MAIL_STATUS_HINT, type FieldError } from './permanent-user-form.js';
import { DETAIL_FIELDS, DETAIL_LABELS, fullName } from './permanent-user.js';
import { formValues, presentUser } from './permanent-user.presenter.js';
import type { PermanentUsers, WithPassword } from './permanent-user.service.js';
import type { Which } from './permanent-user.repository.js';
import type { RegistrationDetails } from '../mail/registration-details.js';
import type { CandidatePhotos } from './photos/candidate-photos.service.js';
import { sendPhoto } from './photos/photo.routes.js';

const DONE: DoneMessages = {
  saved: 'Changes saved.',
  deleted: 'The user is deleted: they cannot sign in. Undelete brings them back.',
  undeleted: 'The user is undeleted: they can sign in again.',
  'password-set': 'The new password is set: the old one no longer signs in.',
};

function inputOf(body: unknown): PermanentUserInput {
  const details: PermanentUserInput['details'] = { eligible: checkbox(body, 'eligible') };
  for (const f of DETAIL_FIELDS) {
    details[f] = field(body, f).slice(0, 1000);
  }
  return { username: field(body, 'username').slice(0, 1000), details };
}

function whichOf(req: Request): Which {
  const which = req.query.which;
  return which === 'deleted' || which === 'all' ? which : 'active';
}

/**
 * The permanent users of the signed-in admin's platform: search and page, add, view, edit,
 * delete and undelete, passwords. With `mail`, adding a user and setting a new password can
 * e-mail the details (queued in the same transaction as the change).
 */
export function permanentUserPages(
  users: PermanentUsers,
  session: InstitutionSession,
  mail?: RegistrationDetails,
  photos?: CandidatePhotos,
): Router {
  const router = express.Router();
  router.use(session.require, express.urlencoded({ extended: false, limit: '32kb' }));
  const common = (res: Response) => ({
    institution: adminOf(res),
    csrf: session.csrfToken(res),
    labels: DETAIL_LABELS,
    fields: DETAIL_FIELDS,
  });

  router.get(
    '/',
    asyncHandler(async (req, res) => {
      const text = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
      const which = whichOf(req);
      const page = await users.search(adminOf(res).platformId, text, which, Number(req.query.page) || 1);
      const query = (n: number) => `?${new URLSearchParams({ q: text, which, page: String(n) }).toString()}`;
      res.render('institution/users.njk', {
        ...common(res),
        title: 'Permanent users',
        q: text,
        which,
        ...page,
        users: page.users.map(presentUser),
        previous: page.page > 1 ? query(page.page - 1) : null,
        next: page.page < page.pages ? query(page.page + 1) : null,
      });
    }),
  );

  const form = (
    res: Response,
    status: number,
    values: Record<string, unknown>,
    errors: FieldError[],
    user: { id: string; username: string } | null,
  ) =>
    res.status(status).render('institution/user-form.njk', {
      ...common(res),
      title: user ? `Edit ${user.username}` : 'Add a permanent user',
      user,
      canMail: Boolean(mail),
      values,
      errors,
      byField: Object.fromEntries(errors.map((e) => [e.field, e.message])),
    });

  router.get('/new', (_req, res) => form(res, 200, { ...formValues(null), choice: 'generate' }, [], null));
  router.post(
    '/',
    session.csrf,
    asyncHandler(async (req, res) => {
      const input = inputOf(req.body);
      const emailDetails = Boolean(mail) && checkbox(req.body, 'emailDetails');
      const values = { ...input.details, username: input.username, choice: field(req.body, 'choice') || 'generate', emailDetails };
      const errors = allErrors(input);
      if (emailDetails && !input.details.email && !errors.some((e) => e.field === 'email')) {
        errors.push({
          field: 'email',
          message: 'Add an e-mail address to send the registration details to, or untick “E-mail the registration details”.',
        });
      }
      if (errors.length > 0) {
        form(res, 400, values, errors, null);
        return;
      }
      try {
        const { platformId, by } = adminOf(res);
        const within: WithPassword | undefined =
          mail && emailDetails
            ? async (unit, added, password) => {
                const user = { userId: added.id, username: added.username, email: added.email, password, name: fullName(added) };
                await mail.queueRegistrationDetailsIn(unit, platformId, [user], by);
              }
            : undefined;
        const { user, generated, weak } = await users.create(platformId, input, choiceOf(req.body), by, within);
        mail?.committed();
        const mailed = within ? ` Their registration details are queued for e-mail to ${user.email}. ${MAIL_STATUS_HINT}` : '';
        await userPage(res, 201, user.id, { generated, weak, done: `${user.username} is added.${mailed}` });
      } catch (err) {
        if (err instanceof InvalidPermanentUserError || err instanceof PermanentUsernameTakenError) {
          form(res, err instanceof PermanentUsernameTakenError ? 409 : 400, values, [{ field: err.field, message: err.message }], null);
          return;
        }
        throw err;
      }
    }),
  );

  const userPage = async (res: Response, status: number, id: string, extra: Record<string, unknown> = {}) => {
    const platformId = adminOf(res).platformId;
    const user = await users.get(platformId, id);
    const tests = await users.candidacies(platformId, id);
    const photo = photos && (await photos.hasPhoto(platformId, user.id)) ? `${BASE}/${user.id}/photo` : null;
    res
      .status(status)
      .render('institution/user.njk', { ...common(res), title: user.username, user: presentUser(user), tests, photo, ...extra });
  };
  router.get(
    '/:id',
    asyncHandler(async (req, res) => {
      await userPage(res, 200, String(req.params.id), { done: doneMessage(DONE, req.query) });
    }),
  );

  router.get(
    '/:id/photo',
    asyncHandler(async (req, res) => {
      sendPhoto(req, res, photos ? await photos.ofUser(adminOf(res).platformId, String(req.params.id)) : null);
    }),
  );

  router.get(
    '/:id/edit',
    asyncHandler(async (req, res) => {
      const user = await users.get(adminOf(res).platformId, String(req.params.id));
      form(res, 200, formValues(user), [], user);
    }),
  );
  router.post(
    '/:id',
    session.csrf,
    asyncHandler(async (req, res) => {
      const platformId = adminOf(res).platformId;
      const user = await users.get(platformId, String(req.params.id));
      const input = inputOf(req.body);
      const values = { ...input.details, username: input.username };
      const errors = allErrors(input);
      if (errors.length > 0) {
        form(res, 400, values, errors, user);
        return;
      }
      try {
        await users.update(platformId, user.id, input, adminOf(res).by);
      } catch (err) {
        if (err instanceof PermanentUsernameTakenError) {
          form(res, 409, values, [{ field: err.field, message: err.message }], user);
          return;
        }
        throw err;
      }
      res.redirect(303, `${BASE}/${user.id}?done=saved`);
    }),
  );
  mountDeleteAndPassword(router, users, session, userPage, DONE['password-set']!, mail);
  return router;
}

function allErrors(input: PermanentUserInput): FieldError[] {
  return checkInput(input).errors.map((e) => ({ field: e.field, message: e.message }));
}
