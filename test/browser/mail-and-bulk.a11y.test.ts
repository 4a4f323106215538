import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { unitOfWorkRunner } from '../../src/db/unit-of-work.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, ADMIN_PASSWORD, platformIdOf, userInput } from '../support/institution.js';
import { TestSmtpServer } from '../support/smtp.js';
import { QueryTypes } from 'sequelize';
import { deflateSync, crc32 } from 'node:zlib';
import { writeZip } from '../support/zip-writer.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium } from './support/chromium.js';

/** A real 2×2 PNG (so the browser draws it): signature, IHDR, one IDAT, IEND. */
function tinyPng(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body) >>> 0);
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(2, 0);
  header.writeUInt32BE(2, 4);
  header.writeUInt8(8, 8);
  header.writeUInt8(2, 9);
  const pixels = Buffer.from([0, 200, 0, 0, 0, 0, 200, 0, 0, 0, 0, 200, 0, 0, 0, 200, 200, 200]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(pixels)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

describe('accessibility of the e-mail pages, password reset and bulk upload (axe-core in Chromium)', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let smtp: TestSmtpServer;
  let platformId: string;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    smtp = await TestSmtpServer.start();
    world = await startWorld();
    platformId = await platformIdOf(world);
    await adminAccount(world, platformId);
    chromium = await launchChromium();
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });
  after(async () => {
    await context?.close();
    await chromium?.close();
    await smtp?.down();
  });

  it('when an installation admin saves SMTP settings without a host and then with one, then the error summary takes focus, then the page says saved, and each passes', async () => {
    await page.goto(`${world.url}/admin`);
    await page.getByLabel('Admin token').fill(world.adminToken);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${world.url}/admin`);
    await page.goto(`${world.url}/admin/mail`);
    await expectAccessible(page, 'SMTP settings');

    await page.getByLabel('Sender address').fill('exams@uni.example');
    await page.getByRole('button', { name: 'Save the e-mail settings' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.locator('#error-summary').textContent()).to.contain('Enter the SMTP server’s host name');
    expect(await page.locator('#host').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.locator('#host').getAttribute('aria-describedby')).to.equal('host-hint host-error');
    await expectAccessible(page, 'SMTP settings refused');

    await page.getByLabel('Server (host name)').fill('127.0.0.1');
    await page.getByLabel('Security').selectOption('none');
    await page.getByLabel(/^Port/).fill(String(smtp.port));
    await page.getByLabel('Sender address').fill('exams@uni.example');
    await page.getByRole('button', { name: 'Save the e-mail settings' }).click();
    await page.waitForURL(/done=saved/);
    expect(await page.locator('#done-message').textContent()).to.contain('The e-mail settings are saved');
    expect((await world.examgate.mail.mailSettings.inForce()).source).to.equal('page');
    await expectAccessible(page, 'SMTP settings saved');
  });

  it('when an institution admin opens the e-mail status page with one queued message, then it lists the message and passes', async () => {
    const { user } = await world.examgate.permanentUsers.create(
      platformId,
      userInput('anna.berg', { email: 'anna@uni.example' }),
      { kind: 'chosen', password: 'Anna-Pass1' },
      TEST_SETUP,
    );
    await unitOfWorkRunner(world.examgate.sequelize)((unit) =>
      world.examgate.mail.registrationDetails.queueRegistrationDetailsIn(unit, platformId, [
        { userId: user.id, username: user.username, email: user.email, password: 'Anna-Pass1' },
      ]),
    );
    await page.goto(`${world.url}/institution`);
    await page.getByLabel('Username').fill('exam-office');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/institution\/users$/);
    await page.goto(`${world.url}/institution/mail`);
    expect(await page.locator('#mail-count').textContent()).to.contain('1 message');
    expect(await page.locator('tbody tr').first().textContent()).to.contain('anna@uni.example');
    await expectAccessible(page, 'institution e-mail status');
  });

  it('when someone asks for a reset without a username, then with one, and opens a bad reset link, then each page says what happened and passes', async () => {
    const visitor = await context.newPage();
    await visitor.goto(`${world.url}/login/forgot`);
    await expectAccessible(visitor, 'forgot password');
    await visitor.getByRole('button', { name: 'Send me a link' }).click();
    await visitor.waitForLoadState('load');
    expect(await visitor.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await visitor.locator('#error-summary').textContent()).to.contain('Enter your username');
    await expectAccessible(visitor, 'forgot password refused');
    await visitor.getByLabel('Username').fill('anna.berg');
    await visitor.getByRole('button', { name: 'Send me a link' }).click();
    await visitor.waitForLoadState('load');
    expect(await visitor.getByRole('status').first().textContent()).to.contain(
      'a message with a link to choose a new password is on its way',
    );
    await expectAccessible(visitor, 'forgot password sent');

    const refused = await visitor.goto(`${world.url}/login/reset/not-a-real-token`);
    expect(refused?.status()).to.equal(410);
    expect(await visitor.getByRole('heading', { level: 1 }).textContent()).to.equal('This link does not work any more');
    await expectAccessible(visitor, 'reset link refused');
    await visitor.close();
  });

  it('when the institution admin uploads without a file and then a small CSV, then the error summary takes focus, the preview counts the rows, and form, preview and hashing page pass', async () => {
    await page.goto(`${world.url}/institution/users/upload`);
    await expectAccessible(page, 'bulk upload form');
    await page.getByRole('button', { name: 'Upload and preview' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.locator('#file').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.locator('#file').getAttribute('aria-describedby')).to.equal('file-hint file-error');
    expect(await page.locator('#error-summary').textContent()).to.contain('Choose a .csv or .zip file to import.');
    await expectAccessible(page, 'bulk upload refused');
    await page.getByLabel('CSV or ZIP file').setInputFiles({
      name: 'users.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Username,First Name,Last Name,Email\nbo.lund,Bo,Lund,bo@uni.example\ncarl.ek,Carl,Ek,\n', 'utf8'),
    });
    await page.getByRole('button', { name: 'Upload and preview' }).click();
    await page.waitForURL(/\/institution\/users\/upload\/[^/]+\/imports\//);
    expect(await page.getByRole('button', { name: /^Import 2 rows/ }).count()).to.equal(1);
    await expectAccessible(page, 'bulk upload preview');

    await page.goto(`${world.url}/institution/users/upload/hashing`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Password hashing');
    await expectAccessible(page, 'password hashing');
  });

  it('when the institution admin uploads a ZIP with photos, then the preview lists each photo with its outcome, and it and the user page with the photo pass', async () => {
    await page.goto(`${world.url}/institution/users/upload`);
    await page.getByLabel('CSV or ZIP file').setInputFiles({
      name: 'users.zip',
      mimeType: 'application/zip',
      buffer: writeZip([
        { name: 'users.csv', data: 'Username,First Name,Last Name\nfrida.holm,Frida,Holm\ngustav.ek,Gustav,Ek\n' },
        { name: 'photos/frida.holm.png', data: tinyPng() },
        { name: 'photos/gustav.ek.jpg', data: Buffer.from('not a photo at all') },
        { name: 'photos/nobody.png', data: tinyPng() },
      ]),
    });
    await page.getByRole('button', { name: 'Upload and preview' }).click();
    await page.waitForURL(/\/institution\/users\/upload\/[^/]+\/imports\//);
    expect(await page.locator('#attachment-counts').textContent())
      .to.contain('Photos to store: 1')
      .and.contain('Files refused: 1');
    expect(await page.locator('#attachments tbody tr').count()).to.equal(4);
    await expectAccessible(page, 'bulk upload preview with photos');

    await page.getByRole('button', { name: /^Import 2 rows/ }).click();
    await page.waitForURL(/done=committed/);
    const [frida] = await world.examgate.sequelize.query<{ id: string }>("SELECT id FROM permanent_users WHERE username = 'frida.holm'", {
      type: QueryTypes.SELECT,
    });
    await page.goto(`${world.url}/institution/users/${frida!.id}`);
    const shown = page.getByRole('img', { name: 'Photo of Frida Holm' });
    await shown.waitFor();
    expect(await shown.evaluate((img) => (img as HTMLImageElement).naturalWidth)).to.equal(2);
    await expectAccessible(page, 'permanent user with a photo');
  });
});
