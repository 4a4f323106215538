import express, { type Request, type Response, type Router } from 'express';
import { asyncHandler } from '../web/async-handler.js';
import { doneMessage, withDone } from '../web/done-message.js';
import { field } from '../web/form.js';
import { InvalidListError } from './list.errors.js';
import { LISTS_DONE, repeated, type ListArea } from './list-area.pages.js';
import { mountListMembers } from './list-members.pages.js';
import { presentList, presentMember } from './list.presenter.js';
import type { PermanentLists } from './list.service.js';
import type { PermanentUsers } from '../permanent/permanent-user.service.js';
import type { StaffDirectory } from './staff-directory.js';

export interface ListPageDeps {
  lists: PermanentLists;
  permanentUsers: PermanentUsers;
  staff: StaffDirectory;
}

type IdRequest = Request<{ id: string }>;

/** The list pages of one area: index (mine, shared with me), create, a list's page, rename, delete. */
export function listPages(deps: ListPageDeps, area: ListArea): Router {
  const router = express.Router();
  router.use(...area.guard, express.urlencoded({ extended: false, limit: '128kb' }));
  const common = (res: Response) => ({ ...area.locals(res), csrf: area.csrfOf(res), base: area.base });

  const indexPage = async (req: Request, res: Response, status: number, extra: Record<string, unknown> = {}) => {
    const viewer = area.viewerOf(res);
    const index = await deps.lists.index(viewer);
    res.status(status).render('lists/index.njk', {
      ...common(res),
      title: 'Lists of permanent users',
      crumbs: [...area.root, { text: 'Lists' }],
      mine: index.mine.map((l) => presentList(l, viewer)),
      sharedWithMe: index.sharedWithMe.map((l) => presentList(l, viewer)),
      others: index.others.map((l) => presentList(l, viewer)),
      isAdmin: viewer.isAdmin,
      done: doneMessage(LISTS_DONE, req.query),
      errors: [],
      name: '',
      ...extra,
    });
  };

  router.get(
    '/',
    asyncHandler((req, res) => indexPage(req, res, 200)),
  );
  router.post(
    '/',
    area.csrf,
    asyncHandler(async (req, res) => {
      const name = field(req.body, 'name').slice(0, 1000);
      try {
        const list = await deps.lists.create(area.viewerOf(res), name, area.byOf(res));
        res.redirect(303, withDone(`${area.base}/${list.id}`, 'created'));
      } catch (err) {
        if (err instanceof InvalidListError) {
          await indexPage(req, res, 400, { errors: [{ field: err.field, message: err.message }], name });
          return;
        }
        throw err;
      }
    }),
  );

  const listPage = async (req: IdRequest, res: Response, status: number, extra: Record<string, unknown> = {}) => {
    const viewer = area.viewerOf(res);
    const { list, access } = await deps.lists.open(viewer, req.params.id);
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 200) : '';
    const found = await deps.lists.members(viewer, list.id, q, Number(req.query.page) || 1);
    const query = (n: number) => `?${new URLSearchParams({ q, page: String(n) }).toString()}`;
    const colleagues = await deps.staff.bySubs(list.platformId, list.sharedWith);
    res.status(status).render('lists/list.njk', {
      ...common(res),
      title: list.name,
      crumbs: [...area.root, { href: area.base, text: 'Lists' }, { text: list.name }],
      list: presentList(list, viewer),
      colleagues,
      canChange: access === 'change',
      q,
      ...found,
      members: found.members.map(presentMember),
      previous: found.page > 1 ? query(found.page - 1) : null,
      next: found.page < found.pages ? query(found.page + 1) : null,
      done: doneMessage(LISTS_DONE, req.query),
      errors: [],
      ...extra,
    });
  };

  router.get(
    '/:id',
    asyncHandler((req: IdRequest, res) => listPage(req, res, 200)),
  );
  router.post(
    '/:id/name',
    area.csrf,
    asyncHandler(async (req: IdRequest, res) => {
      try {
        await deps.lists.rename(area.viewerOf(res), req.params.id, field(req.body, 'name').slice(0, 1000), area.byOf(res));
      } catch (err) {
        if (err instanceof InvalidListError) {
          await listPage(req, res, 400, { errors: [{ field: err.field, message: err.message }] });
          return;
        }
        throw err;
      }
      res.redirect(303, withDone(`${area.base}/${req.params.id}`, 'renamed'));
    }),
  );
  router.post(
    '/:id/members/remove',
    area.csrf,
    asyncHandler(async (req: IdRequest, res) => {
      try {
        await deps.lists.removeMembers(area.viewerOf(res), req.params.id, repeated(req.body, 'members'), area.byOf(res));
      } catch (err) {
        if (err instanceof InvalidListError) {
          await listPage(req, res, 400, { errors: [{ field: err.field, message: err.message }] });
          return;
        }
        throw err;
      }
      res.redirect(303, withDone(`${area.base}/${req.params.id}`, 'members-removed'));
    }),
  );

  router.get(
    '/:id/delete',
    asyncHandler(async (req: IdRequest, res) => {
      const viewer = area.viewerOf(res);
      const { list } = await deps.lists.open(viewer, req.params.id);
      await deps.lists.requireChange(viewer, list.id);
      res.render('confirm.njk', {
        ...common(res),
        title: `Delete ${list.name}`,
        crumbs: [
          ...area.root,
          { href: area.base, text: 'Lists' },
          { href: `${area.base}/${list.id}`, text: list.name },
          { text: 'Delete' },
        ],
        question: `Delete the list “${list.name}”?`,
        losses: [`The list and its ${list.memberCount} membership${list.memberCount === 1 ? '' : 's'} go, for everyone it is shared with.`],
        keeps: ['The permanent users themselves.', 'Candidates the list already added to tests.'],
        action: `${area.base}/${list.id}/delete`,
        buttonLabel: 'Delete the list',
        backHref: `${area.base}/${list.id}`,
        backLabel: 'Keep it',
      });
    }),
  );
  router.post(
    '/:id/delete',
    area.csrf,
    asyncHandler(async (req: IdRequest, res) => {
      await deps.lists.remove(area.viewerOf(res), req.params.id, area.byOf(res));
      res.redirect(303, withDone(area.base, 'deleted'));
    }),
  );
  mountListMembers(router, deps, area);
  return router;
}
