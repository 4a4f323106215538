import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium } from './support/chromium.js';

describe('accessibility of the system settings page (axe-core in Chromium)', function () {
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
  after(async () => {
    await world.examgate.sequelize.query('DELETE FROM system_settings');
    world.examgate.settings.forget();
    await chromium?.close();
  });

  it('when the admin opens the settings from the admin page, then the page with a form per platform passes', async () => {
    await page.getByRole('link', { name: 'System settings' }).click();
    await page.waitForURL(`${world.url}/admin/settings`);
    expect(await page.title()).to.equal('System settings · Administration · examgate');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('System settings');
    // The installation and the world's two platforms.
    expect(await page.getByRole('button', { name: /^Save the settings of/ }).count()).to.equal(3);
    await expectAccessible(page, 'system settings');
  });

  it('when a save is refused, then the error summary takes focus, links to each field, and the page passes', async () => {
    const installation = page.locator('#installation');
    await installation.getByLabel(/^Finish redirect URL/).fill('ftp://files.example');
    await installation.getByLabel(/^Default lifetime of direct links/).fill('0');
    await installation.getByRole('button', { name: 'Save the settings of the installation' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.locator('#error-summary a').count()).to.equal(2);
    expect(await page.locator('#installation-finishRedirectUrl').getAttribute('aria-invalid')).to.equal('true');
    await page.locator('#error-summary a').first().click();
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('installation-finishRedirectUrl');
    await expectAccessible(page, 'system settings with errors');
  });

  it('when a save succeeds, then the status message says so and the page passes', async () => {
    const installation = page.locator('#installation');
    await installation.getByLabel(/^Finish redirect URL/).fill('https://exams.example.edu/done');
    await installation.getByLabel(/^Default lifetime of direct links/).fill('72');
    await installation.getByLabel('Username and password (one-time users)').selectOption('hide');
    await installation.getByRole('button', { name: 'Save the settings of the installation' }).click();
    await page.waitForURL(/\/admin\/settings\?done=saved/);
    expect(await page.getByRole('status').textContent()).to.contain('The settings are saved.');
    expect(await page.locator('#installation-linkLifetimeHours').inputValue()).to.equal('72');
    await expectAccessible(page, 'system settings saved');
  });
});
