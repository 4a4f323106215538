import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { axeViolations, expectAccessible } from './support/axe.js';
import { CHROMIUM, CHROMIUM_ARGS } from './support/chromium.js';

/** README's screenshots: this test writes them, so they show what the demo really looks like today. */
const SCREENSHOTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'docs', 'screenshots');

describe('demo LMS in a real browser (Chromium)', function () {
  this.timeout(90_000);
  let work: ReturnType<typeof tempDir>;
  let examgate: ChildExamgate | null = null;
  let browser: BrowserContext | null = null;

  before(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing: apt-get install -y chromium`).to.equal(true);
    work = tempDir('examgate-browser-');
    // Development mode, as `npm start` runs it: the demo LMS is on and registers itself.
    examgate = await startChildExamgate({
      cwd: work.dir,
      env: { NODE_ENV: 'development', DATABASE_URL: `sqlite:${work.dir}/examgate.sqlite` },
    });
    browser = await chromium.launchPersistentContext(path.join(work.dir, 'chromium-profile'), {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
    });
  });
  after(async () => {
    await browser?.close();
    await examgate?.stop();
    work.remove();
  });

  async function launchFromDemo(linkText: string): Promise<Page> {
    await browser!.clearCookies();
    const page = await browser!.newPage();
    const problems: string[] = [];
    page.on('console', (message) => message.type() === 'error' && problems.push(message.text()));
    await page.goto(`${examgate!.url}/demo`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Demo LMS');
    await expectAccessible(page, 'demo LMS page');
    await page.getByRole('link', { name: linkText }).click();
    // The landing page differs by role (staff: choosing the link's test; learners: their lobby), all under /app.
    await page
      .waitForURL((url) => url.pathname.startsWith('/app'), { timeout: 15_000 })
      .catch(() => {
        throw new Error(`the launch stopped at ${page.url()}; console errors: ${problems.join(' | ') || 'none'}`);
      });
    return page;
  }

  it('when someone opens the home page in development, then it offers the demo and passes the accessibility check', async () => {
    const page = await browser!.newPage();
    await page.goto(`${examgate!.url}/`);
    expect(await page.getByRole('link', { name: 'Try it with the demo LMS' }).count()).to.equal(1);
    await expectAccessible(page, 'home page with the demo link');
    await page.close();
  });

  it("when someone launches as instructor from /demo, then the demo link's test is theirs to choose or create", async () => {
    const page = await launchFromDemo('Launch as instructor');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Choose the test for this link');
    expect(await page.locator('main').innerText()).to.contain('Demo course');
    expect(await page.getByRole('button', { name: 'Create the test for this link' }).count(), 'staff may create tests').to.equal(1);
    expect(await page.locator('main').innerText()).not.to.contain('Welcome,');
    await expectAccessible(page, "instructor's landing from the demo");
    await page.close();
  });

  it('when someone launches as the learner Demo Learner from /demo, then the learner landing page greets them', async () => {
    const page = await launchFromDemo('Launch as Demo Learner');
    expect(await page.locator('main').innerText()).to.contain('Welcome, Demo Learner.');
    expect(await page.getByRole('link', { name: 'New test' }).count(), 'learners may not create tests').to.equal(0);
    await expectAccessible(page, "student's landing from the demo");
    await page.close();
  });

  it('when a newcomer walks the demo, then the instructor sets up a test, a learner from the roster takes it, and the score is on the candidates page', async () => {
    // Instructor: the demo link has no test yet; create one for it.
    const teacher = await launchFromDemo('Launch as instructor');
    await teacher.getByLabel('Title').fill('Demo quiz');
    await teacher.getByRole('button', { name: 'Create the test for this link' }).click();
    await teacher.waitForURL((url) => /^\/app\/exams\/[0-9a-f-]{36}$/.test(url.pathname));
    const created = new URL(teacher.url());
    const examUrl = created.origin + created.pathname;
    // The roster: every named learner of the demo course arrives as a candidate.
    // Opening the candidates page syncs a roster never synced; "Sync now" is offered once no sync is running.
    await teacher.goto(`${examUrl}/candidates`);
    for (let tries = 0; !(await teacher.locator('main').innerText()).includes('Ada Lindqvist'); tries += 1) {
      expect(
        tries,
        `the roster sync brings the demo learners; the page says: ${(await teacher.locator('main').innerText()).slice(0, 600)}`,
      ).to.be.below(30);
      await teacher.waitForTimeout(500);
      // The page reloads itself when the sync it shows as running ends; a reload of ours may cross that one.
      await teacher.reload().catch(() => teacher.waitForLoadState());
    }
    await teacher.getByRole('button', { name: 'Sync now' }).click();
    await teacher.getByText('Ada Lindqvist').first().waitFor();
    for (const name of ['Kofi Mensah', 'Mei Tanaka', 'Tomás Ortega']) {
      expect(await teacher.locator('main').innerText()).to.contain(name);
    }
    await teacher.goto(examUrl);
    await teacher.getByRole('button', { name: 'Activate' }).click();
    await teacher.getByRole('button', { name: 'Activate' }).waitFor({ state: 'detached' });

    // A learner of the roster: the lobby, Start, the sample engine, finish.
    const learner = await browser!.newPage();
    await learner.goto(`${examgate!.url}/demo`);
    await learner.getByRole('link', { name: 'Launch as Ada Lindqvist' }).click();
    await learner.locator('#lobby-state').waitFor();
    expect(await learner.locator('main').innerText()).to.contain('Demo quiz');
    mkdirSync(SCREENSHOTS, { recursive: true });
    const opened = browser!.waitForEvent('page', { timeout: 5_000 }).catch(() => learner);
    await learner.getByRole('button', { name: 'Start' }).click();
    const engineTab = await opened;
    await engineTab.getByLabel('42').waitFor();
    await engineTab.getByLabel('42').check();
    await engineTab.getByLabel('11').check();
    await engineTab.getByRole('button', { name: 'Finish' }).click();
    await engineTab.getByRole('heading', { level: 1, name: 'Test finished' }).waitFor();
    expect(new URL(engineTab.url()).origin).to.equal(examgate!.url);
    expect(await engineTab.locator('main').innerText()).to.contain('You have finished Demo quiz at ');
    await expectAccessible(engineTab, 'the finish page of a demo learner');
    await engineTab.screenshot({ path: path.join(SCREENSHOTS, 'demo-finished.png'), fullPage: true });
    await engineTab.getByRole('link', { name: 'Back to your course' }).click();
    await engineTab.getByRole('heading', { level: 1, name: 'Back in the LMS' }).waitFor();

    // The demo gradebook got the score through AGS (sent by a job, so it may take a moment).
    const lmsPage = await browser!.newPage();
    await lmsPage.goto(`${examgate!.url}/demo`);
    for (let tries = 0; (await lmsPage.getByRole('cell', { name: 'Ada Lindqvist' }).count()) === 0; tries += 1) {
      expect(tries, 'the score reaches the demo gradebook').to.be.below(30);
      await lmsPage.waitForTimeout(500);
      await lmsPage.reload();
    }
    expect(await lmsPage.getByRole('table').innerText()).to.contain('2 / 2');
    await expectAccessible(lmsPage, 'demo LMS page with its gradebook');
    await lmsPage.screenshot({ path: path.join(SCREENSHOTS, 'demo-lms.png'), fullPage: true });
    await lmsPage.close();

    // The instructor launches again (the learner's launch took this browser's examgate session) and sees the score.
    await learner.close();
    await teacher.close();
    const again = await launchFromDemo('Launch as instructor');
    await again.goto(`${examUrl}/candidates?q=Ada`);
    expect(await again.locator('main').innerText()).to.contain('finished · 2 / 2');
    await again.screenshot({ path: path.join(SCREENSHOTS, 'demo-candidates.png'), fullPage: true });
    await again.close();
  });

  it('when the instructor adds an examgate activity, then Deep Linking places a new test on the demo course, and it opens for the instructor and each learner', async () => {
    await browser!.clearCookies();
    const page = await browser!.newPage();
    await page.goto(`${examgate!.url}/demo`);
    await page.getByRole('link', { name: 'Add examgate activity' }).click();
    await page.getByLabel('Title').fill('Placed quiz');
    await page.getByRole('button', { name: 'Create and place' }).click();
    // examgate posts the signed Deep Linking response back to the demo LMS, which shows what was placed.
    await page.getByRole('heading', { level: 1, name: 'Deep linking result' }).waitFor();
    expect(await page.locator('.content-items').innerText()).to.contain('Placed quiz');
    await page.getByRole('link', { name: 'Back to the course page' }).click();
    await page.getByRole('heading', { level: 2, name: 'Activities in this course' }).waitFor();
    await expectAccessible(page, 'demo LMS page with a placed activity');
    const activity = page.getByRole('form', { name: 'Placed quiz' });
    expect(await activity.getByLabel('Open as').locator('option').allTextContents()).to.include('Kofi Mensah (learner)');

    // The instructor, in a new window: straight to the test's page.
    await activity.getByLabel('Open as').selectOption({ label: 'Demo Instructor (instructor)' });
    const opened = browser!.waitForEvent('page');
    await activity.getByRole('button', { name: 'Open in a new window' }).click();
    const staffWindow = await opened;
    await staffWindow.waitForURL((url) => /^\/app\/exams\/[0-9a-f-]{36}$/.test(url.pathname));
    expect(await staffWindow.getByRole('heading', { level: 1 }).textContent()).to.equal('Placed quiz');
    await staffWindow.close();

    // A learner, inside the course page's frame, as an embedding LMS shows the tool.
    await activity.getByLabel('Open as').selectOption({ label: 'Kofi Mensah (learner)' });
    await activity.getByRole('button', { name: 'Open in the course page' }).click();
    await page.waitForURL((url) => url.pathname.startsWith('/demo/course/'));
    expect(await page.getByRole('heading', { level: 2 }).textContent()).to.equal('Placed quiz');
    const frame = page.frameLocator('iframe[title="Placed quiz"]');
    // The test is still a draft, so the learner's landing names it without a Start.
    await frame.locator('main').getByText('Placed quiz').first().waitFor();
    expect(await page.getByRole('link', { name: 'Open Placed quiz in a new window' }).count()).to.equal(1);
    // The course page is the (simulated) LMS's: WCAG only. examgate's page in its frame meets the house patterns too.
    expect(await axeViolations(page), 'the demo course page').to.deep.equal([]);
    await expectAccessible(page.frame({ name: 'tool-frame' })!, "examgate's page in the demo course page's frame");
    await page.close();
  });

  it('when examgate restarts, then the demo course still has its placed activity and its gradebook', async () => {
    // On the same port: the demo LMS's issuer is its address, and a demo LMS at another address starts with a course of its own.
    const port = new URL(examgate!.url).port;
    await examgate!.stop();
    examgate = await startChildExamgate({
      cwd: work.dir,
      env: { NODE_ENV: 'development', DATABASE_URL: `sqlite:${work.dir}/examgate.sqlite`, PORT: port },
    });
    const page = await browser!.newPage();
    await page.goto(`${examgate.url}/demo`);
    expect(await page.getByRole('form', { name: 'Placed quiz' }).count(), 'the activity Deep Linking placed').to.equal(1);
    expect(await page.getByRole('table').innerText(), 'the score of the walk above').to.contain('2 / 2');
    await page.close();
  });
});
