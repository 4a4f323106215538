import type { Response, Router } from 'express';
import { adminOf, type InstitutionSession } from '../admins/institution-session.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import { checkbox, field } from '../web/form.js';
import { InvalidPermanentUserError } from './permanent-user.errors.js';
import { fullName } from './permanent-user.js';
import { BASE, choiceOf, type FieldError } from './permanent-user.pages.js';
import type { PermanentUsers } from './permanent-user.service.js';

export type UserPage = (res: Response, status: number, id: string, extra?: Record<string, unknown>) => Promise<void>;

/** Delete (behind a confirmation page), undelete, and a new password for one user of the admin's platform. */
export function mountDeleteAndPassword(
  router: Router,
  users: PermanentUsers,
  session: InstitutionSession,
  userPage: UserPage,
  passwordSet: string,
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
      values,
      errors,
      byField: Object.fromEntries(errors.map((e) => [e.field, e.message])),
    });
  };
  router.get(
    '/:id/password',
    asyncHandler((req, res) => passwordForm(res, 200, String(req.params.id), { choice: 'generate', mustChange: false }, [])),
  );
  router.post(
    '/:id/password',
    session.csrf,
    asyncHandler(async (req, res) => {
      const id = String(req.params.id);
      const mustChange = checkbox(req.body, 'mustChange');
      const values = { choice: field(req.body, 'choice') || 'generate', mustChange };
      try {
        const { generated, weak } = await users.resetPassword(adminOf(res).platformId, id, choiceOf(req.body), mustChange, adminOf(res).by);
        await userPage(res, 200, id, { generated, weak, done: passwordSet });
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
