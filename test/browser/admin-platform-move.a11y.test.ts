import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { SimulatedLms } from '../../src/lms-sim/index.js';
import type { Platform } from '../../src/platforms/platform.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { removePlatformsOf } from '../support/registration.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium } from './support/chromium.js';

describe('accessibility of a platform’s time zone, a second registration of an LMS and the move to it (axe-core in Chromium)', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let oldLms: SimulatedLms;
  let newLms: SimulatedLms;
  let old: Platform;
  let chromium: Browser;
  let page: Page;

  before(async () => {
    world = await startWorld();
    const tool = toolConfiguration(world.url);
    oldLms = await SimulatedLms.start({ clientId: 'a11y-moodle-old', deploymentId: '3' });
    newLms = await SimulatedLms.start({ clientId: 'a11y-moodle-new', deploymentId: '9', issuer: oldLms.issuer });
    for (const lms of [oldLms, newLms]) {
      lms.configureTool({
        loginUrl: tool.loginUrl,
        launchUrl: tool.redirectUrl,
        jwksUrl: tool.jwksUrl,
        deepLinkingUrl: tool.deepLinkingUrl,
      });
    }
    old = await world.examgate.platforms.register({ ...oldLms.registration, name: 'Moodle of last year' }, TEST_SETUP);
    await createExam(await instructorOf(world, { id: 'a11y-move-course' }, { lms: oldLms }), { title: 'Kept test' });
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
    await removePlatformsOf(world, oldLms.issuer);
    await Promise.all([oldLms.close(), newLms.close()]);
  });

  const heading = () => page.getByRole('heading', { level: 1 }).textContent();

  it('when an admin sets a platform’s default time zone, first a wrong one, then the field with its error and the saved page pass', async () => {
    const field = page.getByLabel('Default time zone for new tests').and(page.locator(`#timeZone-${old.id}`));
    await field.fill('Europe/Atlantis');
    await page.getByRole('button', { name: 'Save the default time zone of Moodle of last year' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.locator('#error-summary a').getAttribute('href')).to.equal(`#timeZone-${old.id}`);
    expect(await field.getAttribute('aria-invalid')).to.equal('true');
    await expectAccessible(page, 'platform time zone with an error');
    await field.fill('Europe/Oslo');
    await page.getByRole('button', { name: 'Save the default time zone of Moodle of last year' }).click();
    await page.waitForURL(/\/admin\?done=time-zone/);
    expect(await page.getByRole('status').textContent()).to.contain('The default time zone is saved');
    await expectAccessible(page, 'platforms list after saving a time zone');
  });

  it('when the LMS registers examgate again, then its result page, the admin page’s explanation, the move pages and the moved platform pass', async () => {
    const lmsAdmin = await (await chromium.newContext()).newPage();
    try {
      await lmsAdmin.goto(newLms.registrationInitiationUrl((await world.examgate.registrationUrls.create()).url));
      expect(await lmsAdmin.locator('main').innerText()).to.contain('already had a registration of this LMS');
      await expectAccessible(lmsAdmin, 'dynamic registration result for an LMS registered before');
    } finally {
      await lmsAdmin.context().close();
    }

    await page.goto(`${world.url}/admin`);
    expect(await page.locator('main').innerText()).to.contain('This LMS is registered more than once.');
    expect(await page.getByRole('button', { name: /^Approve as a separate platform/ }).count()).to.equal(1);
    await expectAccessible(page, 'platforms list with a second registration of an LMS');

    await page.getByRole('link', { name: 'Move Moodle of last year to a new registration…' }).click();
    await page.waitForLoadState('load');
    expect(await heading()).to.equal('Move Moodle of last year to a new registration');
    expect(await page.title()).to.equal('Move Moodle of last year to a new registration · Administration · examgate');
    expect(await page.getByRole('radio').count()).to.equal(1);
    await expectAccessible(page, 'choosing the new registration');
    await page.getByRole('button', { name: 'Review the move' }).click();
    await page.waitForLoadState('load');
    expect(await heading()).to.equal('Move Moodle of last year to the new registration?');
    expect(await page.locator('table').innerText()).to.contain('a11y-moodle-new');
    await expectAccessible(page, 'move confirmation');

    const world1 = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!;
    const refused = await page.goto(`${world.url}/admin/platforms/${old.id}/move?to=${world1.id}`);
    expect(refused?.status()).to.equal(409);
    expect(await page.getByRole('alert').textContent()).to.contain('are different LMSs');
    await expectAccessible(page, 'move refused');
    await page.goto(`${world.url}/admin/platforms/${world1.id}/move`);
    expect(await page.locator('main').innerText()).to.contain('No other registration of');
    await expectAccessible(page, 'move with no new registration yet');

    const fresh = (await world.examgate.platforms.findByIssuerAndClientId(newLms.issuer, newLms.clientId))!;
    await page.goto(`${world.url}/admin/platforms/${old.id}/move?to=${fresh.id}`);
    await page.getByRole('button', { name: 'Move Moodle of last year' }).click();
    await page.waitForURL(/\/admin\?done=moved/);
    expect(await page.getByRole('status').textContent()).to.contain('The platform is moved to its new registration');
    await expectAccessible(page, 'platforms list after a move');
    await page.getByRole('link', { name: 'Remove Moodle of last year…' }).click();
    await page.waitForLoadState('load');
    expect(await page.locator('main').innerText()).to.contain('1 course, 1 test, 0 candidates');
    await expectAccessible(page, 'remove confirmation of a platform that holds a test');
  });
});
