import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { SimulatedLms } from '../../src/lms-sim/index.js';
import { throttleRules } from '../../src/throttle/throttle-rules.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { removePlatformsOf } from '../support/registration.js';
import { preloadThrottle } from '../support/throttle-counters.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium } from './support/chromium.js';

describe('accessibility of registration URLs, dynamic registration, the admin History and the throttled page (axe-core in Chromium)', function () {
  this.timeout(90_000);
  let world: TestWorld;
  let dynamicLms: SimulatedLms;
  let chromium: Browser;
  let page: Page;

  before(async () => {
    world = await startWorld();
    dynamicLms = await SimulatedLms.start({ clientId: 'a11y-dynamic-client', deploymentId: 'a11y-dynamic-deployment' });
    chromium = await launchChromium();
    page = await (await chromium.newContext()).newPage();
    page.setDefaultTimeout(10_000);
    await page.goto(`${world.url}/admin`);
    await page.getByLabel('Admin token').fill(world.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${world.url}/admin`);
  });
  after(async () => {
    await chromium?.close();
    await removePlatformsOf(world, dynamicLms.issuer);
    await dynamicLms.close();
  });

  const heading = () => page.getByRole('heading', { level: 1 }).textContent();
  const createRegistrationUrl = async (hours: string) => {
    await page.getByLabel('Valid for (hours)').fill(hours);
    await page.getByRole('button', { name: 'Create registration URL' }).click();
    await page.waitForLoadState('load');
  };

  it('when an admin creates a registration URL, first for too long, then the form with its error and the one-time URL pass', async () => {
    await createRegistrationUrl('100000');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.getByLabel('Valid for (hours)').getAttribute('aria-invalid')).to.equal('true');
    await expectAccessible(page, 'registration URL form with an error');
    await createRegistrationUrl('2');
    expect(await page.getByRole('status').textContent()).to.contain('shown only this once');
    expect(await page.getByLabel('New registration URL').inputValue()).to.match(/\/lti\/register\/[A-Za-z0-9_-]{43}$/);
    expect(await page.title()).to.equal('Platforms · Administration · examgate');
    await expectAccessible(page, 'admin page showing a new registration URL');
  });

  it('when an admin revokes a registration URL, then the list of URLs and the result pass', async () => {
    await page.goto(`${world.url}/admin`);
    await expectAccessible(page, 'list of registration URLs');
    await page
      .getByRole('button', { name: /^Revoke the registration URL created/ })
      .first()
      .click();
    await page.waitForURL(`${world.url}/admin?done=revoked#registration-urls`);
    expect(await page.getByRole('status').textContent()).to.match(/revoked/i);
    await expectAccessible(page, 'admin page after a revocation');
  });

  it('when an LMS registers through a registration URL, then the result page, the pending platform and its approval pass', async () => {
    const { url } = await world.examgate.registrationUrls.create();
    const lmsAdmin = await (await chromium.newContext()).newPage();
    try {
      await lmsAdmin.goto(dynamicLms.registrationInitiationUrl(url));
      expect(await lmsAdmin.getByRole('status').textContent()).to.equal('examgate is registered with your LMS.');
      expect(await lmsAdmin.title()).to.equal('Registered · examgate');
      await expectAccessible(lmsAdmin, 'dynamic registration result');

      const reused = await lmsAdmin.goto(dynamicLms.registrationInitiationUrl(url));
      expect(reused?.status()).to.equal(403);
      await expectAccessible(lmsAdmin, 'registration URL used twice');
      const unknown = await lmsAdmin.goto(dynamicLms.registrationInitiationUrl(`${world.url}/lti/register/${'x'.repeat(43)}`));
      expect(unknown?.status()).to.equal(403);
      expect(await lmsAdmin.title()).to.match(/ · examgate$/);
      await expectAccessible(lmsAdmin, 'unknown registration URL');
    } finally {
      await lmsAdmin.context().close();
    }

    await page.goto(`${world.url}/admin`);
    const approve = page.getByRole('button', { name: /^Approve platform / });
    expect(await approve.count()).to.equal(1);
    await expectAccessible(page, 'admin page with a pending platform');
    await approve.click();
    await page.waitForURL(/\/admin\?done=platform-approved/);
    expect(await page.getByRole('status').textContent()).to.match(/approved/i);
    await expectAccessible(page, 'admin page after approving a platform');
  });

  it('when an admin reads the History, unfiltered and filtered, then both pages pass', async () => {
    await page.getByRole('link', { name: 'History of changes to platforms, deployments and settings' }).click();
    await page.waitForLoadState('load');
    expect(await heading()).to.equal('History of platforms and deployments');
    expect(await page.title()).to.equal('History · Administration · examgate');
    expect(await page.locator('tbody tr').count()).to.be.greaterThan(1);
    await expectAccessible(page, 'admin History');
    await page.getByLabel('Show').selectOption('platform');
    await page.getByLabel('Platform').selectOption({ label: (await world.examgate.platforms.list())[0]!.name });
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.waitForURL(/entity=platform&platform=/);
    expect(await page.locator('tbody tr').count()).to.be.greaterThan(0);
    await expectAccessible(page, 'admin History filtered');
  });

  it('when an address fails to sign in as often as allowed, then the throttled page passes', async () => {
    const rule = throttleRules(world.config).adminSignIn.failuresPerAddress!;
    await preloadThrottle(world, rule, '127.0.0.1', rule.limit);
    const stranger = await (await chromium.newContext()).newPage();
    try {
      await stranger.goto(`${world.url}/admin`);
      await stranger.getByLabel('Admin token').fill('not-the-token');
      const [response] = await Promise.all([
        stranger.waitForResponse((r) => r.url() === `${world.url}/admin/sign-in`),
        stranger.getByRole('button', { name: 'Sign in' }).click(),
      ]);
      await stranger.waitForLoadState('load');
      expect(response.status()).to.equal(429);
      expect(await stranger.getByRole('heading', { level: 1 }).textContent()).to.equal('Too many attempts');
      expect(await stranger.title()).to.equal('Too many attempts · examgate');
      await expectAccessible(stranger, 'throttled page');
    } finally {
      await stranger.context().close();
    }
  });
});
