import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser } from './support/chromium.js';

const COURSE = { id: 'a11y-one-time-course', title: 'Geology' };

describe('accessibility of one-time users on the candidates page (axe-core in Chromium)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;
  let examId = '';

  before(async () => {
    world = await startWorld();
    world.lms.setRoster(COURSE.id, []);
    examId = await createExam(await instructorOf(world, COURSE), { title: 'Rocks' });
    chromium = await launchChromium();
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'teacher-1', name: 'Mary Anning' },
      roles: [ROLE_INSTRUCTOR],
      context: COURSE,
    });
  });
  after(async () => {
    await context?.close();
    await chromium?.close();
  });

  const candidates = () => `${world.url}/app/exams/${examId}/candidates`;
  const oneTime = () => page.getByRole('region', { name: 'One-time users' });

  it('when one-time users are generated in a draft, then the page, a refused addition and its error summary pass', async () => {
    await page.goto(candidates());
    await expectAccessible(page, 'candidates page with the one-time forms');
    await oneTime().getByLabel('Number of users').fill('3');
    await oneTime().getByRole('button', { name: 'Generate one-time users' }).click();
    await page.waitForURL(/done=one-time-generated/);
    expect(await page.getByRole('status').textContent()).to.contain('One-time users generated.');
    expect(await page.locator('td', { hasText: 'after activation' }).count()).to.equal(3);
    await expectAccessible(page, 'one-time users in a draft');

    await oneTime().getByLabel('Candidate ID').fill('C-0002');
    await oneTime().getByRole('button', { name: 'Add one-time user' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.locator('#error-summary a').getAttribute('href')).to.equal('#one-time-add-candidateId');
    const field = oneTime().getByLabel('Candidate ID');
    expect(await field.getAttribute('aria-invalid')).to.equal('true');
    expect(await field.getAttribute('aria-describedby')).to.equal('one-time-add-candidateId-error');
    await expectAccessible(page, 'one-time addition refused');
  });

  it('when the test is active, then the list with usernames and password disclosures, the edit form and the confirmation pass', async () => {
    await page.goto(`${world.url}/app/exams/${examId}`);
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.waitForLoadState('load');
    await page.goto(`${candidates()}?source=one-time`);
    expect(await page.locator('[data-username]').count()).to.equal(3);
    await page.getByText('Password of C-0001').click();
    expect(await page.locator('details[open] [data-password]').textContent()).to.match(/^[a-z2-9]{14}$/);
    await expectAccessible(page, 'one-time users with credentials, one password open');

    await page.getByRole('link', { name: 'Edit C-0001' }).click();
    await page.waitForLoadState('load');
    await page.getByLabel('Username').fill('rock#1');
    await page.getByRole('button', { name: 'Save username' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.getByRole('alert').textContent()).to.contain('"#" is not allowed in a username');
    expect(await page.getByLabel('Username').getAttribute('aria-describedby')).to.equal('username-hint username-error');
    await expectAccessible(page, 'username refused');

    await page.getByRole('link', { name: 'Make a new password…' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('New password for C-0001?');
    await expectAccessible(page, 'new password confirmation');
    await page.getByRole('button', { name: 'Make a new password' }).click();
    await page.waitForURL(/done=password-regenerated/);
    await expectAccessible(page, 'after a new password');
  });
});
