import { expect } from 'chai';
import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { commitBulk, hashingDone, uploadBulkFile, usersOf } from '../support/bulk-upload.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { seat, testWithOneTimeUsers } from '../support/handout.js';
import { adminAccount, institutionSignIn, platformIdOf } from '../support/institution.js';
import { writeZip } from '../support/zip-writer.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser } from './support/chromium.js';

type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQR = ((jsQRModule as unknown as { default?: Decode }).default ?? jsQRModule) as unknown as Decode;

/** Pages of a PDF Chromium printed: each page is one `/Type /Page` object (the tree above them is `/Pages`). */
const pagesOf = (pdf: Buffer) => [...pdf.toString('latin1').matchAll(/\/Type\s*\/Page(?![a-z])/g)].length;

describe('Login slips and the invigilator sheet in Chromium: accessible, printed to A4 with every slip in its place, QR codes that scan', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;

  before(async () => {
    world = await startWorld();
    chromium = await launchChromium();
  });
  beforeEach(async () => {
    await resetLaunchState(world);
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(20_000);
  });
  afterEach(() => context.close());
  after(() => chromium?.close());

  /** A test of `count` one-time users, and this Chromium signed in as its instructor. */
  async function staffWithTest(count: number) {
    const made = await testWithOneTimeUsers(world, count);
    await launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'teacher-1', name: 'Grace Hopper' },
      roles: [ROLE_INSTRUCTOR],
      context: made.context,
    });
    return made;
  }

  const printed = async (path: string) => {
    await page.goto(`${world.url}${path}`);
    return page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true });
  };

  it('when the slips page, the invigilator sheet and a login details page are checked, then they pass axe and the house patterns', async () => {
    const { examId, teacher, rows } = await staffWithTest(3);
    await seat(teacher, examId, rows[0]!.id, { building: 'Main', room: '101' });
    await page.goto(`${world.url}/app/exams/${examId}/slips`);
    expect(await page.title()).to.equal(`Login slips · Chemistry ${/Chemistry (\d+)/.exec(await page.title())?.[1]} · examgate`);
    await expectAccessible(page, 'login slips');
    await page.goto(`${world.url}/app/exams/${examId}/invigilator-sheet`);
    await expectAccessible(page, 'invigilator sheet');
    await page.goto(`${world.url}/app/exams/${examId}/handout/${rows[1]!.id}`);
    await expectAccessible(page, 'login details of one candidate');
    await page.getByRole('link', { name: 'New entry code…' }).click();
    await expectAccessible(page, 'confirming a new entry code');
  });

  /** A passport-shaped PNG Chromium can draw (the photo checks need only its signature; a browser needs the whole image). */
  const realPhoto = (shade: number) => {
    const image = new PNG({ width: 35, height: 45 });
    image.data.fill(shade);
    return PNG.sync.write(image);
  };

  /** `count` permanent users with photos (a bulk upload's ZIP), candidates of an active test; this Chromium as its instructor. */
  async function staffWithPhotos(count: number) {
    const platformId = await platformIdOf(world);
    const office = `photo-office-${Date.now()}`;
    await adminAccount(world, platformId, office);
    const { cookie } = await institutionSignIn(world, office);
    const tag = Date.now().toString(36);
    const names = Array.from({ length: count }, (_, i) => `pic${tag}${i}`);
    const csv = ['Username,First Name,Last Name', ...names.map((n, i) => `${n},Person,Number${i}`), ''].join('\r\n');
    const zip = writeZip([
      { name: 'users.csv', data: csv },
      ...names.map((n, i) => ({ name: `photos/${n}.png`, data: realPhoto(40 + i * 10) })),
    ]);
    const posted = await uploadBulkFile(world, cookie, zip);
    expect(posted.status, posted.text.slice(0, 500)).to.equal(303);
    const path = String(posted.headers.location);
    expect(
      (await commitBulk(world, cookie, { path, text: (await request(world.url).get(path).set('cookie', cookie)).text })).status,
    ).to.equal(303);
    await hashingDone(world, platformId);
    const users = (await usersOf(world, platformId)).filter((u) => names.includes(u.username));
    const context = { id: `photos-${tag}`, title: 'Proctored course' };
    world.lms.setRoster(context.id, []);
    const teacher = await instructorOf(world, context);
    const examId = await createExam(teacher, { title: 'Proctored exam' });
    const addPage = `/app/exams/${examId}/candidates/permanent`;
    for (const user of users) {
      await teacher.post(addPage, { users: user.id }, addPage);
    }
    await teacher.post(`/app/exams/${examId}/activate`);
    await launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'teacher-1', name: 'Grace Hopper' },
      roles: [ROLE_INSTRUCTOR],
      context,
    });
    return { examId };
  }

  it('when candidates have photos, then the candidates list and the slips with photos pass axe, and Print loads every photo before printing', async () => {
    const { examId } = await staffWithPhotos(10);
    await page.goto(`${world.url}/app/exams/${examId}/candidates`);
    expect(await page.locator('img.photo-thumb').count()).to.equal(10);
    expect(await page.getByRole('img', { name: 'Photo of Person Number3' }).count()).to.equal(1);
    await expectAccessible(page, 'candidates list with photos');

    await page.goto(`${world.url}/app/exams/${examId}/slips`);
    await expectAccessible(page, 'login slips with photos');
    // The browser's print dialog is replaced by a flag: what matters is that every photo is there when it would open.
    await page.evaluate(() => {
      (window as unknown as { printed: boolean }).printed = false;
      window.print = () => {
        (window as unknown as { printed: boolean }).printed = true;
      };
    });
    await page.getByRole('button', { name: 'Print' }).click();
    await page.waitForFunction(() => (window as unknown as { printed: boolean }).printed);
    const drawn = await page.locator('img.photo-thumb').evaluateAll((imgs) => imgs.map((img) => (img as HTMLImageElement).naturalWidth));
    expect(drawn).to.deep.equal(Array.from({ length: 10 }, () => 35));
    await page.goto(`${world.url}/app/exams/${examId}/invigilator-sheet`);
    await expectAccessible(page, 'invigilator sheet with photos');
  });

  it('when 19 slips are printed to PDF, then 8 to a page makes 3 pages and one per page 19; a room of its own starts a page', async () => {
    const { examId, teacher, rows } = await staffWithTest(19);
    expect(pagesOf(await printed(`/app/exams/${examId}/slips`))).to.equal(3);
    expect(pagesOf(await printed(`/app/exams/${examId}/slips?layout=single`))).to.equal(19);
    await seat(teacher, examId, rows[4]!.id, { building: 'Main', room: '101' });
    await seat(teacher, examId, rows[9]!.id, { building: 'Main', room: '101' });
    // Main 101: 2 slips on one page; the 17 others: 8 + 8 + 1.
    expect(pagesOf(await printed(`/app/exams/${examId}/slips`))).to.equal(4);
    expect(pagesOf(await printed(`/app/exams/${examId}/slips?building=Main&room=101`))).to.equal(1);
    // The invigilator sheet: one page per room.
    expect(pagesOf(await printed(`/app/exams/${examId}/invigilator-sheet`))).to.equal(2);
  });

  it('when the printed slips are laid out, then no slip crosses a page and the QR code Chromium draws scans back to the slip’s link', async () => {
    const { examId } = await staffWithTest(9);
    await page.goto(`${world.url}/app/exams/${examId}/slips`);
    await page.emulateMedia({ media: 'print' });
    // In print layout a slip is 66 mm high; 8 to a sheet of 277 mm (A4 less its margins): each sheet holds its slips whole.
    const heights = await page.locator('.sheet').evaluateAll((sheets) => sheets.map((s) => s.getBoundingClientRect().height));
    const mm = 96 / 25.4;
    for (const height of heights) {
      expect(height).to.be.at.most(277 * mm);
    }
    await page.emulateMedia({ media: 'screen' });
    for (const index of [0, 8]) {
      const slip = page.locator('.slip').nth(index);
      const png = PNG.sync.read(await slip.locator('svg.qr').screenshot({ scale: 'device' }));
      const read = jsQR(new Uint8ClampedArray(png.data), png.width, png.height);
      expect(read?.data, `slip ${index}`).to.equal(await slip.locator('[data-link]').textContent());
      expect(read?.data).to.match(/\/go\/[A-Za-z0-9_-]{43}$/);
    }
  });
});
