import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium } from './support/chromium.js';

describe('accessibility of the SSO settings on /admin (axe-core in Chromium)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let chromium: Browser;
  let page: Page;

  before(async () => {
    world = await startWorld();
    chromium = await launchChromium();
    page = await (await chromium.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${world.url}/admin`);
    await page.getByLabel('Admin token').fill(world.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${world.url}/admin`);
  });
  after(() => chromium?.close());

  it('when an admin registers an SSO setup without a name, then the error summary takes focus and links to the field, and the page passes', async () => {
    const [platform] = await world.examgate.platforms.list();
    const field = page.locator(`#ssoSetup-${platform!.id}`);
    await field.fill(' ');
    await page.getByRole('button', { name: `Register the SSO setup for ${platform!.name}` }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#error-summary').textContent()).to.contain('Give the SSO setup a name of 1 to 200 characters.');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await field.getAttribute('aria-invalid')).to.equal('true');
    expect(await field.getAttribute('aria-describedby')).to.equal(`ssoSetup-${platform!.id}-hint ssoSetup-${platform!.id}-error`);
    await expectAccessible(page, 'admin page with an SSO setup error');
  });

  it('when an admin registers a setup and chooses the e-mail to match on, then the page says so each time and passes', async () => {
    const [platform] = await world.examgate.platforms.list();
    await page.locator(`#ssoSetup-${platform!.id}`).fill('Feide');
    await page.getByRole('button', { name: `Register the SSO setup for ${platform!.name}` }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('status').first().textContent()).to.contain('The SSO setup is registered');
    await page.getByLabel('Match SSO user IDs of this LMS identity on').first().selectOption('email');
    await page.getByRole('button', { name: `Save the SSO matching of ${platform!.name}` }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('status').first().textContent()).to.contain('Saved: SSO user IDs');
    await expectAccessible(page, 'admin page with SSO settings saved');
    await world.examgate.platforms.setSsoMatchField(platform!.id, 'sub', { actor: { kind: 'system' }, via: 'cli' });
  });

  it('when an admin renames the setup and then removes it, then the page says what happened each time and passes', async () => {
    const [platform] = await world.examgate.platforms.list();
    const [feide] = await world.examgate.ssoSetups.list(platform!.id);
    await page.getByLabel('Name of Feide').fill('Feide (staff)');
    await page.getByRole('button', { name: 'Rename the SSO setup Feide' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('status').first().textContent()).to.contain('The SSO setup is renamed');
    expect(await page.locator(`#ssoSetupName-${feide!.id}`).inputValue()).to.equal('Feide (staff)');
    await expectAccessible(page, 'admin page with an SSO setup renamed');
    await page.getByRole('button', { name: 'Remove the SSO setup Feide (staff)' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('status').first().textContent()).to.contain('The SSO setup is removed');
    expect(await page.locator(`#ssoSetupName-${feide!.id}`).count()).to.equal(0);
    await expectAccessible(page, 'admin page with the SSO setup removed');
  });
});
