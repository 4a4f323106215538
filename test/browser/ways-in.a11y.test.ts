import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { courseWithTest, openWaysIn, waysInRows } from '../support/ways-in.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium, launchInBrowser } from './support/chromium.js';

describe('direct links and entry codes in Chromium: the address bar, the posts, and accessibility', function () {
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
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(10_000);
  });
  afterEach(() => context.close());
  after(() => chromium?.close());

  const heading = () => page.getByRole('heading', { level: 1 }).textContent();
  const candidateCookies = async () => (await context.cookies()).filter((c) => c.name === 'examgate_candidate');

  it('when a candidate opens their link, then the token leaves the address bar, and the button alone signs them in to their test', async () => {
    const { examId, teacher } = await courseWithTest(world, 1, { title: 'Chemistry final' });
    const [row] = waysInRows((await openWaysIn(teacher, examId)).body);
    await page.goto(row!.link!);
    expect(await heading()).to.equal('Open Chemistry final');
    expect(await page.title()).to.equal('Open Chemistry final · examgate');
    expect(new URL(page.url()).pathname).to.equal('/go');
    expect(await candidateCookies()).to.deep.equal([]);
    await expectAccessible(page, 'direct link page');
    await page.getByRole('button', { name: 'Open Chemistry final' }).click();
    await page.waitForURL((url) => url.pathname === `/my/tests/${examId}`);
    expect(page.url()).not.to.contain(row!.link!.split('/').pop()!);
    expect(await candidateCookies()).to.have.length(1);
  });

  it('when a candidate types their code, wrong first, then the form, its error and the way in pass; a withdrawn link’s page passes', async () => {
    const { examId, teacher } = await courseWithTest(world, 1);
    const [row] = waysInRows((await openWaysIn(teacher, examId)).body);
    await page.goto(`${world.url}/enter`);
    await expectAccessible(page, 'entry code form');
    await page.getByLabel('Entry code').fill('AAAA-AAAA-AA');
    await page.getByRole('button', { name: 'Open my test' }).click();
    await page.waitForLoadState('load');
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal('error-summary');
    expect(await page.getByLabel('Entry code').getAttribute('aria-invalid')).to.equal('true');
    expect(await page.getByLabel('Entry code').getAttribute('aria-describedby')).to.equal('code-hint code-error');
    await expectAccessible(page, 'entry code form with an error');
    await page.getByLabel('Entry code').fill(row!.code!.toLowerCase().replace(/-/g, ' '));
    await page.getByRole('button', { name: 'Open my test' }).click();
    await page.waitForURL((url) => url.pathname === `/my/tests/${examId}`);

    const list = `/app/exams/${examId}/ways-in`;
    await teacher.post(`${list}/${row!.id}/revoke`, {}, `${list}/${row!.id}/revoke`);
    await page.goto(row!.link!);
    expect(await heading()).to.equal('This link was withdrawn');
    await expectAccessible(page, 'withdrawn link page');
  });

  it('when staff open the links and codes of a test and a confirmation, then both pass', async () => {
    const { examId, contextId } = await courseWithTest(world, 3, { title: 'Physics midterm' });
    await launchInBrowser(page, world.lms, world.url, {
      user: { sub: 'teacher-1', name: 'Grace Hopper' },
      roles: [ROLE_INSTRUCTOR],
      context: { id: contextId },
    });
    await page.goto(`${world.url}/app/exams/${examId}`);
    await page.getByRole('link', { name: 'Direct links and entry codes' }).click();
    await page.waitForLoadState('load');
    expect(await page.title()).to.equal('Links and codes · Physics midterm · examgate');
    expect(await page.locator('code[data-link]').count()).to.equal(3);
    await expectAccessible(page, 'links and codes page');
    await page.getByRole('link', { name: 'Revoke all links…' }).click();
    await page.waitForLoadState('load');
    await expectAccessible(page, 'revoke all confirmation');
    await page.getByRole('button', { name: 'Withdraw every link and code' }).click();
    await page.waitForLoadState('load');
    expect(await page.getByRole('status').textContent()).to.contain('Every link and entry code of this test withdrawn.');
    await expectAccessible(page, 'links and codes page after revoking all');
  });
});
