import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR, type LaunchRequest } from '../../src/lms-sim/index.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { buildLearners, settledSync } from '../support/roster.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser, withScriptsOff } from './support/chromium.js';

const ROLE_INSTITUTION_ADMIN = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator';
const COURSE = { id: 'a11y-staff-course', title: 'Biology' };

describe('accessibility of the staff pages: landings, tests, candidates, deep linking (axe-core in Chromium)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;
  let examId = '';

  before(async () => {
    world = await startWorld();
    world.lms.setRoster(COURSE.id, buildLearners(3));
    chromium = await launchChromium();
  });
  beforeEach(async () => {
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(() => context.close());
  after(() => chromium?.close());

  const launch = (request: Partial<LaunchRequest>) =>
    launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'a11y-teacher', name: 'Rosalind Franklin' },
      roles: [ROLE_INSTRUCTOR],
      ...request,
    });
  const heading = () => page.getByRole('heading', { level: 1 }).textContent();

  it('when staff or an administrator launch from outside a course, then their landing pages pass', async () => {
    await launch({ context: null, resourceLink: { id: 'a11y-no-course', title: 'Lab safety' } });
    expect(await page.locator('main').innerText()).to.contain('open examgate from inside a course');
    expect(await page.title()).to.equal('Signed in · Lab safety · examgate');
    await expectAccessible(page, 'staff landing');
    await launch({ context: null, roles: [ROLE_INSTITUTION_ADMIN], resourceLink: { id: 'a11y-admin-link' } });
    expect(await heading()).to.equal('examgate administration');
    expect(await page.title()).to.equal('Administration · examgate');
    await expectAccessible(page, 'admin landing');
  });

  it('when an instructor creates a test, first with a wrong time zone, then the list, the form with its error and the test pass', async () => {
    // The launch's link leads to no test yet: the instructor is asked to choose one, and can go to the course's tests.
    await launch({ context: COURSE });
    expect(await heading()).to.equal('Choose the test for this link');
    expect(await page.title()).to.equal('Choose the test for this link · examgate');
    await expectAccessible(page, 'choosing the test of a link, in a course with no tests');
    await page.getByRole('navigation').getByRole('link', { name: 'Tests' }).click();
    await page.waitForURL(`${world.url}/app/exams`);
    expect(await heading()).to.equal('Tests in Biology');
    expect(await page.title()).to.equal('Tests · Biology · examgate');
    await expectAccessible(page, 'empty tests list');
    await page.getByRole('link', { name: 'New test' }).click();
    await page.waitForLoadState('load');
    expect(await page.title()).to.equal('New test · examgate');
    await expectAccessible(page, 'new test form');
    await page.getByLabel('Title').fill('Biology midterm');
    await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState('load');
    // The admin forms' pattern: the summary takes focus and links to the field, which says it is invalid and why.
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.locator('#error-summary a').getAttribute('href')).to.equal('#timeZone');
    expect(await page.getByLabel('Time zone').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.getByLabel('Time zone').getAttribute('aria-describedby')).to.equal('timeZone-hint timeZone-error');
    await expectAccessible(page, 'new test form with an error');
    await page.getByLabel('Time zone').fill('Europe/Oslo');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/app\/exams\/[0-9a-f-]{36}\?done=created$/);
    examId = new URL(page.url()).pathname.split('/').pop()!;
    expect(await heading()).to.equal('Biology midterm');
    expect(await page.title()).to.equal('Biology midterm · examgate');
    await expectAccessible(page, 'draft test');
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.waitForLoadState('load');
    await expectAccessible(page, 'active test');
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.waitForLoadState('load');
    expect(await page.title()).to.equal('Edit test · Biology midterm · examgate');
    await expectAccessible(page, 'edit test form');
    await page.goto(`${world.url}/app/exams`);
    await expectAccessible(page, 'tests list with a test');
  });

  it('when an instructor manages candidates, with refusals on adding and editing, then the list and edit pages pass', async () => {
    await launch({ context: COURSE });
    await settledSync(world, examId);
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    expect(await heading()).to.equal('Candidates');
    expect(await page.title()).to.equal('Candidates · Biology midterm · examgate');
    await expectAccessible(page, 'candidates list');

    // The form for a candidate by hand; the one-time users' forms have a Candidate ID of their own.
    const addForm = page.getByRole('region', { name: 'Add a candidate' });
    await addForm.getByLabel('Candidate ID').fill('u-1');
    await addForm.getByRole('button', { name: 'Add' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('alert').count()).to.be.greaterThan(0);
    await expectAccessible(page, 'candidates list with a refused addition');

    await page.getByRole('link', { name: 'Edit u-2' }).click();
    await page.waitForLoadState('load');
    expect(await heading()).to.equal('Edit candidate');
    expect(await page.title()).to.equal('Edit candidate u-2 · Biology midterm · examgate');
    await expectAccessible(page, 'candidate edit');
    await page.getByLabel('Candidate ID').fill('u-1');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('alert').count()).to.be.greaterThan(0);
    await expectAccessible(page, 'candidate edit with an error');
  });

  it('when a roster sync fails, then the candidates page showing the failure passes', async () => {
    await launch({ context: COURSE });
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    world.lms.failNrps(500);
    try {
      await page.getByRole('button', { name: 'Sync now' }).click();
      await settledSync(world, examId);
    } finally {
      world.lms.failNrps(null);
    }
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    expect(await page.getByRole('alert').textContent()).to.contain('The last roster sync failed');
    await expectAccessible(page, 'candidates list after a failed sync');
  });

  it('when staff open the History of a test with changes in it, then the History page passes', async () => {
    await launch({ context: COURSE });
    await page.goto(`${world.url}/app/exams/${examId}`);
    await page.getByRole('link', { name: 'History' }).click();
    await page.waitForURL(`${world.url}/app/exams/${examId}/history`);
    expect(await heading()).to.equal('History');
    expect(await page.title()).to.equal('History · Biology midterm · examgate');
    expect(await page.locator('tbody tr').count()).to.be.greaterThan(1);
    await expectAccessible(page, 'History of a test');
  });

  it('when an instructor places a test by deep linking, then the picker, its error and the return page pass', async () => {
    const deepLink = { context: COURSE, messageType: 'LtiDeepLinkingRequest' as const, resourceLink: null };
    await launch(deepLink);
    expect(await heading()).to.equal('Place a test in your course');
    expect(await page.title()).to.equal('Place a test · Biology · examgate');
    await expectAccessible(page, 'deep-linking picker');
    expect(await page.getByLabel('Time zone').inputValue(), "the platform's default zone").to.equal('UTC');
    await page.getByLabel('Title').fill('   ');
    await page.getByLabel('Duration (minutes)').fill('45');
    await page.getByRole('button', { name: 'Create and place' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.getByLabel('Title').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.getByLabel('Duration (minutes)').inputValue(), 'what was typed is kept').to.equal('45');
    await expectAccessible(page, 'deep-linking picker with an error');
    // The return page posts itself to the LMS at once; without scripts it waits with its button.
    await withScriptsOff(page, () => page.getByRole('button', { name: 'Place this test' }).click());
    expect(await heading()).to.equal('Returning to your course');
    await expectAccessible(page, 'deep-linking return');
  });

  it('when an instructor gives an unplaced link its test, first with a wrong zone, then the choice, its error and the placed test pass', async () => {
    await launch({ context: COURSE, resourceLink: { id: 'a11y-unplaced-staff', title: 'Week 5 quiz' } });
    expect(await heading()).to.equal('Choose the test for this link');
    expect(await page.title()).to.equal('Choose the test for this link · Week 5 quiz · examgate');
    expect(await page.getByRole('radio').count(), "the course's tests are offered").to.be.greaterThan(0);
    await expectAccessible(page, "choosing the test of a link among the course's tests");
    await page.getByLabel('Title').fill('Week 5 quiz');
    await page.getByLabel('Time zone').fill('Mars/Olympus_Mons');
    await page.getByRole('button', { name: 'Create the test for this link' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.locator('#error-summary a').getAttribute('href')).to.equal('#timeZone');
    expect(await page.getByLabel('Time zone').getAttribute('aria-describedby')).to.equal('timeZone-hint timeZone-error');
    await expectAccessible(page, 'choosing the test of a link, with an error');
    await page.getByRole('button', { name: 'Use this test for the link' }).click();
    await page.waitForURL(/\/app\/exams\/[0-9a-f-]{36}\?done=placed$/);
    expect(await page.getByRole('status').textContent()).to.contain('The link “Week 5 quiz” now opens this test');
    await expectAccessible(page, 'test page after its link was given it');
  });

  it('when staff open the lobby, then the refusal page passes', async () => {
    await launch({ context: COURSE });
    const refused = await page.goto(`${world.url}/app/lobby`);
    expect(refused?.status()).to.equal(403);
    await expectAccessible(page, 'staff refused from the lobby');
  });
});
