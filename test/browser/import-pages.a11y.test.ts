import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser } from './support/chromium.js';

const COURSE = { id: 'a11y-import-course', title: 'Astronomy' };
const FILE = 'Candidate ID;Extra time\r\nØdegård;10\r\nMüller;abc\r\n=1+2;0\r\nØdegård;5\r\n';

describe('accessibility of the CSV import pages: preview, report, refused upload (axe-core in Chromium)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;
  let examId = '';

  before(async () => {
    world = await startWorld();
    world.lms.setRoster(COURSE.id, []);
    examId = await createExam(await instructorOf(world, COURSE), { title: 'Stars' });
    chromium = await launchChromium();
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
    await launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'teacher-1', name: 'Caroline Herschel' },
      roles: [ROLE_INSTRUCTOR],
      context: COURSE,
    });
  });
  after(async () => {
    await context?.close();
    await chromium?.close();
  });

  const oneTime = () => page.getByRole('region', { name: 'One-time users' });
  const upload = async (name: string, content: string) => {
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    await oneTime()
      .getByLabel('CSV file')
      .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });
    await oneTime().getByRole('button', { name: 'Upload and preview' }).click();
    await page.waitForLoadState('load');
  };

  it('when a file is uploaded, then its preview (rejections, cap line) and then its report pass', async () => {
    await upload('room-1.csv', FILE);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Import preview: room-1.csv');
    expect(await page.title()).to.equal('Import preview · Stars · examgate');
    expect(await page.locator('#import-cap').textContent()).to.contain('2 of 1500 after this import');
    expect(await page.locator('#rejected tbody tr').count()).to.equal(2);
    await expectAccessible(page, 'import preview with rejected rows');
    await page.getByRole('button', { name: 'Import 2 rows' }).click();
    await page.waitForURL(/done=committed/);
    expect(await page.getByRole('status').textContent()).to.contain('Imported: 2 added, 0 updated, 0 unchanged, 2 rejected.');
    await expectAccessible(page, 'import report');
  });

  it('when a file cannot be read, then the candidates page shows the error summary at the file field and passes', async () => {
    await upload('no-header.csv', 'A1;5\r\nA2;0\r\n');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.getByRole('alert').textContent()).to.contain('Header missing: line 1 should name the columns');
    expect(await oneTime().getByLabel('CSV file').getAttribute('aria-invalid')).to.equal('true');
    await expectAccessible(page, 'import refused: header missing');
  });
});
