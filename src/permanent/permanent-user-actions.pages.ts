import type { Response, Router } from 'express';
import { adminOf, type InstitutionSession } from '../admins/institution-session.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { checkbox, field } from '../web/form.js';
import { InvalidPermanentUserError } from './permanent-user.errors.js';
import { fullName } from './permanent-user.js';
import { BASE, choiceOf, MAIL_STATUS_HINT, type FieldError } from './permanent-user-form.js';
import type { PermanentUsers, WithPassword } from './permanent-user.service.js';
import type { RegistrationDetails } from '../mail/registration-details.js';

export type UserPage = (res: Response, status: number, id: string, extra?: Record<string, unknown>) => Promise<void>;

/** Delete (behind a confirmation page), undelete, and a new password for one user of the admin's platform. */
export function mountDeleteAndPassword(
  router: Router,
  users: PermanentUsers,
  session: InstitutionSession,
  userPage: UserPage,
  passwordSet: string,
  mail?: RegistrationDetails,
): void {
  router.get(
    '/:id/delete',
    asyncHandler(async (req, res) => {
      const user = await users.get(adminOf(res).platformId, String(req.params.id));
      const back = `${BASE}/${user.id}`;
      res.render('confirm.njk', {
        title: `Delete ${user.username}?`,
        crumbs: [{ href: BASE, text: 'Permanent users' }, { href: back, text: user.username }, { text: 'Delete' }],
        question: `${fullName(user)} (${user.username}) will be deleted.`,
        losses: ['stop them from signing in, and from being added to tests'],
        keeps: [
          'their details, and their candidacies and results on tests',
          'an Undelete button on their page, which lets them sign in again',
        ],
        action: `${back}/delete`,
        buttonLabel: 'Delete the user',
        backHref: back,
        backLabel: 'Keep the user',
        csrf: session.csrfToken(res),
      });
    }),
  );
  for (const [path, deleted] of [
    ['delete', true],
    ['undelete', false],
  ] as const) {
    router.post(
      `/:id/${path}`,
      session.csrf,
      asyncHandler(async (req, res) => {
        const id = String(req.params.id);
        await users.setDeleted(adminOf(res).platformId, id, deleted, adminOf(res).by);
        res.redirect(303, `${BASE}/${id}?done=${deleted ? 'deleted' : 'undeleted'}`);
      }),
    );
  }

  const passwordForm = async (res: Response, status: number, id: string, values: Record<string, unknown>, errors: FieldError[]) => {
    const user = await users.get(adminOf(res).platformId, id);
    res.status(status).render('institution/user-password.njk', {
      institution: adminOf(res),
      csrf: session.csrfToken(res),
      title: `New password for ${user.username}`,
      user,
      canMail: Boolean(mail),
      values,
      errors,
      byField: Object.fromEntries(errors.map((e) => [e.field, e.message])),
    });
  };
  router.get(
    '/:id/password',
    asyncHandler((req, res) =>
      passwordForm(res, 200, String(req.params.id), { choice: 'generate', mustChange: false, emailPassword: false }, []),
    ),
  );
  router.post(
    '/:id/password',
    session.csrf,
    asyncHandler(async (req, res) => {
      const id = String(req.params.id);
      const mustChange = checkbox(req.body, 'mustChange');
      const emailPassword = Boolean(mail) && checkbox(req.body, 'emailPassword');
      const values = { choice: field(req.body, 'choice') || 'generate', mustChange, emailPassword };
      const { platformId, by } = adminOf(res);
      const user = await users.get(platformId, id);
      if (emailPassword && !user.email) {
        await passwordForm(res, 400, id, values, [
          {
            field: 'emailPassword',
            message: `${user.username} has no e-mail address: add one with Edit first, or untick “E-mail the new password”.`,
          },
        ]);
        return;
      }
      const within: WithPassword | undefined =
        mail && emailPassword
          ? (unit, target, password) =>
              mail.queueNewPasswordIn(
                unit,
                platformId,
                { email: target.email!, username: target.username, name: fullName(target) },
                password,
                mustChange,
                by,
              )
          : undefined;
      try {
        const { generated, weak } = await users.resetPassword(platformId, id, choiceOf(req.body), mustChange, by, within);
        mail?.committed();
        const mailed = within ? ` It is queued for e-mail to ${user.email}. ${MAIL_STATUS_HINT}` : '';
        await userPage(res, 200, id, { generated, weak, done: `${passwordSet}${mailed}` });
      } catch (err) {
        if (err instanceof InvalidPermanentUserError) {
          await passwordForm(res, 400, id, values, [{ field: err.field, message: err.message }]);
          return;
        }
        throw err;
      }
    }),
  );
}
