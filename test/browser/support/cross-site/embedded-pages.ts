/// <reference lib="dom" />
// postFormFrom's function runs in Chromium, so this file needs the DOM types.
import type { BrowserContext, Frame, Page } from 'playwright-core';
import { submitAutoPostForm, type AutoPostForm } from '../../../../src/lms-sim/index.js';

/** The iframe of the simulated LMS's course page the tool runs in (src/lms-sim/course-page.ts). */
export const TOOL_FRAME = 'tool-frame';

/**
 * Waits per step: a step that does not happen fails well before mocha's timeout, yet a loaded
 * 2-core CI machine (Chromium, examgate, two LMSs and the database on it) has time to render.
 */
export const STEP_TIMEOUT_MS = 20_000;

/** Opens a course page of the LMS in a new tab. */
export async function openCoursePage(context: BrowserContext, url: string): Promise<Page> {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  await page.goto(url);
  return page;
}

/**
 * The tool's frame once it has left the login initiation: examgate's answer at `toolOrigin` (a
 * landing, the new-window page or a refusal), loaded.
 */
export async function toolFrameSettled(page: Page, toolOrigin: string): Promise<Frame> {
  const frame = page.frame({ name: TOOL_FRAME });
  if (!frame) {
    throw new Error(`the course page ${page.url()} has no frame named ${TOOL_FRAME}`);
  }
  await frame
    .waitForURL((url) => url.origin === toolOrigin && url.pathname !== '/lti/login', { waitUntil: 'load' })
    .catch((err: unknown) => {
      throw new Error(`the tool's frame stopped at ${frame.url()}: ${String(err)}`);
    });
  return frame;
}

/** The page's (or frame's) h1, waited for. */
export async function headingOf(where: Page | Frame): Promise<string> {
  const heading = where.getByRole('heading', { level: 1 });
  await heading.first().waitFor();
  return ((await heading.first().textContent()) ?? '').trim();
}

/** Runs `click` and returns the tab it opened, loaded. */
export async function tabOpenedBy(context: BrowserContext, click: () => Promise<void>): Promise<Page> {
  const [tab] = await Promise.all([context.waitForEvent('page', { timeout: STEP_TIMEOUT_MS }), click()]);
  tab.setDefaultTimeout(STEP_TIMEOUT_MS);
  await tab.waitForLoadState('load');
  return tab;
}

/** Waits until `page` is on `origin` (and not at a path in `notAt`), loaded. */
export async function arrivedAt(page: Page, origin: string, notAt: string[] = ['/lti/login', '/lti/launch']): Promise<void> {
  await page
    .waitForURL((url) => url.origin === origin && !notAt.includes(url.pathname), { waitUntil: 'load' })
    .catch((err: unknown) => {
      throw new Error(`the tab stopped at ${page.url()}: ${String(err)}`);
    });
}

/** What the LMS's authorization endpoint answered in `page` (any of its frames): the request URL and the form_post it carried. */
export interface AuthAnswer {
  url: string;
  form: AutoPostForm;
}

/** Records every answer of the LMS's authorization endpoint in `page`. */
export function recordAuthAnswers(page: Page, authUrl: string): AuthAnswer[] {
  const answers: AuthAnswer[] = [];
  page.on('response', (response) => {
    if (!response.url().startsWith(authUrl) || response.status() !== 200) {
      return;
    }
    void response.text().then(
      (body) => {
        const form = submitAutoPostForm(body);
        if (form) {
          answers.push({ url: response.url(), form });
        }
      },
      () => undefined,
    );
  });
  return answers;
}

/**
 * Posts `form` from a page of `origin` (the LMS, as its form_post would) in `page`, and returns the
 * HTTP status of the response to that POST.
 */
export async function postFormFrom(page: Page, origin: string, form: AutoPostForm): Promise<number> {
  await page.goto(`${origin}/return`);
  const answered = page.waitForResponse((r) => r.url() === form.action && r.request().method() === 'POST');
  await page.evaluate(
    ({ action, fields }) => {
      const element = document.createElement('form');
      element.method = 'post';
      element.action = action;
      for (const [name, value] of Object.entries(fields)) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = name;
        input.value = value;
        element.appendChild(input);
      }
      document.body.appendChild(element);
      element.submit();
    },
    { action: form.action, fields: form.fields },
  );
  const response = await answered;
  await page.waitForLoadState('load');
  return response.status();
}

/**
 * The cookies a page at `probeUrl` keeps (cookie-probe.ts): in an iframe of a page of `embedder`
 * (an LMS's origin), or top level when `embedder` is null. Sorted names, space-separated.
 */
export async function cookiesKept(context: BrowserContext, probeUrl: string, embedder: string | null): Promise<string> {
  const page = await context.newPage();
  page.setDefaultTimeout(STEP_TIMEOUT_MS);
  try {
    if (!embedder) {
      await page.goto(`${probeUrl}/set`);
      await page.goto(`${probeUrl}/read`);
      return (await page.locator('#cookies').textContent()) ?? '';
    }
    await page.goto(`${embedder}/return`);
    await page.evaluate((src) => {
      const frame = document.createElement('iframe');
      frame.name = 'probe';
      frame.title = 'cookie probe';
      frame.src = src;
      document.body.appendChild(frame);
    }, `${probeUrl}/set`);
    const frame = await (await page.waitForSelector('iframe[name="probe"]', { state: 'attached' })).contentFrame();
    if (!frame) {
      throw new Error('the probe frame has no document');
    }
    await frame.waitForURL(`${probeUrl}/set`, { waitUntil: 'load' });
    await frame.goto(`${probeUrl}/read`);
    return (await frame.locator('#cookies').textContent()) ?? '';
  } finally {
    await page.close();
  }
}
