import { expect } from 'chai';
import { expectAccessible } from './support/axe.js';
import { instructorOnNewTest } from './support/instructor-page.js';

const COURSE = { id: 'a11y-import-course', title: 'Astronomy' };
const FILE = 'Candidate ID;Extra time\r\nØdegård;10\r\nMüller;abc\r\n=1+2;0\r\nØdegård;5\r\n';

describe('accessibility of the CSV import pages: preview, report, refused upload (axe-core in Chromium)', function () {
  this.timeout(90_000);
  const on = instructorOnNewTest(COURSE, 'Stars', 'Caroline Herschel');

  const oneTime = () => on.page.getByRole('region', { name: 'One-time users' });
  const upload = async (name: string, content: string, lands: RegExp) => {
    await on.page.goto(`${on.world.url}/app/exams/${on.examId}/candidates`);
    await oneTime()
      .getByLabel('CSV file')
      .setInputFiles({ name, mimeType: 'text/csv', buffer: Buffer.from(content, 'utf8') });
    await oneTime().getByRole('button', { name: 'Upload and preview' }).click();
    await on.page.waitForURL(lands);
    await on.page.waitForLoadState('load');
  };

  it('when a file is uploaded, then its preview (rejections, cap line) and then its report pass', async () => {
    await upload('room-1.csv', FILE, /\/one-time\/imports\/[0-9a-f-]{36}$/);
    expect(await on.page.getByRole('heading', { level: 1 }).textContent()).to.equal('Import preview: room-1.csv');
    expect(await on.page.title()).to.equal('Import preview · Stars · examgate');
    expect(await on.page.locator('#import-cap').textContent()).to.contain('2 of 1500 after this import');
    expect(await on.page.locator('#rejected tbody tr').count()).to.equal(2);
    await expectAccessible(on.page, 'import preview with rejected rows');
    await on.page.getByRole('button', { name: 'Import 2 rows' }).click();
    await on.page.waitForURL(/done=committed/);
    expect(await on.page.getByRole('status').textContent()).to.contain('Imported: 2 added, 0 updated, 0 unchanged, 2 rejected.');
    await expectAccessible(on.page, 'import report');
  });

  it('when a file cannot be read, then the candidates page shows the error summary at the file field and passes', async () => {
    await upload('no-header.csv', 'A1;5\r\nA2;0\r\n', /\/one-time\/import$/);
    expect(await on.page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await on.page.getByRole('alert').textContent()).to.contain('Header missing: line 1 should name the columns');
    expect(await oneTime().getByLabel('CSV file').getAttribute('aria-invalid')).to.equal('true');
    await expectAccessible(on.page, 'import refused: header missing');
  });
});
