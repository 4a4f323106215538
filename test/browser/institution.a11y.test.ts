import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, ADMIN_PASSWORD, platformIdOf, userInput } from '../support/institution.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser } from './support/chromium.js';

const COURSE = { id: 'a11y-permanent-course', title: 'Geography' };

describe('accessibility of institution administration and permanent users (axe-core in Chromium)', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    world = await startWorld();
    const platformId = await platformIdOf(world);
    await adminAccount(world, platformId);
    await world.examgate.permanentUsers.create(platformId, userInput('anna.berg'), { kind: 'chosen', password: 'Anna-Pass1' }, TEST_SETUP);
    chromium = await launchChromium();
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });
  after(async () => {
    await context?.close();
    await chromium?.close();
  });

  it('when an admin signs in and adds a user with a mistake, then sign-in, list, refused form, user page and password page pass', async () => {
    await page.goto(`${world.url}/institution`);
    await expectAccessible(page, 'institution sign-in');
    await page.getByLabel('Username').fill('exam-office');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/institution\/users$/);
    await expectAccessible(page, 'permanent users list');

    await page.getByRole('link', { name: 'Add a permanent user' }).click();
    await page.getByLabel('Username').fill('bad name');
    await page.getByLabel('E-mail', { exact: true }).fill('nowhere');
    await page.getByRole('button', { name: 'Add the user' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.getByRole('alert').textContent()).to.contain('A space is not allowed in a username');
    expect(await page.getByLabel('Username').getAttribute('aria-describedby')).to.equal('username-hint username-error');
    await expectAccessible(page, 'add form refused');

    await page.getByLabel('Username').fill('bo.lund');
    await page.getByLabel('E-mail', { exact: true }).fill('bo@uni.example');
    await page.getByRole('button', { name: 'Add the user' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('[data-password]').textContent()).to.match(/^[A-Za-z2-9]{14}$/);
    await expectAccessible(page, 'user page with the new password');

    await page.getByRole('link', { name: 'New password…' }).click();
    await page.waitForLoadState('load');
    await expectAccessible(page, 'password reset form');
    await page.goto(`${world.url}/institution/users`);
    await page.locator('a', { hasText: 'Anna Berg' }).click();
    await page.getByRole('link', { name: 'Delete…' }).click();
    await page.waitForLoadState('load');
    await expectAccessible(page, 'delete confirmation');
  });

  it('when the admin sets up two-step sign-in and opens the admin accounts, then both pages pass', async () => {
    await page.goto(`${world.url}/institution/two-step`);
    await expectAccessible(page, 'two-step off');
    await page.getByRole('button', { name: 'Set up two-step sign-in' }).click();
    await page.waitForLoadState('load');
    await page.getByLabel('Code from the app').fill('000000');
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByText('That code is not right').count()).to.be.greaterThan(0);
    await expectAccessible(page, 'two-step enrolment with a wrong code');
    await page.goto(`${world.url}/institution/admins`);
    await expectAccessible(page, 'admin accounts');
  });

  it('when the admin opens History from the navigation and filters it, then the page passes', async () => {
    await page.goto(`${world.url}/institution/users`);
    await page.getByRole('navigation', { name: 'Institution administration' }).getByRole('link', { name: 'History' }).click();
    await page.waitForURL(/\/institution\/history$/);
    expect(await page.getByRole('cell', { name: /Permanent user bo\.lund: create/ }).count()).to.equal(1);
    await expectAccessible(page, 'institution history');
    await page.getByLabel('Show').selectOption('admin-account');
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/entity=admin-account/);
    expect(await page.getByRole('cell', { name: /Permanent user/ }).count()).to.equal(0);
    await expectAccessible(page, 'institution history filtered');
  });

  it('when staff open the permanent-users page of a test inside the LMS launch, then it passes, and adding lands on the candidates list', async () => {
    const examId = await createExam(await instructorOf(world, COURSE), { title: 'Rivers' });
    const staff = await context.newPage();
    await launchInBrowser(staff, world.lms, world.url, {
      user: { sub: 'teacher-1', name: 'Mary' },
      roles: [ROLE_INSTRUCTOR],
      context: COURSE,
    });
    await staff.goto(`${world.url}/app/exams/${examId}/candidates/permanent`);
    await expectAccessible(staff, 'add permanent users');
    await staff.getByLabel(/Anna Berg/).check();
    await staff.getByRole('button', { name: 'Add the chosen users' }).click();
    await staff.waitForURL(/done=permanent-added/);
    await expectAccessible(staff, 'candidates with a permanent user');
    await staff.close();

    const candidate = await context.newPage();
    await candidate.goto(`${world.url}/login`);
    await candidate.getByLabel('Username').fill('anna.berg');
    await candidate.getByLabel('Password').fill('Anna-Pass1');
    await candidate.getByRole('button', { name: /Sign in/ }).click();
    await candidate.waitForURL(/\/my$/);
    expect(await candidate.content()).to.contain('Rivers');
    await candidate.close();
  });
});
