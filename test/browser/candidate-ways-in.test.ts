import { expect } from 'chai';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { QueryTypes } from 'sequelize';
import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { ONE_TIME_PASSWORD_PURPOSE } from '../../src/access/one-time-user.service.js';
import { WAY_IN_PURPOSE } from '../../src/access/ways-in.service.js';
import { SealedText } from '../../src/secrets/sealed-text.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { expectAccessible } from './support/axe.js';
import { launchChromium } from './support/chromium.js';

/**
 * The three ways in outside the LMS, in a real browser: one-time credentials at the login page,
 * a direct link, an entry code; each reaches its own candidate's lobby, Start opens the sample
 * engine in the same window, and the finish comes back to examgate.
 */
describe('Ways in outside the LMS: login page, direct link, entry code (Chromium)', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let engine: RunningDeliveryEngine;
  let chromium: Browser;
  let context: BrowserContext;
  let page: Page;
  let examId: string;
  const people: Array<{ candidateId: string; username: string; password: string; link: string; code: string }> = [];

  before(async () => {
    world = await startWorld();
    engine = await startDeliveryEngine({ examgateUrl: world.url, log: () => undefined });
    chromium = await launchChromium();
    const teacher = await instructorOf(world, { id: 'ways-in-browser', title: 'Geology' });
    examId = await createExam(teacher, {
      title: 'Rocks and minerals',
      timeZone: 'Europe/Oslo',
      deliveryUrl: engine.url,
      finishRedirectUrl: '',
    });
    const made = await teacher.post(
      `/app/exams/${examId}/candidates/one-time/generate`,
      { count: '3', extraTimeMinutes: '' },
      `/app/exams/${examId}/candidates`,
    );
    expect(made.response.status, made.body).to.equal(200);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    expect((await teacher.get(`/app/exams/${examId}/ways-in`)).response.status).to.equal(200);

    const passwords = new SealedText(world.config.secretKeys, ONE_TIME_PASSWORD_PURPOSE);
    const ways = new SealedText(world.config.secretKeys, WAY_IN_PURPOSE);
    const rows = await world.examgate.sequelize.query<{
      candidate_id: string;
      username: string;
      password_sealed: string;
      kind: string;
      sealed_value: string;
    }>(
      `SELECT c.candidate_id, o.username, o.password_sealed, w.kind, w.sealed_value
         FROM candidates c JOIN one_time_users o ON o.candidate_id = c.id JOIN ways_in w ON w.candidate_id = c.id AND w.revoked_at IS NULL
        WHERE c.exam_id = :examId ORDER BY c.candidate_id`,
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    for (const row of rows) {
      let person = people.find((p) => p.candidateId === row.candidate_id);
      if (!person) {
        person = {
          candidateId: row.candidate_id,
          username: row.username,
          password: passwords.open(row.password_sealed)!.plain,
          link: '',
          code: '',
        };
        people.push(person);
      }
      const value = ways.open(row.sealed_value)!.plain;
      if (row.kind === 'link') {
        person.link = value.startsWith('http') ? value : `${world.url}/go/${value}`;
      } else {
        person.code = value;
      }
    }
    expect(people).to.have.length(3);
  });
  beforeEach(async () => {
    context = await chromium.newContext();
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
  });
  afterEach(() => context.close());
  after(async () => {
    await chromium?.close();
    await engine?.close();
  });

  async function startAndFinish(candidateId: string) {
    await expectAccessible(page, 'the lobby of a candidate outside the LMS');
    expect(await page.locator('main').innerText()).to.contain(candidateId);
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL((url) => url.href.startsWith(engine.url));
    expect(await page.getByRole('heading', { level: 1 }).textContent()).to.equal('Rocks and minerals');
    expect(context.pages(), 'the test opened in the same window').to.have.length(1);
    await page.getByLabel('42').check();
    await page.getByRole('button', { name: 'Finish' }).click();
    await page.waitForURL((url) => url.origin === world.url && url.pathname === '/login');
    expect(await page.getByRole('status').textContent()).to.contain('Your test is finished');
  }

  it('when a candidate signs in with their one-time username and password, then the dashboard, the lobby, the engine and the archive follow', async () => {
    const [me] = people;
    await page.goto(`${world.url}/login`);
    await expectAccessible(page, 'the candidate login page');
    await page.getByLabel('Username').fill('nobody-here');
    await page.getByLabel('Password').fill('wrong-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(await page.locator('#error-summary').innerText()).to.contain('The username or password is not right');
    await expectAccessible(page, 'the candidate login page after a wrong password');

    await page.getByLabel('Username').fill(me!.username);
    await page.getByLabel('Password').fill(me!.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${world.url}/my`);
    await expectAccessible(page, 'the candidate dashboard');
    await page.getByRole('link', { name: 'Rocks and minerals' }).first().click();
    await page.waitForURL(`${world.url}/my/tests/${examId}`);
    await startAndFinish(me!.candidateId);

    await expectAccessible(page, 'the login page after a finish');
    await page.getByRole('link', { name: 'Go to your tests' }).click();
    await page.getByRole('link', { name: 'Archive' }).click();
    expect(await page.locator('main').innerText()).to.contain('Rocks and minerals');
    await expectAccessible(page, 'the archive');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${world.url}/login?done=signed-out`);
    expect(await page.getByRole('status').textContent()).to.contain('You have signed out');
  });

  it('when a candidate opens their direct link, then the token leaves the address bar, and the button opens their own lobby', async () => {
    const me = people[1]!;
    await page.goto(me.link);
    expect(new URL(page.url()).pathname, 'the token is gone from the address bar').to.equal('/go');
    await expectAccessible(page, 'the direct link page');
    await page.getByRole('button', { name: 'Open Rocks and minerals' }).click();
    await page.waitForURL(`${world.url}/my/tests/${examId}`);
    await startAndFinish(me.candidateId);
  });

  it('when a candidate types their entry code in lower case with spaces, then it opens their own lobby', async () => {
    const me = people[2]!;
    await page.goto(`${world.url}/enter`);
    await expectAccessible(page, 'the entry code page');
    await page.getByLabel('Entry code').fill(me.code.toLowerCase().replace(/-/g, ' '));
    await page.getByRole('button', { name: 'Open my test' }).click();
    await page.waitForURL(`${world.url}/my/tests/${examId}`);
    await startAndFinish(me.candidateId);
  });
});
