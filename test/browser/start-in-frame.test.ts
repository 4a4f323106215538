import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import express from 'express';
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { ROLE_LEARNER, SimulatedLms, type LaunchRequest } from '../../src/lms-sim/index.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { createExam, instructorOf, placeExam } from '../support/course-session.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { buildLearners, settledSync } from '../support/roster.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser, withScriptsOff } from './support/chromium.js';

/**
 * A course page of a simulated LMS that embeds the tool's launch in an iframe, as Moodle's and
 * Canvas's embedded launches do. It is served from the LMS's own origin, which examgate lists in
 * frame-ancestors. (Everything here is http on 127.0.0.1: one site. The cross-site TLS world is
 * another test's; here the point is where Start opens the engine.)
 */
async function startCoursePages(
  examgateUrl: string,
): Promise<{ lms: SimulatedLms; coursePage: (launchUrl: string, sandbox?: string) => string; close(): Promise<void> }> {
  const app = express();
  const server: Server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lms = new SimulatedLms({ baseUrl, clientId: 'framing-client', deploymentId: 'framing-deployment' });
  const tool = toolConfiguration(examgateUrl);
  lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl, deepLinkingUrl: tool.deepLinkingUrl });
  const attribute = (value: string) => value.replace(/&/g, '&amp;').replace(/"/g, '&quot;');
  app.get('/course', (req, res) => {
    const launch = typeof req.query.launch === 'string' ? req.query.launch : '';
    const sandbox = typeof req.query.sandbox === 'string' ? ` sandbox="${attribute(req.query.sandbox)}"` : '';
    res.send(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course page</title></head>
      <body><h1>Course page</h1><iframe title="examgate" src="${attribute(launch)}"${sandbox} style="width:100%;height:40rem"></iframe></body></html>`);
  });
  app.use(lms.router);
  return {
    lms,
    coursePage: (launchUrl, sandbox) =>
      `${baseUrl}/course?launch=${encodeURIComponent(launchUrl)}${sandbox === undefined ? '' : `&sandbox=${encodeURIComponent(sandbox)}`}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('Start from examgate inside an LMS iframe opens the engine top-level (Chromium)', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let engine: RunningDeliveryEngine;
  let course: Awaited<ReturnType<typeof startCoursePages>>;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;
  let n = 0;

  before(async () => {
    world = await startWorld();
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    engine = await startDeliveryEngine({
      examgateUrl: world.url,
      privateKeyPem: key.export({ format: 'pem', type: 'pkcs8' }).toString(),
      log: () => undefined,
    });
    course = await startCoursePages(world.url);
    await world.examgate.platforms.register(course.lms.registration, TEST_SETUP);
    chromium = await launchChromium();
  });
  beforeEach(async () => {
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });
  afterEach(() => context.close());
  after(async () => {
    await chromium?.close();
    await engine?.close();
    await course?.close();
  });

  async function placedTest(form: Record<string, string> = {}) {
    n += 1;
    const courseContext = { id: `framed-${n}`, title: 'Botany' };
    course.lms.setRoster(courseContext.id, buildLearners(1));
    const teacher = await instructorOf(world, courseContext, { lms: course.lms });
    const examId = await createExam(teacher, { title: 'Ferns', timeZone: 'UTC', deliveryUrl: engine.url, ...form });
    await settledSync(world, examId);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const custom = await placeExam(world, teacher, examId, courseContext, course.lms);
    const request: LaunchRequest = {
      user: { sub: 'u-1', name: 'Learner 1' },
      roles: [ROLE_LEARNER],
      context: courseContext,
      resourceLink: { id: `framed-rl-${n}`, title: 'Ferns' },
      custom,
    };
    return { examId, request };
  }

  /** Opens the course page with the launch in its iframe and waits for examgate's lobby in the frame. */
  async function lobbyInFrame(request: LaunchRequest, sandbox?: string): Promise<Frame> {
    await page.goto(course.coursePage(course.lms.loginInitiationUrl(request), sandbox));
    const frame = page.frameLocator('iframe[title="examgate"]');
    await frame.locator('#lobby-state').waitFor();
    const lobby = page.frames().find((f) => f.url().startsWith(`${world.url}/app`));
    expect(lobby, 'the lobby in the iframe').not.to.equal(undefined);
    return lobby!;
  }
  const attemptState = async (examId: string) =>
    (
      await world.examgate.sequelize.query<{ attempt_state: string }>(
        "SELECT attempt_state FROM candidates WHERE exam_id = :examId AND lms_user_id = 'u-1'",
        { replacements: { examId }, type: QueryTypes.SELECT },
      )
    )[0]!.attempt_state;
  /** Clicks a button in the frame and returns the tab it opens once the engine shows the test there. */
  async function newTabFrom(frame: Frame, button: string): Promise<Page> {
    const [tab] = await Promise.all([context.waitForEvent('page'), frame.getByRole('button', { name: button }).click()]);
    await tab.waitForURL((url) => url.href.startsWith(engine.url));
    expect(await tab.getByRole('heading', { level: 1 }).textContent()).to.equal('Ferns');
    return tab;
  }

  it('when a candidate presses Start in the frame, then the test opens in a new tab, the frame says so, and Reopen opens it again', async () => {
    const { examId, request } = await placedTest();
    const frame = await lobbyInFrame(request);
    expect(await frame.locator('#lobby-state').getAttribute('data-state')).to.equal('open');
    await expectAccessible(frame, 'lobby in the LMS frame, before Start');

    const tab = await newTabFrom(frame, 'Start');
    expect(page.url(), 'the course page stays').to.contain('/course?');
    await frame.getByRole('status').filter({ hasText: 'Your test is open in another tab.' }).waitFor();
    expect(await frame.getByRole('button', { name: 'Reopen the test' }).count()).to.equal(1);
    expect(await frame.locator('main').innerText()).to.contain('Switch to that tab to take your test.');
    expect(await attemptState(examId)).to.equal('started');
    await expectAccessible(frame, 'lobby in the LMS frame, test open in another tab');

    // The candidate closed the tab: Reopen hands the same attempt off afresh in another new tab.
    await tab.close();
    const reopened = await newTabFrom(frame, 'Reopen the test');
    await reopened.getByLabel('42').check();
    await reopened.getByRole('button', { name: 'Finish' }).click();
    await reopened.waitForURL((url) => url.origin === world.url);
    expect(await attemptState(examId)).to.equal('finished');

    // Back in the course page: the frame learns the test is finished as soon as it is looked at again.
    await page.bringToFront();
    // The frame's own polling may have seen the finish first and be reloading already: then the
    // page it is navigating away from cannot be asked, and the reload is what is being tested anyway.
    await frame.evaluate("document.dispatchEvent(new Event('visibilitychange'))").catch((err: unknown) => {
      if (!String(err).includes('Execution context was destroyed')) {
        throw err;
      }
    });
    await page.frameLocator('iframe[title="examgate"]').locator('#lobby-state[data-state="finished"]').waitFor();
  });

  it('when the lobby in the frame is reloaded after Start, then it still says the test is open in another tab', async () => {
    const { examId, request } = await placedTest();
    const frame = await lobbyInFrame(request);
    const tab = await newTabFrom(frame, 'Start');
    // The engine reports the start on its own, a moment after it shows the test: reload once it has.
    for (let tries = 0; (await attemptState(examId)) !== 'started'; tries += 1) {
      expect(tries, 'the engine reports the start').to.be.below(100);
      await frame.page().waitForTimeout(100);
    }
    await frame.goto(frame.url());
    expect(await frame.locator('#lobby-state').getAttribute('data-state')).to.equal('started');
    expect(await frame.getByRole('status').textContent()).to.equal('Your test is open in another tab.');
    // As in the first test: the candidate closed that tab, so Reopen has a new one to open.
    await tab.close();
    await newTabFrom(frame, 'Reopen the test');
  });

  it('when the test opens in the whole window, then Start replaces the course page with the engine', async () => {
    const { examId, request } = await placedTest({ openIn: 'whole_window' });
    const frame = await lobbyInFrame(request);
    expect(await frame.locator('main').innerText()).to.contain('Your test opens in this whole window, in place of the course page.');
    await frame.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL((url) => url.href.startsWith(engine.url));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Ferns');
    expect(context.pages()).to.have.length(1);
    expect(await attemptState(examId)).to.equal('started');
  });

  it('when the browser blocks the new tab, then the frame says the test did not open and what to do, and the whole window works', async () => {
    const { examId, request } = await placedTest();
    // A frame that may not open pop-ups (no allow-popups), as an LMS's sandboxed iframe can be.
    const frame = await lobbyInFrame(request, 'allow-scripts allow-forms allow-same-origin allow-top-navigation-by-user-activation');
    await frame.getByRole('button', { name: 'Start' }).click();
    await frame.getByRole('status').filter({ hasText: 'Your test did not open.' }).waitFor({ timeout: 30_000 });
    expect(await frame.locator('#lobby-blocked').innerText()).to.contain('Allow pop-ups for this site');
    expect(context.pages(), 'no tab opened').to.have.length(1);
    expect(await attemptState(examId)).to.equal('not_started');
    await expectAccessible(frame, 'lobby in the LMS frame, the new tab blocked');

    await frame.getByRole('button', { name: 'Open the test in the whole window' }).click();
    await page.waitForURL((url) => url.href.startsWith(engine.url));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Ferns');
  });

  it('when the frame has no JavaScript, then Start still opens the test in a new tab', async () => {
    const { examId, request } = await placedTest();
    await lobbyInFrame(request);
    let frame = page.frames().find((f) => f.url().startsWith(`${world.url}/app`))!;
    await withScriptsOff(page, () => frame.goto(frame.url()));
    frame = page.frames().find((f) => f.url().startsWith(`${world.url}/app`))!;
    expect(await frame.locator('form[data-start-form]:visible').getAttribute('target')).to.equal('_blank');
    const [tab] = await Promise.all([context.waitForEvent('page'), frame.getByRole('button', { name: 'Start' }).click()]);
    await tab.waitForURL((url) => url.href.startsWith(engine.url));
    expect(await attemptState(examId)).to.equal('started');
  });

  it('when examgate has a window of its own but the browser does not say so, then its script opens the test in that window', async () => {
    const { examId, request } = await placedTest();
    await launchInBrowser(page, course.lms, world.url, request);
    // As a browser that sends no Sec-Fetch-Dest: the server's guess is "framed" (a new tab); the script knows better.
    // Chromium adds the header below request interception, so the lobby is fetched from here without it.
    await page.route(`${world.url}/app`, async (route) => {
      const headers = await route.request().allHeaders();
      delete headers['sec-fetch-dest'];
      await route.fulfill({ response: await route.fetch({ headers }) });
    });
    const lobby = await page.goto(`${world.url}/app`);
    expect(await lobby!.text(), 'the server guessed a frame').to.contain('<div data-view="top" hidden>');
    expect(await page.locator('[data-view="top"]').isVisible()).to.equal(true);
    expect(await page.locator('[data-view="framed"]').isVisible()).to.equal(false);
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL((url) => url.href.startsWith(engine.url));
    expect(context.pages()).to.have.length(1);
    expect(await attemptState(examId)).to.equal('started');
  });
});
