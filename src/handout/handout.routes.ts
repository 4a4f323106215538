import express, { type Request, type Response, type Router } from 'express';
import type { ExamScope } from '../access/way-in-audit.js';
import type { SecretKeys } from '../config.js';
import type { ExamService } from '../exams/exam.service.js';
import type { CandidatePhotos } from '../permanent/photos/candidate-photos.service.js';
import { actorOf, auditByOf, launchOf, requireStaff } from '../launch/session-context.middleware.js';
import { asyncHandler } from '../web/async-handler.js';
import type { Handout, HandoutFilter, RoomCount } from './handout.service.js';
import { placeName } from './room-order.js';
import { LAYOUTS, presentSlips, windowText, type SlipLayout } from './slips.presenter.js';

export interface HandoutRouteDeps {
  exams: ExamService;
  handout: Handout;
  secret: SecretKeys;
  /** Candidate photos of permanent users: on each slip and in the sheet, unless staff print without them. */
  photos?: CandidatePhotos;
}

type HandoutRequest = Request<{ examId: string }>;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value.slice(0, 500) : undefined);

/** One room (`?building=&room=`, either alone) or one candidate (`?candidate=<candidates.id>`). */
function filterOf(query: Request['query']): HandoutFilter {
  const candidate = text(query.candidate);
  if (candidate) {
    return { candidate };
  }
  return { building: text(query.building), room: text(query.room) };
}

/** `?photos=hide`: a print-out without candidate photos (a page's own choice, nothing stored). */
const photosHidden = (query: Request['query']) => query.photos === 'hide';

/** The same filter as query text, for the links between the slips and the sheet, with a page's own choices when given. */
function queryOf(filter: HandoutFilter, choices: { hidePhotos?: boolean; single?: boolean } = {}): string {
  const params = new URLSearchParams(Object.entries(filter).filter((entry): entry is [string, string] => entry[1] !== undefined));
  if (choices.single) {
    params.set('layout', 'single');
  }
  if (choices.hidePhotos) {
    params.set('photos', 'hide');
  }
  return params.size ? `?${params.toString()}` : '';
}

const roomFilter = (room: { building: string | null; room: string | null }) =>
  queryOf({ building: room.building ?? '', room: room.room ?? '' });

/** Printable login slips and the invigilator sheet of one test, for its course's staff: mounted at /app/exams/:examId. */
export function handoutRoutes(deps: HandoutRouteDeps): Router {
  const router = express.Router({ mergeParams: true });
  const scopeOf = async (req: HandoutRequest, res: Response): Promise<ExamScope> => {
    const actor = actorOf(launchOf(res));
    return { exam: await deps.exams.get(actor, req.params.examId), platformId: actor.platformId };
  };
  /** The photo address of each candidate of the print-out who has one, from one read (none when hidden). */
  const photosOf = async (scope: ExamScope, filter: HandoutFilter, hide: boolean): Promise<Map<string, string>> =>
    deps.photos && !hide
      ? deps.photos.pathsOf(scope.platformId, scope.exam.id, filter.candidate !== undefined ? [filter.candidate] : undefined)
      : new Map();
  /** The same page with or without photos: offered where some candidate has one (or they are hidden now). */
  const photoChoice = (filter: HandoutFilter, hide: boolean, shown: number, single = false) =>
    hide || shown > 0 ? { hidden: hide, other: queryOf(filter, { hidePhotos: !hide, single }) || '?' } : null;
  const viewOf = (scope: ExamScope, filter: HandoutFilter, rooms: RoomCount[]) => ({
    exam: { id: scope.exam.id, title: scope.exam.title, status: scope.exam.status, window: windowText(scope.exam) },
    filtered: filter.candidate !== undefined || filter.building !== undefined || filter.room !== undefined,
    query: queryOf(filter),
    rooms: rooms.map((room) => ({ name: placeName(room), count: room.count, query: roomFilter(room) })),
  });

  router.get(
    '/slips',
    requireStaff,
    asyncHandler(async (req: HandoutRequest, res) => {
      const scope = await scopeOf(req, res);
      const filter = filterOf(req.query);
      const layout: SlipLayout = req.query.layout === 'single' ? 'single' : 'grid';
      const hide = photosHidden(req.query);
      const { groups, rooms } = await deps.handout.printedSlips(scope, filter, auditByOf(launchOf(res)));
      const photos = await photosOf(scope, filter, hide);
      const sheets = await presentSlips(groups, layout, photos);
      const count = sheets.reduce((n, sheet) => n + sheet.slips.length, 0);
      const only = filter.candidate !== undefined ? sheets[0]?.slips[0]?.candidateId : undefined;
      res.render('handout/slips.njk', {
        title: `Login slips${only ? ` of ${only}` : ''} · ${scope.exam.title}`,
        ...viewOf(scope, filter, rooms),
        layout,
        perPage: LAYOUTS[layout],
        layouts: {
          grid: queryOf(filter, { hidePhotos: hide }),
          single: queryOf(filter, { hidePhotos: hide, single: true }),
        },
        photos: photoChoice(filter, hide, photos.size, layout === 'single'),
        sheets,
        count,
        addresses: deps.handout.addresses(),
        only,
      });
    }),
  );

  router.get(
    '/invigilator-sheet',
    requireStaff,
    asyncHandler(async (req: HandoutRequest, res) => {
      const scope = await scopeOf(req, res);
      const filter = filterOf(req.query);
      const hide = photosHidden(req.query);
      const { groups, rooms } = await deps.handout.sheet(scope, filter);
      const photos = await photosOf(scope, filter, hide);
      res.render('handout/invigilator-sheet.njk', {
        title: `Invigilator sheet · ${scope.exam.title}`,
        ...viewOf(scope, filter, rooms),
        groups: groups.map((room) => ({
          name: placeName(room),
          candidates: room.candidates.map((c) => ({ ...c, photo: photos.get(c.id) ?? null })),
        })),
        withPhotos: photos.size > 0,
        photos: photoChoice(filter, hide, photos.size),
      });
    }),
  );
  return router;
}
