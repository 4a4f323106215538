import path from 'node:path';
import { expect } from 'chai';
import nunjucks from 'nunjucks';
import type { Browser, Page } from 'playwright-core';
import { DatabaseUnavailableError } from '../../src/db/database.js';
import { mapError } from '../../src/web/error-table.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium } from './support/chromium.js';

describe('accessibility of the admin pages, the home page and the 404 page (axe-core in Chromium)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let chromium: Browser;
  let page: Page;

  before(async () => {
    world = await startWorld();
    chromium = await launchChromium();
    page = await (await chromium.newContext()).newPage();
    page.setDefaultTimeout(10_000);
  });
  after(() => chromium?.close());

  it('when someone opens the home page or an address that does not exist, then both pages pass', async () => {
    await page.goto(`${world.url}/`);
    expect(await page.title()).to.equal('examgate');
    await expectAccessible(page, 'home page');
    const missing = await page.goto(`${world.url}/no/such/page`);
    expect(missing?.status()).to.equal(404);
    await expectAccessible(page, '404 page');
  });

  it('when an admin signs in, first with a wrong token, then the sign-in page with and without its error passes', async () => {
    await page.goto(`${world.url}/admin`);
    expect(await page.title()).to.equal('Sign in · Administration · examgate');
    await expectAccessible(page, 'admin sign-in');
    await page.getByLabel('Admin token').fill('not-the-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#error-summary').textContent()).to.contain('That admin token is not correct.');
    await expectAccessible(page, 'admin sign-in with its error');
    await page.getByLabel('Admin token').fill(world.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${world.url}/admin`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('examgate administration');
    expect(await page.title()).to.equal('Platforms · Administration · examgate');
    await expectAccessible(page, 'platforms list');
  });

  it('when a registration is refused, then the register form showing every error passes', async () => {
    await page.getByRole('button', { name: 'Register platform' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('#error-summary').count()).to.equal(1);
    expect(await page.locator('[aria-invalid="true"]').count()).to.be.greaterThan(0);
    await expectAccessible(page, 'register form with errors');
  });

  it('when a platform is registered and then removed, then the status pages and the confirmation pass', async () => {
    await page.getByLabel('Kind of LMS').selectOption('custom');
    await page.getByLabel('Issuer (platform ID)').fill('https://a11y-lms.example');
    await page.getByLabel('Client ID', { exact: true }).fill('a11y-client');
    await page.getByLabel('Deployment IDs').fill('a11y-deployment');
    await page.getByLabel(/^Name/).fill('Accessibility LMS');
    await page.getByLabel('Auth URL (OpenID Connect authorization endpoint)').fill('https://a11y-lms.example/auth');
    await page.getByLabel('Token URL').fill('https://a11y-lms.example/token');
    await page.getByLabel("JWKS URL (the LMS's public keys)").fill('https://a11y-lms.example/jwks');
    await page.getByLabel(/Skip the JWKS check/).check();
    // Registering makes the platform's RSA key pair: slow on a busy machine.
    await page.getByRole('button', { name: 'Register platform' }).click({ timeout: 60_000 });
    await page.waitForURL(`${world.url}/admin?done=registered`, { timeout: 60_000 });
    await expectAccessible(page, 'platforms list after a registration');

    await page.getByRole('link', { name: 'Remove Accessibility LMS…' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Remove Accessibility LMS?');
    expect(await page.title()).to.equal('Remove Accessibility LMS? · Administration · examgate');
    await expectAccessible(page, 'remove confirmation');
    await page.getByRole('button', { name: 'Remove platform' }).click();
    await page.waitForURL(`${world.url}/admin?done=removed`);
    expect(await page.getByRole('status').textContent()).to.match(/removed/i);
    await expectAccessible(page, 'platforms list after a removal');
  });

  it('when the database is out of reach, then the "temporarily unavailable" page (error.njk with the outage mapping) passes', async () => {
    // Producing a real outage needs PostgreSQL behind a cut proxy and a child examgate (reconnect.test.ts proves the
    // 503 and this page's text); here the same template renders what the error handler would give it.
    const outage = mapError(new DatabaseUnavailableError(null, new Error('connection refused')))!;
    expect(outage.status).to.equal(503);
    const views = new nunjucks.Environment(new nunjucks.FileSystemLoader(path.resolve(import.meta.dirname, '..', '..', 'views')), {
      autoescape: true,
    });
    await page.setContent(views.render('error.njk', { title: outage.title, message: outage.message, code: outage.code, status: 503 }));
    expect(await page.title()).to.equal('examgate is temporarily unavailable · examgate');
    expect(await page.getByRole('alert').textContent()).to.contain('Try again in a minute');
    await expectAccessible(page, 'temporarily unavailable page');
  });
});
