import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { Browser, submitAutoPostForm } from '../../src/lms-sim/index.js';
import type { CandidatePrincipal } from '../../src/sessions/candidate-principal.js';
import { createExam, csrfOf, instructorOf, pressStart, type CourseSession } from '../support/course-session.js';
import { newBrowser, resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

/**
 * The candidate's own pages outside the LMS (/my): whichever way in started the session (the
 * login page, a direct link, an entry code), the dashboard, the lobby, Start, the way back and
 * the archive are the same. These tests start the session through the session service itself,
 * so they look at the pages alone; each way in has its own tests.
 */
describe('Candidate pages outside the LMS (/my)', () => {
  let world: TestWorld;
  let engine: RunningDeliveryEngine;
  let n = 0;

  before(async () => {
    world = await startWorld();
    engine = await startDeliveryEngine({ examgateUrl: world.url, log: () => undefined });
  });
  after(() => engine.close());
  beforeEach(() => resetLaunchState(world));

  async function activeTestWithCandidate(overrides: Record<string, string> = {}) {
    n += 1;
    const teacher = await instructorOf(world, { id: `my-course-${n}`, title: 'Physics' });
    const examId = await createExam(teacher, {
      title: `Physics ${n}`,
      timeZone: 'Europe/Oslo',
      deliveryUrl: engine.url,
      finishRedirectUrl: '',
      ...overrides,
    });
    const added = await teacher.post(
      `/app/exams/${examId}/candidates`,
      { candidateId: `P-${n}`, extraTimeMinutes: '15' },
      `/app/exams/${examId}/candidates`,
    );
    expect(added.response.status, added.body).to.equal(200);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const [row] = await world.examgate.sequelize.query<{ id: string; platform_id: string }>(
      'SELECT c.id, co.platform_id FROM candidates c JOIN exams e ON e.id = c.exam_id JOIN courses co ON co.id = e.course_id WHERE c.exam_id = :examId',
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    return {
      teacher,
      examId,
      principal: { way: 'one-time', platformId: row!.platform_id, examId, candidateId: row!.id } as CandidatePrincipal,
    };
  }

  async function signedIn(principal: CandidatePrincipal): Promise<Browser> {
    const { token } = await world.examgate.sessions.startCandidate(principal);
    const browser = newBrowser();
    browser.storeCookie(world.url, `examgate_candidate=${token}; Path=/; HttpOnly; SameSite=Lax`);
    return browser;
  }

  const get = (browser: Browser, path: string, headers: Record<string, string> = {}) => browser.follow(`${world.url}${path}`, { headers });

  it('when a signed-in candidate opens /my, then the dashboard lists their test, open, with a way to it, and names who is signed in', async () => {
    const { examId, principal } = await activeTestWithCandidate();
    const browser = await signedIn(principal);
    const page = await get(browser, '/my');
    expect(page.response.status, page.body).to.equal(200);
    expect(page.body).to.contain(`Physics ${n}`);
    expect(page.body).to.contain('<span class="status">Open</span>');
    expect(page.body).to.contain(`href="/my/tests/${examId}"`);
    expect(page.body).to.match(/Signed in as <strong>candidate P-\d+<\/strong>, by one-time username and password/);
    expect(page.body).to.contain('action="/my/sign-out"');
    expect(page.response.headers.get('cache-control')).to.equal('no-store');
  });

  it('when the candidate opens their lobby and presses Start, then the engine gets them with their extra time, and after the finish they land on the login page, with the test in the archive', async () => {
    const { examId, principal } = await activeTestWithCandidate();
    const browser = await signedIn(principal);
    const lobby = await get(browser, `/my/tests/${examId}`, { 'sec-fetch-dest': 'document' });
    expect(lobby.response.status, lobby.body).to.equal(200);
    expect(lobby.body).to.contain(`data-state-url="/my/tests/${examId}/state"`);
    expect(lobby.body).to.contain('15 minutes extra time');
    // A window of its own: Start opens the test in this tab, not a new one.
    expect(lobby.body).to.match(/<div data-view="top">[\s\S]*<form method="post" action="\/handoff" rel="noopener" data-start-form>/);

    const handoff = await pressStart(world, browser, lobby.body, { 'sec-fetch-site': 'same-origin' });
    expect(handoff.response.status, handoff.body).to.equal(200);
    const form = submitAutoPostForm(handoff.body)!;
    const enginePage = await browser.follow(form.action, { method: 'POST', form: form.fields });
    expect(enginePage.body).to.contain(`P-${n}`);

    const action = /<form method="post" action="([^"]+)"/.exec(enginePage.body)![1]!;
    const back = await browser.follow(new URL(action.replace(/&amp;/g, '&'), enginePage.url).href, {
      method: 'POST',
      form: { _csrf: csrfOf(enginePage.body), q1: '42', q2: '11' },
    });
    expect(new URL(back.url).pathname + new URL(back.url).search).to.equal('/login?done=finished');
    expect(back.body).to.contain('Your test is finished and your answers are saved.');
    expect(back.body).to.contain('You are still signed in. <a href="/my">Go to your tests</a>');

    const dashboard = await get(browser, '/my');
    expect(dashboard.body).to.contain('You have no test waiting.');
    expect(dashboard.body).to.contain('1 finished test');
    const archive = await get(browser, '/my/archive');
    expect(archive.body).to.contain(`<a href="/my/tests/${examId}">Physics ${n}</a>`);
    expect(archive.body).to.contain('(Europe/Oslo)');
    const finishedLobby = await get(browser, `/my/tests/${examId}`);
    expect(finishedLobby.body).to.contain('You finished this test');
    expect(finishedLobby.body).not.to.contain('name="ticket"');
  });

  it('when a session of test X asks for any page of test Y, then it gets 404, and staff pages do not take a candidate session at all', async () => {
    const x = await activeTestWithCandidate();
    const y = await activeTestWithCandidate();
    const browser = await signedIn(x.principal);
    for (const path of [`/my/tests/${y.examId}`, `/my/tests/${y.examId}/state`]) {
      const page = await get(browser, path, { accept: path.endsWith('/state') ? 'application/json' : 'text/html' });
      expect(page.response.status, path).to.equal(404);
      expect(page.body).not.to.contain(`Physics ${n}`);
    }
    for (const path of [`/app/exams/${y.examId}`, `/app/exams/${x.examId}`, `/app/exams/${x.examId}/candidates`, '/app/lobby']) {
      const page = await get(browser, path);
      expect(page.response.status, path).to.equal(401);
    }
  });

  it('when a ticket from test X is posted with a changed test, or after the candidate was withdrawn, then no hand-off is made', async () => {
    const { teacher, examId, principal } = await activeTestWithCandidate();
    const browser = await signedIn(principal);
    const lobby = await get(browser, `/my/tests/${examId}`);
    await withdraw(teacher, examId, principal.candidateId);
    const refused = await pressStart(world, browser, lobby.body, { 'sec-fetch-site': 'same-origin' });
    expect(refused.response.status).to.equal(409);
    expect(refused.body).to.contain('withdrawn');
    const again = await get(browser, `/my/tests/${examId}`);
    expect(again.body).to.contain('You have been withdrawn from this test.');
  });

  it('when the candidate signs out, then the session is gone on the server and /my sends the browser to the login page', async () => {
    const { principal } = await activeTestWithCandidate();
    const browser = await signedIn(principal);
    const dashboard = await get(browser, '/my');
    const token = browser.cookies(world.url).examgate_candidate!;
    const out = await browser.follow(`${world.url}/my/sign-out`, { method: 'POST', form: { _csrf: csrfOf(dashboard.body) } });
    expect(new URL(out.url).pathname + new URL(out.url).search).to.equal('/login?done=signed-out');
    expect(out.body).to.contain('You have signed out.');
    expect(browser.cookies(world.url).examgate_candidate).to.equal(undefined);
    // The old cookie value opens nothing any more (a copy of it kept elsewhere included).
    const stale = newBrowser();
    stale.storeCookie(world.url, `examgate_candidate=${token}; Path=/`);
    const after = await get(stale, '/my');
    expect(new URL(after.url).pathname).to.equal('/login');
    const json = await stale.follow(`${world.url}/my/tests/x/state`, { headers: { accept: 'application/json' } });
    expect(json.response.status).to.equal(401);
  });

  it('when sign out is posted without the page’s token, then it is refused and the session lives on', async () => {
    const { principal } = await activeTestWithCandidate();
    const browser = await signedIn(principal);
    const refused = await browser.follow(`${world.url}/my/sign-out`, { method: 'POST', form: {} });
    expect(refused.response.status).to.equal(403);
    expect((await get(browser, '/my')).response.status).to.equal(200);
  });

  it('when a session names a candidate of another test, another platform or no candidate, then no page opens, just after sign-in or later', async () => {
    const x = await activeTestWithCandidate();
    const y = await activeTestWithCandidate();
    const [other] = await world.examgate.sequelize.query<{ id: string }>('SELECT id FROM lms_platforms WHERE id <> :id', {
      replacements: { id: x.principal.platformId },
      type: QueryTypes.SELECT,
    });
    const wrong: Array<[string, CandidatePrincipal]> = [
      ['another test', { ...x.principal, examId: y.examId }],
      ['another platform', { ...x.principal, platformId: other!.id }],
      ['no candidate', { ...x.principal, candidateId: 'no-such-candidate' }],
    ];
    for (const [what, principal] of wrong) {
      const browser = await signedIn(principal);
      // The first page is served from the session this process just started, the second from the database.
      for (const attempt of ['first', 'second']) {
        const page = await get(browser, '/my');
        expect(new URL(page.url).pathname, `${what}, ${attempt} page`).to.equal('/login');
        const lobby = await browser.follow(`${world.url}/my/tests/${x.examId}/state`, { headers: { accept: 'application/json' } });
        expect(lobby.response.status, `${what}, ${attempt} state`).to.equal(401);
      }
    }
  });

  it('when a session has expired, then its cookie opens no page any more', async () => {
    const { examId, principal } = await activeTestWithCandidate();
    const browser = await signedIn(principal);
    expect((await get(browser, '/my')).response.status).to.equal(200);
    expect((await get(browser, `/my/tests/${examId}`)).response.status, 'from the database').to.equal(200);
    await world.examgate.sequelize.query('UPDATE sessions SET expires_at = :past WHERE candidate_id = :candidateId', {
      replacements: { past: new Date(Date.now() - 1000), candidateId: principal.candidateId },
    });
    const page = await get(browser, `/my/tests/${examId}`);
    expect(new URL(page.url).pathname).to.equal('/login');
  });

  it('when a launch session cookie is sent as a candidate cookie, then it opens no candidate page', async () => {
    const teacher = await instructorOf(world, { id: 'my-launch-cookie' });
    const launchToken = teacher.browser.cookies(world.url).examgate_session!;
    const browser = new Browser();
    browser.storeCookie(world.url, `examgate_candidate=${launchToken}; Path=/`);
    const page = await get(browser, '/my');
    expect(new URL(page.url).pathname).to.equal('/login');
  });

  it('when the platform has an active demo test, then the dashboard offers it and opening it makes the candidate a demo candidate once; other platforms’ demos stay out of reach', async () => {
    const { principal } = await activeTestWithCandidate();
    n += 1;
    const demoTeacher = await instructorOf(world, { id: `my-demo-course-${n}` });
    const demoId = await createExam(demoTeacher, { title: `Practice ${n}`, deliveryUrl: engine.url, isDemo: 'on' });
    await demoTeacher.post(`/app/exams/${demoId}/activate`, {}, `/app/exams/${demoId}`);
    await createExam(demoTeacher, { title: `Unfinished practice ${n}`, deliveryUrl: engine.url, isDemo: 'on' });
    const otherTeacher = await instructorOf(world, { id: `my-other-demo-${n}` }, { lms: world.otherLms });
    const otherDemoId = await createExam(otherTeacher, { title: `Elsewhere ${n}`, deliveryUrl: engine.url, isDemo: 'on' });
    await otherTeacher.post(`/app/exams/${otherDemoId}/activate`, {}, `/app/exams/${otherDemoId}`);

    const browser = await signedIn(principal);
    const dashboard = await get(browser, '/my');
    expect(dashboard.body).to.contain('<h2>Demo tests</h2>');
    expect(dashboard.body).to.contain(`<a href="/my/tests/${demoId}">Practice ${n}</a>`);
    expect(dashboard.body).not.to.contain(`Elsewhere ${n}`);
    expect(dashboard.body, 'a draft demo test').not.to.contain(`Unfinished practice ${n}`);

    for (let i = 0; i < 2; i += 1) {
      const lobby = await get(browser, `/my/tests/${demoId}`);
      expect(lobby.response.status, lobby.body).to.equal(200);
      expect(lobby.body).to.contain('name="ticket"');
    }
    const demoCandidates = await world.examgate.sequelize.query<{ candidate_id: string; demo_for: string }>(
      'SELECT candidate_id, demo_for FROM candidates WHERE exam_id = :demoId',
      { replacements: { demoId }, type: QueryTypes.SELECT },
    );
    expect(demoCandidates).to.have.length(1);
    expect(demoCandidates[0]!.demo_for).to.equal(principal.candidateId);
    // The first dashboard read the demo tests with the candidate's own test; a later one (session from the database) alone.
    const later = await get(browser, '/my');
    expect(later.body).to.contain(`<a href="/my/tests/${demoId}">Practice ${n}</a>`);
    expect(later.body).not.to.contain(`Elsewhere ${n}`);
    expect(later.body).not.to.contain(`Unfinished practice ${n}`);
    expect((await get(browser, `/my/tests/${otherDemoId}`)).response.status).to.equal(404);
  });

  it('when a draft test is opened from a candidate session, then the lobby says it is not open yet and offers no Start', async () => {
    n += 1;
    const teacher = await instructorOf(world, { id: `my-draft-${n}` });
    const examId = await createExam(teacher, { title: 'Draft test', deliveryUrl: engine.url });
    await teacher.post(`/app/exams/${examId}/candidates`, { candidateId: 'D-1' }, `/app/exams/${examId}/candidates`);
    const [row] = await world.examgate.sequelize.query<{ id: string; platform_id: string }>(
      'SELECT c.id, co.platform_id FROM candidates c JOIN exams e ON e.id = c.exam_id JOIN courses co ON co.id = e.course_id WHERE c.exam_id = :examId',
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    const browser = await signedIn({ way: 'direct-link', platformId: row!.platform_id, examId, candidateId: row!.id });
    const lobby = await get(browser, `/my/tests/${examId}`);
    expect(lobby.body).to.contain('This test is not open yet.');
    expect(lobby.body).to.contain('Come back to this page then');
    expect(lobby.body).not.to.contain('name="ticket"');
    expect(lobby.body).to.contain('by direct link');
  });
});

async function withdraw(teacher: CourseSession, examId: string, candidateId: string) {
  const done = await teacher.post(
    `/app/exams/${examId}/candidates/${candidateId}/withdraw`,
    {},
    `/app/exams/${examId}/candidates/${candidateId}/withdraw`,
  );
  expect(done.response.status, done.body).to.equal(200);
}
