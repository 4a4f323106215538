import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR, ROLE_LEARNER, type LaunchRequest } from '../../src/lms-sim/index.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { buildLearners, settledSync } from '../support/roster.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser } from './support/chromium.js';

const COURSE = { id: 'patterns-course', title: 'Chemistry' };
const ISO_UTC = /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/** One test per page pattern of issue 13, walked as an instructor does it, on a laptop-sized window. */
describe('the page patterns: messages, confirmations, closed tests, form errors, times, header (Chromium)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    world = await startWorld();
    world.lms.setRoster(COURSE.id, buildLearners(3));
    chromium = await launchChromium();
  });
  beforeEach(async () => {
    context = await chromium.newContext({ viewport: { width: 1366, height: 768 } });
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(() => context.close());
  after(() => chromium?.close());

  const launch = (request: Partial<LaunchRequest> = {}) =>
    launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'patterns-teacher', name: 'Marie Curie' },
      roles: [ROLE_INSTRUCTOR],
      context: COURSE,
      resourceLink: { id: 'patterns-link', title: 'Chemistry tests' },
      ...request,
    });
  const status = () => page.getByRole('status').textContent();

  /** Creates a test through the form; returns its id. */
  async function newTest(title: string, fill: Record<string, string> = {}): Promise<string> {
    await page.goto(`${world.url}/app/exams/new`);
    await page.getByLabel('Title').fill(title);
    for (const [label, value] of Object.entries(fill)) {
      await page.getByLabel(label, { exact: true }).fill(value);
    }
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL(/\/app\/exams\/[0-9a-f-]{36}\?done=created$/);
    return new URL(page.url()).pathname.split('/').pop()!;
  }

  it('when an instructor creates and activates a test, then each page they land on says what happened, announced', async () => {
    await launch();
    const id = await newTest('Organic chemistry');
    expect(await status()).to.contain('Test created');
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.waitForURL(`${world.url}/app/exams/${id}?done=activated`);
    expect(await status()).to.equal('Test activated: candidates can start it within its window.');
    await expectAccessible(page, 'test page after activation');

    await page.goto(`${world.url}/app/exams/${id}?done=${encodeURIComponent('<b>You won</b>')}`);
    expect(await page.getByRole('status').count(), 'an unknown key shows nothing').to.equal(0);
    expect(await page.content()).not.to.contain('You won');
  });

  it('when an instructor closes a test, then a confirmation says what will be lost, and afterwards no edit is offered', async () => {
    await launch();
    const id = await newTest('Inorganic chemistry');
    await settledSync(world, id);
    await page.getByRole('button', { name: 'Activate' }).click();
    await page.waitForURL(/done=activated/);
    expect(await page.getByRole('link', { name: 'Close…' }).getAttribute('class')).to.contain('danger');

    await page.getByRole('link', { name: 'Close…' }).click();
    await page.waitForURL(`${world.url}/app/exams/${id}/close`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Close Inorganic chemistry?');
    expect(await page.locator('#confirm-losses').innerText()).to.contain('stop 3 candidates from starting the test');
    const danger = page.getByRole('button', { name: 'Close the test' });
    expect(await danger.evaluate((el) => getComputedStyle(el).backgroundColor)).to.equal('rgb(179, 38, 30)');
    await expectAccessible(page, 'close confirmation');

    await page.getByRole('link', { name: 'Keep the test' }).click();
    await page.waitForURL(`${world.url}/app/exams/${id}`);
    expect(await page.locator('.status').textContent(), 'going back changes nothing').to.equal('active');

    await page.getByRole('link', { name: 'Close…' }).click();
    await danger.click();
    await page.waitForURL(`${world.url}/app/exams/${id}?done=closed`);
    expect(await status()).to.contain('Test closed');
    expect(await page.getByRole('link', { name: 'Edit' }).count(), 'a closed test offers no Edit').to.equal(0);
    expect(await page.getByRole('link', { name: 'Close…' }).count()).to.equal(0);
    expect(await page.getByRole('button', { name: 'Activate' }).count()).to.equal(0);
    await expectAccessible(page, 'closed test');

    const edit = await page.goto(`${world.url}/app/exams/${id}/edit`);
    expect(edit?.status()).to.equal(409);
    expect(await page.locator('main').innerText()).to.contain('This test is closed, so its settings can no longer be changed.');
    expect(await page.locator('form').count(), 'no edit form').to.equal(0);
    await expectAccessible(page, 'edit of a closed test refused');
  });

  it('when an instructor deletes a test, then the confirmation counts the candidates it deletes, and the list says it is gone', async () => {
    await launch();
    const id = await newTest('Physical chemistry');
    await settledSync(world, id);
    await page.goto(`${world.url}/app/exams/${id}`);
    await page.getByRole('link', { name: 'Delete…' }).click();
    await page.waitForURL(`${world.url}/app/exams/${id}/delete`);
    expect(await page.locator('#confirm-losses').innerText()).to.contain('delete its 3 candidates, with their attempts and scores');
    await expectAccessible(page, 'delete confirmation');
    await page.getByRole('button', { name: 'Delete the test' }).click();
    await page.waitForURL(`${world.url}/app/exams?done=deleted`);
    expect(await status()).to.contain('Test deleted');
    expect(await page.getByRole('link', { name: 'Physical chemistry' }).count()).to.equal(0);
    await expectAccessible(page, 'tests list after a delete');
  });

  it('when an instructor withdraws a candidate, then a confirmation says what they lose, and the list says it is done', async () => {
    await launch();
    const id = await newTest('Biochemistry');
    await settledSync(world, id);
    await page.goto(`${world.url}/app/exams/${id}/candidates`);
    const sticky = await page
      .locator('.table-scroll thead th')
      .first()
      .evaluate((el) => getComputedStyle(el).position);
    expect(sticky, 'the header stays in view while the list scrolls').to.equal('sticky');
    await expectAccessible(page, 'candidates list, laptop-sized');

    await page.getByRole('link', { name: 'Withdraw… u-1' }).click();
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Withdraw u-1?');
    expect(await page.locator('#confirm-losses').innerText()).to.contain('stop them from starting the test');
    await expectAccessible(page, 'withdraw confirmation');
    await page.getByRole('button', { name: 'Withdraw the candidate' }).click();
    await page.waitForURL(`${world.url}/app/exams/${id}/candidates?done=withdrawn`);
    expect(await status()).to.contain('Candidate withdrawn');
    await page.getByRole('button', { name: 'Restore u-1' }).click();
    await page.waitForURL(/done=restored$/);
    expect(await status()).to.contain('Candidate restored');
  });

  it('when the test form has several errors, then each shows at its field with aria-invalid, all in one summary', async () => {
    await launch();
    await page.goto(`${world.url}/app/exams/new`);
    await page.getByLabel('Title').fill('   ');
    await page.getByLabel('Time zone', { exact: true }).fill('Mars/Olympus_Mons');
    await page.getByLabel('Duration (minutes)').fill('0');
    await page.getByLabel('Delivery URL').fill('javascript:alert(1)');
    // The browser's own checks would stop the post before examgate sees it; examgate must check by itself.
    await page.locator('form[method="post"]').evaluate((form) => form.setAttribute('novalidate', ''));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForLoadState('load');

    const links = await page.locator('#error-summary a').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).to.deep.equal(['#title', '#timeZone', '#durationMinutes', '#deliveryUrl']);
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    for (const field of ['title', 'timeZone', 'durationMinutes', 'deliveryUrl']) {
      const input = page.locator(`#${field}`);
      expect(await input.getAttribute('aria-invalid'), field).to.equal('true');
      expect(await input.getAttribute('aria-describedby'), field).to.contain(`${field}-error`);
      expect(await page.locator(`#${field}-error`).textContent(), field).to.have.length.greaterThan(10);
    }
    expect(await page.locator('#description').getAttribute('aria-invalid'), 'a good field is not marked').to.equal(null);
    expect(await page.getByLabel('Time zone', { exact: true }).inputValue(), 'typed values are kept').to.equal('Mars/Olympus_Mons');
    await expectAccessible(page, 'test form with four errors');
  });

  it('when a test has a window, then every page shows its times in the test’s zone as "Tue 1 Dec 2026, 20:10 (Europe/Oslo)"', async () => {
    await launch();
    const id = await newTest('Analytical chemistry', {
      'Time zone': 'Europe/Oslo',
      'Opens at': '2026-12-01T20:10',
      'Closes at': '2026-12-01T22:40',
    });
    const main = () => page.locator('main').innerText();
    expect(await main())
      .to.contain('Tue 1 Dec 2026, 20:10 (Europe/Oslo)')
      .and.contain('Tue 1 Dec 2026, 22:40 (Europe/Oslo)');
    expect(await main()).not.to.match(ISO_UTC);
    await page.goto(`${world.url}/app/exams`);
    expect(await main()).to.contain('Tue 1 Dec 2026, 20:10 (Europe/Oslo)');
    await page.goto(`${world.url}/app/exams/${id}/history`);
    expect(await main()).to.match(/\w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(Europe\/Oslo\)/);
    expect(await main()).not.to.match(ISO_UTC);
    await settledSync(world, id);
    await page.goto(`${world.url}/app/exams/${id}/candidates`);
    expect(await page.locator('#roster-heading + p').innerText()).to.match(
      /Last synced: \w{3} \d{1,2} \w{3} \d{4}, \d{2}:\d{2} \(Europe\/Oslo\)/,
    );
  });

  it('when staff or a learner is signed in, then the header says who and in which role, and a breadcrumb says where', async () => {
    await launch();
    const id = await newTest('Crystallography');
    expect(await page.locator('#signed-in').innerText()).to.equal('Signed in as Marie Curie, course staff in Chemistry');
    const crumbs = page.getByRole('navigation', { name: 'Breadcrumb' });
    expect(await crumbs.getByRole('link').allTextContents()).to.deep.equal(['Tests']);
    expect(await crumbs.locator('[aria-current="page"]').textContent()).to.equal('Crystallography');
    await page.goto(`${world.url}/app/exams/${id}/candidates`);
    expect(await crumbs.getByRole('link').allTextContents()).to.deep.equal(['Tests', 'Crystallography']);
    expect(await crumbs.locator('[aria-current="page"]').textContent()).to.equal('Candidates');
    expect(await page.title()).to.equal('Candidates · Crystallography · examgate');
    expect(await page.locator('link[rel="icon"]').getAttribute('href')).to.equal('/favicon.ico');

    await launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'patterns-learner', name: 'Lise Meitner' },
      roles: [ROLE_LEARNER],
      context: COURSE,
      resourceLink: { id: 'patterns-link', title: 'Chemistry tests' },
    });
    expect(await page.locator('#signed-in').innerText()).to.equal('Signed in as Lise Meitner, learner in Chemistry');
  });
});
