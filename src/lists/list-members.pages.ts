import type { Request, Response, Router } from 'express';
import { presentUser } from '../permanent/permanent-user.presenter.js';
import { asyncHandler } from '../web/async-handler.js';
import { withDone } from '../web/done-message.js';
import { field } from '../web/form.js';
import { InvalidListError } from './list.errors.js';
import { repeated, type ListArea } from './list-area.pages.js';
import type { ListPageDeps } from './list.pages.js';

type IdRequest = Request<{ id: string }>;

/** Adding members (searching the platform's permanent users) and sharing: the owner's pages of a list. */
export function mountListMembers(router: Router, deps: ListPageDeps, area: ListArea): void {
  const crumbsOf = (list: { id: string; name: string }, page: string) => [
    ...area.root,
    { href: area.base, text: 'Lists' },
    { href: `${area.base}/${list.id}`, text: list.name },
    { text: page },
  ];

  const addPage = async (req: IdRequest, res: Response, status: number, errors: Array<{ field: string; message: string }> = []) => {
    const viewer = area.viewerOf(res);
    const list = await deps.lists.requireChange(viewer, req.params.id);
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : field(req.body, 'q').slice(0, 200);
    const found = await deps.permanentUsers.search(viewer.platformId, q, 'active', Number(req.query.page) || 1);
    const query = (n: number) => `?${new URLSearchParams({ q, page: String(n) }).toString()}`;
    res.status(status).render('lists/add-members.njk', {
      ...area.locals(res),
      csrf: area.csrfOf(res),
      base: area.base,
      title: `Add members to ${list.name}`,
      crumbs: crumbsOf(list, 'Add members'),
      list,
      q,
      ...found,
      users: found.users.map(presentUser),
      previous: found.page > 1 ? query(found.page - 1) : null,
      next: found.page < found.pages ? query(found.page + 1) : null,
      errors,
    });
  };
  router.get(
    '/:id/add',
    asyncHandler((req: IdRequest, res) => addPage(req, res, 200)),
  );
  router.post(
    '/:id/members',
    area.csrf,
    asyncHandler(async (req: IdRequest, res) => {
      try {
        const added = await deps.lists.addMembers(area.viewerOf(res), req.params.id, repeated(req.body, 'users'), area.byOf(res));
        res.redirect(303, withDone(`${area.base}/${req.params.id}`, added > 0 ? 'members-added' : 'members-none'));
      } catch (err) {
        if (err instanceof InvalidListError) {
          await addPage(req, res, 400, [{ field: err.field, message: err.message }]);
          return;
        }
        throw err;
      }
    }),
  );

  const sharingPage = async (req: IdRequest, res: Response, status: number, errors: Array<{ field: string; message: string }> = []) => {
    const viewer = area.viewerOf(res);
    const list = await deps.lists.requireChange(viewer, req.params.id);
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const ownerSub = list.owner.kind === 'lms-user' ? list.owner.ref : null;
    const found = (await deps.staff.search(list.platformId, q, ownerSub)).filter((s) => !list.sharedWith.includes(s.sub));
    res.status(status).render('lists/sharing.njk', {
      ...area.locals(res),
      csrf: area.csrfOf(res),
      base: area.base,
      title: `Share ${list.name}`,
      crumbs: crumbsOf(list, 'Sharing'),
      list,
      q,
      found,
      colleagues: await deps.staff.bySubs(list.platformId, list.sharedWith),
      errors,
    });
  };
  router.get(
    '/:id/sharing',
    asyncHandler((req: IdRequest, res) => sharingPage(req, res, 200)),
  );
  router.post(
    '/:id/sharing',
    area.csrf,
    asyncHandler(async (req: IdRequest, res) => {
      const withAll = field(req.body, 'withAll');
      const change = {
        ...(withAll === 'all' || withAll === 'named' ? { withAll: withAll === 'all' } : {}),
        add: repeated(req.body, 'add', 100),
        remove: repeated(req.body, 'remove', 1000),
      };
      try {
        await deps.lists.setSharing(area.viewerOf(res), req.params.id, change, area.byOf(res));
      } catch (err) {
        if (err instanceof InvalidListError) {
          await sharingPage(req, res, 400, [{ field: err.field, message: err.message }]);
          return;
        }
        throw err;
      }
      res.redirect(303, withDone(`${area.base}/${req.params.id}`, 'shared'));
    }),
  );
}
