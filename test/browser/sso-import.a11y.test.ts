import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser } from './support/chromium.js';

const COURSE = { id: 'a11y-sso-course', title: 'Botany' };
const csv = (text: string) => ({ name: 'sso.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

describe('accessibility of CSV import (SSO) on the candidates page (axe-core in Chromium)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;
  let examId = '';

  before(async () => {
    world = await startWorld();
    world.lms.setRoster(COURSE.id, []);
    examId = await createExam(await instructorOf(world, COURSE), { title: 'Leaves' });
    chromium = await launchChromium();
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'teacher-1', name: 'Carl Linnaeus' },
      roles: [ROLE_INSTRUCTOR],
      context: COURSE,
    });
  });
  after(async () => {
    await context?.close();
    await chromium?.close();
  });

  const sso = () => page.getByRole('region', { name: 'CSV import (SSO)' });

  it('when a file without a header is uploaded, then the error summary takes focus and links to the file field, and the page passes', async () => {
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    await expectAccessible(page, 'candidates page with the SSO import form');
    await sso().getByLabel('CSV file').setInputFiles(csv('L-1,leaf-1,0\n'));
    await sso().getByRole('button', { name: 'Upload and preview' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.locator('#error-summary a').getAttribute('href')).to.equal('#sso-import-file');
    expect(await sso().getByLabel('CSV file').getAttribute('aria-invalid')).to.equal('true');
    await expectAccessible(page, 'SSO upload refused');
  });

  it('when a file is previewed and committed, then the preview, the report and the list with SSO user IDs pass', async () => {
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    await sso().getByLabel('Authentication type').selectOption('lms');
    await sso()
      .getByLabel('CSV file')
      .setInputFiles(csv('Candidate ID,SSO user ID,extra time,Building name,Room name\nL-1,leaf-1,10,,R1\nL-2,leaf-1,0,,\n'));
    await sso().getByRole('button', { name: 'Upload and preview' }).click();
    await page.waitForURL(/\/candidates\/sso\/lms\/imports\//);
    expect(await page.locator('#import-counts').textContent()).to.contain('1 to add');
    await expectAccessible(page, 'SSO import preview');
    await page.getByRole('button', { name: 'Import 1 row' }).click();
    await page.waitForURL(/done=committed/);
    expect(await page.getByRole('status').first().textContent()).to.contain('Imported: 1 added');
    await expectAccessible(page, 'SSO import report');
    await page.goto(`${world.url}/app/exams/${examId}/candidates?source=sso`);
    expect(await page.locator('[data-sso-user]').textContent()).to.equal('leaf-1');
    await expectAccessible(page, 'candidates list with an SSO candidate');
  });
});
