import { expect } from 'chai';
import { expectAccessible } from './support/axe.js';
import { instructorOnNewTest } from './support/instructor-page.js';

const COURSE = { id: 'a11y-one-time-course', title: 'Geology' };

describe('accessibility of one-time users on the candidates page (axe-core in Chromium)', function () {
  this.timeout(90_000);
  const on = instructorOnNewTest(COURSE, 'Rocks', 'Mary Anning');

  const candidates = () => `${on.world.url}/app/exams/${on.examId}/candidates`;
  const oneTime = () => on.page.getByRole('region', { name: 'One-time users' });

  it('when one-time users are generated in a draft, then the page, a refused addition and its error summary pass', async () => {
    await on.page.goto(candidates());
    await expectAccessible(on.page, 'candidates page with the one-time forms');
    await oneTime().getByLabel('Number of users').fill('3');
    await oneTime().getByRole('button', { name: 'Generate one-time users' }).click();
    await on.page.waitForURL(/done=one-time-generated/);
    expect(await on.page.getByRole('status').textContent()).to.contain('One-time users generated.');
    expect(await on.page.locator('td', { hasText: 'after activation' }).count()).to.equal(3);
    await expectAccessible(on.page, 'one-time users in a draft');

    await oneTime().getByLabel('Candidate ID').fill('C-0002');
    await oneTime().getByRole('button', { name: 'Add one-time user' }).click();
    await on.page.waitForLoadState('load');
    expect(await on.page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await on.page.locator('#error-summary a').getAttribute('href')).to.equal('#one-time-add-candidateId');
    const field = oneTime().getByLabel('Candidate ID');
    expect(await field.getAttribute('aria-invalid')).to.equal('true');
    expect(await field.getAttribute('aria-describedby')).to.equal('one-time-add-candidateId-error');
    await expectAccessible(on.page, 'one-time addition refused');
  });

  it('when the test is active, then the list with usernames and password disclosures, the edit form and the confirmation pass', async () => {
    await on.page.goto(`${on.world.url}/app/exams/${on.examId}`);
    await on.page.getByRole('button', { name: 'Activate' }).click();
    await on.page.waitForLoadState('load');
    await on.page.goto(`${candidates()}?source=one-time`);
    expect(await on.page.locator('[data-username]').count()).to.equal(3);
    await on.page.getByText('Password of C-0001').click();
    expect(await on.page.locator('details[open] [data-password]').textContent()).to.match(/^[a-z2-9]{14}$/);
    await expectAccessible(on.page, 'one-time users with credentials, one password open');

    await on.page.getByRole('link', { name: 'Edit C-0001' }).click();
    await on.page.waitForLoadState('load');
    await on.page.getByLabel('Username').fill('rock#1');
    await on.page.getByRole('button', { name: 'Save username' }).click();
    await on.page.waitForLoadState('load');
    expect(await on.page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await on.page.getByRole('alert').textContent()).to.contain('"#" is not allowed in a username');
    expect(await on.page.getByLabel('Username').getAttribute('aria-describedby')).to.equal('username-hint username-error');
    await expectAccessible(on.page, 'username refused');

    await on.page.getByRole('link', { name: 'Make a new password…' }).click();
    await on.page.waitForLoadState('load');
    expect(await on.page.getByRole('heading', { level: 1 }).textContent()).to.equal('New password for C-0001?');
    await expectAccessible(on.page, 'new password confirmation');
    await on.page.getByRole('button', { name: 'Make a new password' }).click();
    await on.page.waitForURL(/done=password-regenerated/);
    await expectAccessible(on.page, 'after a new password');
  });
});
