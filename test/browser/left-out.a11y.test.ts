import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { buildLearners, settledSync } from '../support/roster.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser } from './support/chromium.js';

const COURSE = { id: 'a11y-left-out-course', title: 'Geology' };

describe('accessibility of the left-out members on the candidates page (axe-core in Chromium)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    world = await startWorld();
    chromium = await launchChromium();
  });
  beforeEach(async () => {
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(() => context.close());
  after(() => chromium?.close());

  it('when the test is full, then the left-out list, a refused replacement and a done one pass', async () => {
    world.lms.setRoster(COURSE.id, []);
    const teacher = await instructorOf(world, COURSE);
    const examId = await createExam(teacher, { title: 'Geology final' });
    await settledSync(world, examId);
    // A cap of 2 (1500 in production) keeps the course small.
    await world.examgate.sequelize.query('UPDATE exams SET max_candidates = 2 WHERE id = :examId', { replacements: { examId } });
    world.lms.setRoster(COURSE.id, buildLearners(4));
    await launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'a11y-geo', name: 'Marie Tharp' },
      roles: [ROLE_INSTRUCTOR],
      context: COURSE,
    });
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    await page.getByRole('button', { name: 'Sync now' }).click();
    await settledSync(world, examId);
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    const section = page.getByRole('region', { name: 'Left out because the test is full' });
    expect(await section.getByRole('row').count()).to.equal(3);
    await expectAccessible(page, 'candidates page with members left out');

    const row = section.getByRole('row').filter({ hasText: 'u-4' });
    await row.getByLabel('In place of candidate ID').fill('nobody');
    await row.getByRole('button', { name: 'Add Learner 4 in their place' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('alert').textContent()).to.contain('is not the candidate ID of an active candidate');
    await expectAccessible(page, 'left-out member with a refused replacement');

    const again = page.getByRole('region', { name: 'Left out because the test is full' }).getByRole('row').filter({ hasText: 'u-4' });
    await again.getByLabel('In place of candidate ID').fill('u-1');
    await again.getByRole('button', { name: 'Add Learner 4 in their place' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#candidate-count').textContent()).to.equal('2 of 2');
    expect(await page.getByRole('region', { name: 'Left out because the test is full' }).getByRole('row').count()).to.equal(2);
    await expectAccessible(page, 'candidates page after adding a left-out member');
  });
});
