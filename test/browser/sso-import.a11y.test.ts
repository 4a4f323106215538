import { expect } from 'chai';
import { expectAccessible } from './support/axe.js';
import { instructorOnNewTest } from './support/instructor-page.js';

const COURSE = { id: 'a11y-sso-course', title: 'Botany' };
const csv = (text: string) => ({ name: 'sso.csv', mimeType: 'text/csv', buffer: Buffer.from(text, 'utf8') });

describe('accessibility of CSV import (SSO) on the candidates page (axe-core in Chromium)', function () {
  this.timeout(90_000);
  const on = instructorOnNewTest(COURSE, 'Leaves', 'Carl Linnaeus');

  const sso = () => on.page.getByRole('region', { name: 'CSV import (SSO)' });

  it('when a file without a header is uploaded, then the error summary takes focus and links to the file field, and the page passes', async () => {
    await on.page.goto(`${on.world.url}/app/exams/${on.examId}/candidates`);
    await expectAccessible(on.page, 'candidates page with the SSO import form');
    await sso().getByLabel('CSV file').setInputFiles(csv('L-1,leaf-1,0\n'));
    await sso().getByRole('button', { name: 'Upload and preview' }).click();
    await on.page.waitForLoadState('load');
    expect(await on.page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await on.page.locator('#error-summary a').getAttribute('href')).to.equal('#sso-import-file');
    expect(await sso().getByLabel('CSV file').getAttribute('aria-invalid')).to.equal('true');
    await expectAccessible(on.page, 'SSO upload refused');
  });

  it('when a file is previewed and committed, then the preview, the report and the list with SSO user IDs pass', async () => {
    await on.page.goto(`${on.world.url}/app/exams/${on.examId}/candidates`);
    await sso().getByLabel('Authentication type').selectOption('lms');
    await sso()
      .getByLabel('CSV file')
      .setInputFiles(csv('Candidate ID,SSO user ID,extra time,Building name,Room name\nL-1,leaf-1,10,,R1\nL-2,leaf-1,0,,\n'));
    await sso().getByRole('button', { name: 'Upload and preview' }).click();
    await on.page.waitForURL(/\/candidates\/sso\/lms\/imports\//);
    expect(await on.page.locator('#import-counts').textContent()).to.contain('1 to add');
    await expectAccessible(on.page, 'SSO import preview');
    await on.page.getByRole('button', { name: 'Import 1 row' }).click();
    await on.page.waitForURL(/done=committed/);
    expect(await on.page.getByRole('status').first().textContent()).to.contain('Imported: 1 added');
    await expectAccessible(on.page, 'SSO import report');
    await on.page.goto(`${on.world.url}/app/exams/${on.examId}/candidates?source=sso`);
    expect(await on.page.locator('[data-sso-user]').textContent()).to.equal('leaf-1');
    await expectAccessible(on.page, 'candidates list with an SSO candidate');
  });
});
