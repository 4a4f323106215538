import {
  ROLE_INSTRUCTOR,
  ROLE_LEARNER,
  type Browser,
  type FollowResult,
  type LaunchRequest,
  type LaunchResult,
  type LmsUser,
  type SimulatedLms,
  submitAutoPostForm,
} from '../../src/lms-sim/index.js';
import { examFormValues } from '../../src/exams/exam.presenter.js';
import { newBrowser } from './examgate-under-test.js';

/**
 * What the course helpers need of a world: where examgate is, the LMS launches come from, and
 * (when examgate or the LMS is not on 127.0.0.1) a browser that reaches them. TestWorld is one.
 */
export interface CourseWorld {
  url: string;
  lms: SimulatedLms;
  newBrowser?: () => Browser;
}

/** A browser that launched examgate from a course, and a few verbs to click through its pages. */
export interface CourseSession {
  browser: Browser;
  landing: LaunchResult;
  get(path: string): Promise<FollowResult>;
  /** Posts a form of the page at `formPage`, with that page's CSRF token. */
  post(path: string, form?: Record<string, string>, formPage?: string): Promise<FollowResult>;
}

export function csrfOf(body: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(body);
  if (!match?.[1]) {
    throw new Error('the page has no CSRF field');
  }
  return match[1];
}

/** The start ticket a lobby page's Start form (Continue, Reopen) carries. */
export function ticketOf(body: string): string {
  const match = /name="ticket" value="([^"]+)"/.exec(body);
  if (!match?.[1]) {
    throw new Error('the page has no start ticket');
  }
  return match[1];
}

/**
 * Presses Start (or Continue, Reopen) on a lobby page: its form posts the start ticket to
 * /handoff, as the new tab it opens does, from `browser` (a fresh one has no examgate cookie at
 * all, like a new top-level tab whose session cookie stayed in the LMS's partition).
 */
export function pressStart(
  world: CourseWorld,
  browser: Browser,
  lobbyBody: string,
  headers: Record<string, string> = {},
): Promise<FollowResult> {
  return browser.follow(`${world.url}/handoff`, { method: 'POST', form: { ticket: ticketOf(lobbyBody) }, headers });
}

export async function launchSession(world: CourseWorld, request: Partial<LaunchRequest> & { lms?: SimulatedLms }): Promise<CourseSession> {
  const browser = world.newBrowser?.() ?? newBrowser();
  const lms = request.lms ?? world.lms;
  const landing = await lms.launch(browser, { user: { sub: 'teacher-1', name: 'Grace Hopper' }, roles: [ROLE_INSTRUCTOR], ...request });
  const session: CourseSession = {
    browser,
    landing,
    get: (path) => browser.follow(`${world.url}${path}`),
    post: async (path, form = {}, formPage = '/app/exams/new') => {
      const page = await session.get(formPage);
      return browser.follow(`${world.url}${path}`, { method: 'POST', form: { _csrf: csrfOf(page.body), ...form } });
    },
  };
  return session;
}

export function instructorOf(
  world: CourseWorld,
  context: { id: string; title?: string },
  extra: Partial<LaunchRequest> & { lms?: SimulatedLms } = {},
) {
  return launchSession(world, { context, roles: [ROLE_INSTRUCTOR], ...extra });
}

export function learnerLaunch(world: CourseWorld, user: LmsUser, extra: Partial<LaunchRequest> & { lms?: SimulatedLms } = {}) {
  return launchSession(world, { user, roles: [ROLE_LEARNER], ...extra });
}

/** The form a new test is created with (the new-test page's own defaults); override what a test cares about. */
export function buildExamForm(overrides: Record<string, string> = {}): Record<string, string> {
  const { enrolOnLaunch, isDemo, ...text } = examFormValues(null);
  const checked = { ...(enrolOnLaunch ? { enrolOnLaunch: 'on' } : {}), ...(isDemo ? { isDemo: 'on' } : {}) };
  return { ...text, title: 'Midterm', ...checked, ...overrides };
}

/** Creates a test through the instructor's pages; returns its id. */
export async function createExam(session: CourseSession, overrides: Record<string, string> = {}): Promise<string> {
  const created = await session.post('/app/exams', buildExamForm(overrides), '/app/exams/new');
  const id = /\/app\/exams\/([0-9a-f-]{36})(?:\?done=created)?$/.exec(created.url)?.[1];
  if (!id) {
    throw new Error(`creating a test failed (${created.response.status}): ${created.body.slice(0, 500)}`);
  }
  return id;
}

/**
 * Places a test in the course the way an LMS does: a deep-linking launch, the instructor's
 * choice, the signed response back to the LMS; returns the custom parameters the LMS will
 * echo on every launch of the new link.
 */
export async function placeExam(world: CourseWorld, session: CourseSession, examId: string, context: { id: string }, lms = world.lms) {
  const picker = await lms.launch(session.browser, {
    user: { sub: 'teacher-1' },
    roles: [ROLE_INSTRUCTOR],
    context,
    messageType: 'LtiDeepLinkingRequest',
    resourceLink: null,
  });
  const answer = await session.browser.follow(`${world.url}/app/deep-link`, {
    method: 'POST',
    form: { _csrf: csrfOf(picker.body), examId },
  });
  const form = submitAutoPostForm(answer.body);
  if (!form) {
    throw new Error(`deep linking did not answer with a form: ${answer.body.slice(0, 300)}`);
  }
  const before = lms.deepLinkResponses.length;
  await session.browser.follow(form.action, { method: 'POST', form: form.fields });
  const claims = lms.deepLinkResponses[before]?.claims ?? {};
  const items = claims['https://purl.imsglobal.org/spec/lti-dl/claim/content_items'] as Array<{ custom: Record<string, string> }>;
  return items[0]!.custom;
}
