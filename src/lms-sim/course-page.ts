/**
 * The LMS's course page with the tool embedded, as Moodle's "Embed" launch container shows it:
 * each view starts a fresh launch (a new lti_message_hint) and posts the login initiation into
 * an iframe of the page, so the tool runs as a third party under the LMS's site. Optionally the
 * page also links to the same activity in a new window, and, when the LMS offers platform
 * storage, holds the frame that answers the tool's storage messages (platform-storage.ts).
 */
import type { Request, Response as ExpressResponse, Router } from 'express';
import { autoPostPage, escapeHtml, hiddenInputs, htmlPage } from './html.js';
import { DEFAULT_CONTEXT } from './id-token.js';
import { PLATFORM_STORAGE_FRAME_PATH, PLATFORM_STORAGE_SCRIPT_PATH } from './platform-storage.js';
import type { CoursePlacement, LmsState } from './state.js';

/** The name of the iframe the tool runs in (the login form's target). */
export const TOOL_FRAME_NAME = 'tool-frame';

function activityTitle(placement: CoursePlacement): string {
  return placement.request.resourceLink?.title ?? 'Activity';
}

function courseTitle(placement: CoursePlacement): string {
  const context = placement.request.context === undefined ? DEFAULT_CONTEXT : placement.request.context;
  return context?.title ?? context?.id ?? 'Course';
}

/** The forwarding frame sits before the tool's frame, so it exists by the time the tool's first page runs. */
function storageFrame(state: LmsState): string {
  const storage = state.config.platformStorage;
  if (!storage || storage.target === '_parent') {
    return '';
  }
  const src = state.url(PLATFORM_STORAGE_FRAME_PATH);
  return `<iframe name="${escapeHtml(storage.target)}" title="Platform storage" src="${escapeHtml(src)}" hidden></iframe>`;
}

function coursePage(state: LmsState, id: string, placement: CoursePlacement): string {
  const { action, params } = state.startLogin(placement.request);
  const activity = escapeHtml(activityTitle(placement));
  const newWindow = placement.newWindowLink
    ? `<p><a href="${escapeHtml(state.url(`/course/${id}/new-window`))}" target="_blank">Open ${activity} in a new window</a></p>`
    : '';
  const body = [
    '<main>',
    `<h1>${escapeHtml(courseTitle(placement))}</h1>`,
    `<h2>${activity}</h2>`,
    storageFrame(state),
    // Above the frame, where a course page puts such a link (and no scrolling is needed to reach it).
    newWindow,
    `<form id="lti-launch" method="post" action="${escapeHtml(action)}" target="${TOOL_FRAME_NAME}">`,
    hiddenInputs(params),
    `<noscript><button type="submit">Open ${activity}</button></noscript>`,
    '</form>',
    `<iframe name="${TOOL_FRAME_NAME}" title="${activity}" style="width: 100%; height: 40rem; border: 1px solid #767676"></iframe>`,
    '</main>',
    // The course page answers lti.capabilities itself (tools ask window.parent), and put/get when the target is _parent.
    state.config.platformStorage ? `<script src="${escapeHtml(state.url(PLATFORM_STORAGE_SCRIPT_PATH))}"></script>` : '',
    `<script src="${escapeHtml(state.url('/autopost.js'))}"></script>`,
  ];
  return htmlPage(`${activityTitle(placement)} · ${courseTitle(placement)}`, body.filter(Boolean).join('\n'));
}

function placementOf(state: LmsState, req: Request, res: ExpressResponse): CoursePlacement | null {
  const placement = state.placements.get(String(req.params.id));
  if (!placement) {
    res.status(404).type('text/plain').send('no activity is placed at this course page');
    return null;
  }
  return placement;
}

/** GET /course/:id (the embedded activity) and GET /course/:id/new-window (the same activity, top level). */
export function registerCoursePages(router: Router, state: LmsState): void {
  router.get('/course/:id', (req, res) => {
    const placement = placementOf(state, req, res);
    if (placement) {
      res
        .set('Cache-Control', 'no-store')
        .type('text/html')
        .send(coursePage(state, String(req.params.id), placement));
    }
  });
  router.get('/course/:id/new-window', (req, res) => {
    const placement = placementOf(state, req, res);
    if (placement) {
      const { action, params } = state.startLogin(placement.request);
      res
        .set('Cache-Control', 'no-store')
        .type('text/html')
        .send(autoPostPage(action, params, state.url('/autopost.js')));
    }
  });
}
