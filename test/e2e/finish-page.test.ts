import { expect } from 'chai';
import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { QueryTypes } from 'sequelize';
import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { Browser, submitAutoPostForm, type LaunchRequest } from '../../src/lms-sim/index.js';
import { formatInZone } from '../../src/exams/time-zone.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, csrfOf, instructorOf, learnerLaunch, placeExam, pressStart } from '../support/course-session.js';
import { buildLearners, settledSync } from '../support/roster.js';

/**
 * The candidate's own finish page, shown when neither the test nor the system names a finish
 * redirect URL. The engine sends the candidate back in the tab Start opened, which has no
 * examgate session: the page must find everything, the way back included, by the attempt.
 */
describe('The finish page of a candidate coming back from the engine (end to end)', () => {
  let world: TestWorld;
  let engine: RunningDeliveryEngine;
  const engineKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  let engineKid: string;
  let n = 0;

  before(async () => {
    world = await startWorld();
    engine = await startDeliveryEngine({
      examgateUrl: world.url,
      privateKeyPem: engineKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
      log: () => undefined,
    });
    engineKid = ((await (await fetch(engine.jwksUrl)).json()) as { keys: Array<{ kid: string }> }).keys[0]!.kid;
  });
  after(() => engine.close());
  beforeEach(() => resetLaunchState(world));

  async function placedTest() {
    n += 1;
    const context = { id: `finish-${n}`, title: 'Chemistry 101' };
    world.lms.setRoster(context.id, buildLearners(1));
    const teacher = await instructorOf(world, context);
    const examId = await createExam(teacher, {
      title: 'Chemistry',
      timeZone: 'Europe/Oslo',
      deliveryUrl: engine.url,
      finishRedirectUrl: '',
    });
    await settledSync(world, examId);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const custom = await placeExam(world, teacher, examId, context);
    return { examId, link: { context, resourceLink: { id: `rl-finish-${n}` }, custom } };
  }

  /** Launch, Start, and the engine's page opened with the hand-off in a browser of its own (the new tab: no examgate cookie). */
  async function atTheEngine(extra: Partial<LaunchRequest> = {}) {
    const { examId, link } = await placedTest();
    const lobby = await learnerLaunch(world, { sub: 'u-1' }, { ...link, ...extra });
    const handoffPage = await pressStart(world, lobby.browser, lobby.landing.body);
    const form = submitAutoPostForm(handoffPage.body)!;
    const tab = new Browser();
    const enginePage = await tab.follow(form.action, { method: 'POST', form: form.fields });
    expect(enginePage.response.status, enginePage.body).to.equal(200);
    const handoff = jwt.decode(form.fields.handoff!) as { attempt: string; report_url: string; return_url: string };
    return { examId, link, tab, enginePage, handoff };
  }

  async function finishInEngine(tab: Browser, enginePage: Awaited<ReturnType<Browser['follow']>>) {
    const action = /<form method="post" action="([^"]+)"/.exec(enginePage.body)![1]!;
    return tab.follow(new URL(action.replace(/&amp;/g, '&'), enginePage.url).href, {
      method: 'POST',
      form: { _csrf: csrfOf(enginePage.body), q1: '42', q2: '11' },
    });
  }

  const finishedAt = async (examId: string) =>
    (
      await world.examgate.sequelize.query<{ finished_at: string | Date }>(
        "SELECT finished_at FROM candidates WHERE exam_id = :examId AND lms_user_id = 'u-1'",
        { replacements: { examId }, type: QueryTypes.SELECT },
      )
    )[0]!.finished_at;

  it('when a candidate finishes with no finish URL set, then their own page names the test, the time in its zone, the gradebook and the way back to the course', async () => {
    const returnUrl = `${world.lms.baseUrl}/return?course=chemistry`;
    const { examId, tab, enginePage } = await atTheEngine({ returnUrl });
    const page = await finishInEngine(tab, enginePage);
    expect(page.response.status, page.body).to.equal(200);
    expect(new URL(page.url).pathname).to.match(/^\/attempts\/[^/]+\/return$/);
    const when = formatInZone(new Date(await finishedAt(examId)), 'Europe/Oslo');
    expect(page.body).to.contain(`You have finished <strong>Chemistry</strong> at ${when}.`);
    expect(when).to.contain('(Europe/Oslo)');
    expect(page.body).to.contain('Your score goes to the gradebook of your course');
    expect(page.body).to.contain(`<a class="button" href="${returnUrl.replace(/&/g, '&amp;')}">Back to your course</a>`);
    // Not examgate's home page, which speaks to LMS administrators.
    expect(page.body).not.to.contain('/lti/login');
    expect(page.body).not.to.contain('demo LMS');
  });

  it('when the LMS gave no return URL, then the finish page tells the candidate to close the tab and offers no link', async () => {
    const { tab, enginePage } = await atTheEngine({ returnUrl: null });
    const page = await finishInEngine(tab, enginePage);
    expect(page.body).to.contain('You have finished <strong>Chemistry</strong>');
    expect(page.body).to.contain('You can close this tab or window now');
    expect(page.body).not.to.contain('Back to your course');
  });

  it('when the LMS names a return URL that is not http(s), then it is never offered as a link', async () => {
    const { tab, enginePage } = await atTheEngine({ returnUrl: 'javascript:alert(1)' });
    const page = await finishInEngine(tab, enginePage);
    expect(page.body).to.contain('You have finished <strong>Chemistry</strong>');
    expect(page.body).not.to.contain('javascript:');
    expect(page.body).not.to.contain('Back to your course');
  });

  it('when the engine reports a finish without a score, then the finish page says no score goes to the gradebook', async () => {
    const { handoff, tab } = await atTheEngine();
    const report = jwt.sign({ purpose: 'examgate-delivery-report', event: 'finished' }, engineKey, {
      algorithm: 'RS256',
      keyid: engineKid,
      issuer: engine.origin,
      audience: world.url,
      subject: handoff.attempt,
      jwtid: `finish-no-score-${n}`,
      expiresIn: 60,
    });
    const answer = await fetch(handoff.report_url, { method: 'POST', headers: { authorization: `Bearer ${report}` } });
    expect(answer.status).to.equal(204);
    const page = await tab.follow(handoff.return_url);
    expect(page.response.status).to.equal(200);
    expect(page.body).to.contain('The test system sent no score: your instructor will tell you your result.');
    expect(page.body).not.to.contain('gradebook');
  });

  it('when the candidate launches again after finishing, then the lobby says when, and promises no archive', async () => {
    const { tab, enginePage, link } = await atTheEngine();
    await finishInEngine(tab, enginePage);
    const again = await learnerLaunch(world, { sub: 'u-1' }, link);
    expect(again.landing.body).to.contain('You finished this test on ');
    expect(again.landing.body).not.to.contain('archive');
  });
});
