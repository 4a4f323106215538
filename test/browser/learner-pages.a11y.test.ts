import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { ROLE_INSTRUCTOR, ROLE_LEARNER, SimulatedLms, type LaunchRequest } from '../../src/lms-sim/index.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { createExam, instructorOf, placeExam, type CourseSession } from '../support/course-session.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { removePlatformsOf } from '../support/registration.js';
import { buildLearners, settledSync } from '../support/roster.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser, withScriptsOff } from './support/chromium.js';

const HOUR = 3_600_000;
const wallTime = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(0, 16);

describe('accessibility of the learner pages: lobby states, hand-off, refusals (axe-core in Chromium)', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let engine: RunningDeliveryEngine;
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
    chromium = await launchChromium();
  });
  beforeEach(async () => {
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(() => context.close());
  after(async () => {
    await chromium?.close();
    await engine?.close();
  });

  /** A course with a test placed at a link, set up through the instructor's pages; returns the learners' launch. */
  async function placedTest(form: Record<string, string>, activate = true) {
    n += 1;
    const course = { id: `a11y-lobby-${n}`, title: 'Physics' };
    world.lms.setRoster(course.id, buildLearners(2));
    const teacher: CourseSession = await instructorOf(world, course);
    const examId = await createExam(teacher, { title: 'Physics final', durationMinutes: '60', timeZone: 'UTC', ...form });
    await settledSync(world, examId);
    if (activate) {
      await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    }
    const custom = await placeExam(world, teacher, examId, course);
    return { teacher, examId, link: { context: course, resourceLink: { id: `a11y-rl-${n}`, title: 'Final' }, custom } };
  }

  /** The grade-passback jobs of u-1 on the test (one per finish report). */
  const GRADE_JOBS = `SELECT j.id FROM jobs j JOIN candidates c ON c.id = j.subject_id
    WHERE j.kind = 'grade-passback' AND c.exam_id = :examId AND c.lms_user_id = 'u-1'`;
  const gradeJobs = (examId: string) =>
    world.examgate.sequelize.query<{ status: string; run_after: string | Date | null }>(
      `SELECT status, run_after FROM jobs WHERE id IN (${GRADE_JOBS})`,
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
  /** Moves the next try of a waiting grade passback to `runAfter`. */
  const retryGradeAt = (examId: string, runAfter: Date) =>
    world.examgate.sequelize.query(`UPDATE jobs SET run_after = :runAfter WHERE status = 'retrying' AND id IN (${GRADE_JOBS})`, {
      replacements: { examId, runAfter },
    });

  /** Waits until the grade passback waits for a retry, then holds that retry back an hour so the page stays in this state. */
  async function holdGradeRetry(examId: string): Promise<void> {
    for (let tries = 0; ; tries++) {
      expect(tries, 'grade passback waiting for a retry').to.be.below(400);
      const [job] = await gradeJobs(examId);
      if (job?.status === 'retrying' && new Date(job.run_after ?? 0).getTime() > Date.now() + HOUR / 2) {
        return;
      }
      if (job?.status === 'retrying') {
        // The runner may take the job between the read and this update: the loop then waits for that try to fail too.
        await retryGradeAt(examId, new Date(Date.now() + HOUR));
      } else {
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    }
  }

  const launch = (sub: string, request: Partial<LaunchRequest>) =>
    launchInBrowser(page, world.lms, world.url, { user: { sub, name: `Learner ${sub}` }, roles: [ROLE_LEARNER], ...request });
  const lobbyState = () => page.locator('#lobby-state').getAttribute('data-state');

  it('when learners open lobbies that are open, not open yet, closed, or not theirs, then each state passes', async () => {
    const open = await placedTest({ opensAt: wallTime(-HOUR), closesAt: wallTime(HOUR / 2), enrolOnLaunch: '' });
    await launch('u-1', open.link);
    expect(await lobbyState()).to.equal('open');
    expect(await page.locator('main').innerText()).to.contain('The test closes before your full time is up');
    expect(await page.title()).to.equal('Physics final · examgate');
    await expectAccessible(page, 'open lobby with the closing warning');
    await launch('stranger', open.link);
    expect(await lobbyState()).to.equal('not_candidate');
    await expectAccessible(page, 'lobby of someone who is not a candidate');

    const later = await placedTest({ opensAt: wallTime(48 * HOUR) });
    await launch('u-1', later.link);
    expect(await lobbyState()).to.equal('not_open');
    await expectAccessible(page, 'lobby not open yet');

    const past = await placedTest({ opensAt: wallTime(-3 * HOUR), closesAt: wallTime(-HOUR) });
    await launch('u-1', past.link);
    expect(await lobbyState()).to.equal('closed');
    await expectAccessible(page, 'closed lobby');

    await launch('u-1', { context: { id: 'a11y-unplaced' }, resourceLink: { id: 'a11y-unplaced-link', title: 'Quiz' } });
    expect(await page.locator('main').innerText()).to.contain('does not lead to a test yet');
    expect(await page.title()).to.equal('No test yet · Quiz · examgate');
    await expectAccessible(page, 'lobby of a link without a test');
  });

  it('when a withdrawn learner or one whose test has no delivery URL opens the lobby, then those pages pass', async () => {
    const { teacher, examId, link } = await placedTest({ deliveryUrl: '' });
    await launch('u-2', link);
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('alert').textContent()).to.contain('no delivery URL');
    await expectAccessible(page, 'lobby with Start refused');

    const list = await teacher.get(`/app/exams/${examId}/candidates?q=u-1`);
    const id = /candidates\/([0-9a-f-]{36})\/edit/.exec(list.body)![1]!;
    await teacher.post(`/app/exams/${examId}/candidates/${id}/withdraw`, {}, `/app/exams/${examId}/candidates`);
    await launch('u-1', link);
    expect(await lobbyState()).to.equal('withdrawn');
    await expectAccessible(page, 'lobby of a withdrawn candidate');
  });

  it('when a candidate starts, comes back unfinished, starts again, continues and finishes, then the hand-off, pending, handed-off, started and finished pages pass', async () => {
    const { link } = await placedTest({ deliveryUrl: engine.url, finishRedirectUrl: `${world.lms.baseUrl}/return` });
    await launch('u-1', link);
    // The hand-off posts itself to the delivery engine at once; without scripts it waits with its button.
    await withScriptsOff(page, () => page.getByRole('button', { name: 'Start' }).click());
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Starting your test');
    await expectAccessible(page, 'hand-off');
    const token = (await page.locator('input[name="handoff"]').inputValue()).split('.')[1]!;
    const { return_url: returnUrl } = JSON.parse(Buffer.from(token, 'base64url').toString()) as { return_url: string };

    const pending = await page.goto(returnUrl);
    expect(pending?.status()).to.equal(409);
    await expectAccessible(page, 'attempt pending');

    // The engine never got that hand-off: the attempt is handed off, not started, and Start hands it off again.
    await launch('u-1', link);
    expect(await lobbyState()).to.equal('handed_off');
    await expectAccessible(page, 'lobby of a handed-off attempt');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL((url) => url.href.startsWith(engine.url));

    await launch('u-1', link);
    expect(await lobbyState()).to.equal('started');
    await expectAccessible(page, 'lobby of a started attempt');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.href.startsWith(engine.url));
    await page.getByLabel('42').check();
    await page.getByLabel('11').check();
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.waitForURL(`${world.lms.baseUrl}/return`);

    await launch('u-1', link);
    expect(await lobbyState()).to.equal('finished');
    await expectAccessible(page, 'lobby of a finished attempt');
  });

  it("when a finished candidate's grade waits for another try and is then sent, then the staff candidates page passes in both states", async () => {
    const { examId, link } = await placedTest({ deliveryUrl: engine.url, finishRedirectUrl: `${world.lms.baseUrl}/return` });
    world.lms.failScores(503, 1000);
    try {
      await launch('u-1', link);
      await page.getByRole('button', { name: 'Start' }).click();
      await page.waitForURL((url) => url.href.startsWith(engine.url));
      await page.getByLabel('42').check();
      await page.getByRole('button', { name: 'Finish' }).click();
      await page.waitForURL(`${world.lms.baseUrl}/return`);
      await holdGradeRetry(examId);
    } finally {
      world.lms.failScores(503, 0);
    }
    await launchInBrowser(page, world.lms, world.url, { user: { sub: 'a11y-teacher' }, roles: [ROLE_INSTRUCTOR], context: link.context });
    await page.goto(`${world.url}/app/exams/${examId}/candidates?q=u-1`);
    expect(await page.locator('[data-grade-status]').textContent()).to.match(/^grade not sent yet: try \d+ of \d+ failed .+; next try: /);
    await expectAccessible(page, 'candidates list with a grade waiting for another try');

    await retryGradeAt(examId, new Date());
    for (let tries = 0; (await gradeJobs(examId))[0]?.status !== 'succeeded'; tries++) {
      expect(tries, 'grade sent in time').to.be.below(400);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    await page.reload();
    expect(await page.locator('[data-grade-status]').textContent()).to.equal('grade sent to the LMS');
    await expectAccessible(page, 'candidates list with a grade sent');
  });

  it('when a launch is refused, or the browser drops the login cookie, then the refusal and the new-window pages pass', async () => {
    await launch('u-1', { tamper: { signWith: 'other-key' } });
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('This launch could not be accepted');
    await expectAccessible(page, 'launch refused');

    // As a browser that keeps no cookie in the LMS iframe: the login's cookie check finds none.
    const checkOf = async (login: URL) =>
      new URL((await fetch(login, { redirect: 'manual' })).headers.get('location')!, world.url).toString();
    await context.clearCookies();
    await page.goto(await checkOf(new URL(world.lms.loginInitiationUrl({ user: { sub: 'u-1' }, roles: [ROLE_LEARNER] }))));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Open examgate in a new window');
    await expectAccessible(page, 'new-window page of the login');

    // With platform storage offered but no frame around the page, the script gives up and offers the new window.
    const withStorage = new URL(world.lms.loginInitiationUrl({ user: { sub: 'u-1' }, roles: [ROLE_LEARNER] }));
    withStorage.searchParams.set('lti_storage_target', '_parent');
    await page.goto(await checkOf(withStorage));
    expect(await page.getByRole('status').first().textContent()).to.equal('Your course page could not keep examgate signed in.');
    expect(await page.getByRole('button', { name: 'Open examgate in a new window' }).isVisible()).to.equal(true);
    await expectAccessible(page, 'platform-storage page of the login, given up');
  });
  it('when a launch is held for an administrator’s approval, of a new deployment or of a whole LMS, then both pages pass', async () => {
    const platform = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!;
    await world.examgate.platforms.setNewDeploymentPolicy(platform.id, 'hold', TEST_SETUP);
    try {
      await launch('u-1', { deploymentId: 'a11y-course-copy' });
      expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('This deployment waits for approval');
      expect(await page.title()).to.equal('Waiting for approval · examgate');
      await expectAccessible(page, 'launch of a held deployment');
    } finally {
      await world.examgate.platforms.setNewDeploymentPolicy(platform.id, null, TEST_SETUP);
      await world.examgate.platforms.removeDeployment(platform.id, 'a11y-course-copy', TEST_SETUP);
    }

    const pendingLms = await SimulatedLms.start({ clientId: 'a11y-pending', deploymentId: 'a11y-pending-deployment' });
    try {
      const tool = toolConfiguration(world.url);
      pendingLms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl });
      await world.examgate.platforms.register({ ...pendingLms.registration, pending: true, name: 'Unapproved Moodle' }, TEST_SETUP);
      await launchInBrowser(page, pendingLms, world.url, { user: { sub: 'u-1' }, roles: [ROLE_LEARNER] });
      expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('This LMS waits for approval');
      await expectAccessible(page, 'launch from an LMS waiting for approval');
    } finally {
      await removePlatformsOf(world, pendingLms.issuer);
      await pendingLms.close();
    }
  });
});
