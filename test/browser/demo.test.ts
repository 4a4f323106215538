import { existsSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startChildExamgate, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { expectAccessible } from './support/axe.js';
import { CHROMIUM, CHROMIUM_ARGS } from './support/chromium.js';

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

  it('when someone launches as student from /demo, then the learner landing page greets them', async () => {
    const page = await launchFromDemo('Launch as student');
    expect(await page.locator('main').innerText()).to.contain('Welcome, Demo Learner.');
    expect(await page.getByRole('link', { name: 'New test' }).count(), 'learners may not create tests').to.equal(0);
    await expectAccessible(page, "student's landing from the demo");
    await page.close();
  });
});
