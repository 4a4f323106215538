import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { createExam, launchSession } from '../support/course-session.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, ADMIN_PASSWORD, platformIdOf, userInput } from '../support/institution.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser } from './support/chromium.js';

const COURSE = { id: 'a11y-lists-course', title: 'Chemistry' };

describe('accessibility of the list pages (axe-core in Chromium)', function () {
  this.timeout(180_000);
  let world: TestWorld;
  let chromium: Browser;
  let context: BrowserContext;
  let examId: string;

  before(async () => {
    world = await startWorld();
    const platformId = await platformIdOf(world);
    await adminAccount(world, platformId);
    for (const name of ['anna.berg', 'bo.lund']) {
      await world.examgate.permanentUsers.create(platformId, userInput(name, { lastName: name }), { kind: 'generate' }, TEST_SETUP);
    }
    // The colleague has launched once, so the owner can find them to share with.
    const colleague = await launchSession(world, {
      user: { sub: 'teacher-2', name: 'Ada Lovelace', email: 'ada@uni.example' },
      roles: [ROLE_INSTRUCTOR],
      context: { id: 'ada-course' },
    });
    await colleague.get('/app/exams');
    examId = await createExam(await launchSession(world, { context: COURSE }), { title: 'Titration' });
    chromium = await launchChromium();
    context = await chromium.newContext();
  });
  after(async () => {
    await context?.close();
    await chromium?.close();
  });

  const launchAs = async (sub: string, name: string): Promise<Page> => {
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    await launchInBrowser(page, world.lms, world.url, { user: { sub, name }, roles: [ROLE_INSTRUCTOR], context: COURSE });
    return page;
  };

  it('when an instructor makes, fills, shares and adds a list, then every page on the way passes', async () => {
    const page = await launchAs('teacher-1', 'Grace Hopper');
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    await page.getByRole('link', { name: 'Lists' }).click();
    await page.waitForURL(/\/app\/lists$/);
    await expectAccessible(page, 'lists index, empty');
    await page.getByRole('button', { name: 'Create the list' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    await expectAccessible(page, 'create refused');
    await page.getByLabel('Name of a new list').fill('Lab group A');
    await page.getByRole('button', { name: 'Create the list' }).click();
    await page.waitForURL(/done=created/);
    await expectAccessible(page, 'new list');

    await page.getByRole('link', { name: 'Add members' }).click();
    await expectAccessible(page, 'add members');
    await page
      .getByLabel(/anna\.berg/)
      .first()
      .check();
    await page
      .getByLabel(/bo\.lund/)
      .first()
      .check();
    await page.getByRole('button', { name: 'Add the chosen to the list' }).click();
    await page.waitForURL(/done=members-added/);
    expect(await page.getByRole('status').first().textContent()).to.contain('Members added');
    await expectAccessible(page, 'list with members');

    await page.getByRole('link', { name: 'Sharing' }).click();
    await page.getByLabel('Find a colleague by name or e-mail').fill('ada');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForLoadState('load');
    await expectAccessible(page, 'sharing with a search');
    await page.getByLabel(/Ada Lovelace/).check();
    await page.getByRole('button', { name: 'Save sharing' }).click();
    await page.waitForURL(/done=shared/);

    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    await page.getByRole('link', { name: 'Add a list…' }).click();
    await expectAccessible(page, 'add a list, choice');
    await page.getByRole('button', { name: 'See what it adds' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#preview').textContent()).to.contain('2 will be added');
    await expectAccessible(page, 'add a list, preview');
    await page.getByRole('button', { name: 'Add 2 candidates' }).click();
    await page.waitForURL(/done=list-added/);
    await expectAccessible(page, 'candidates after adding a list');
    await page.goto(`${world.url}/app/lists`);
    await page.getByRole('link', { name: 'Lab group A' }).click();
    await page.getByRole('link', { name: 'Delete…' }).click();
    await expectAccessible(page, 'delete confirmation');
    await page.close();
  });

  it('when the colleague opens the shared list and the admin opens Lists, then the read-only page and the admin index pass', async () => {
    const page = await launchAs('teacher-2', 'Ada Lovelace');
    await page.goto(`${world.url}/app/lists`);
    await expectAccessible(page, 'lists index, shared with me');
    await page.getByRole('link', { name: 'Lab group A' }).click();
    expect(await page.locator('#read-only').textContent()).to.contain('only its owner, Grace Hopper, can change it');
    await expectAccessible(page, 'shared list, read only');
    await page.close();

    const admin = await context.newPage();
    await admin.goto(`${world.url}/institution`);
    await admin.getByLabel('Username').fill('exam-office');
    await admin.getByLabel('Password').fill(ADMIN_PASSWORD);
    await admin.getByRole('button', { name: 'Sign in' }).click();
    await admin.waitForURL(/\/institution\/users$/);
    await admin.getByRole('link', { name: 'Lists', exact: true }).click();
    await admin.waitForURL(/\/institution\/lists$/);
    expect(await admin.content()).to.contain('Other lists of this platform');
    await expectAccessible(admin, 'institution lists');
    await admin.close();
  });
});
