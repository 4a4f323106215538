import { expect } from 'chai';
import { PNG } from 'pngjs';
import jsQRModule from 'jsqr';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { seat, testWithOneTimeUsers } from '../support/handout.js';
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
