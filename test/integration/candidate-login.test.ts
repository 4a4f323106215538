import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { ONE_TIME_PASSWORD_PURPOSE } from '../../src/access/one-time-user.service.js';
import { SealedText } from '../../src/secrets/sealed-text.js';
import { throttleRules } from '../../src/throttle/throttle-rules.js';
import type { ThrottleRule } from '../../src/throttle/throttle.service.js';
import { auditRows } from '../support/audit.js';
import { preloadThrottle } from '../support/throttle-counters.js';
import { openWaysIn, postCode, postLink, tokenOf, waysInRows } from '../support/ways-in.js';
import { createExam, instructorOf } from '../support/course-session.js';
import { newBrowser, resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';

/** The candidate login page: one-time credentials to the dashboard, one message for every wrong sign-in, throttled, audited. */
describe('The candidate login page (/login)', () => {
  let world: TestWorld;
  let n = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  async function oneTimeUsers(count: number, activate = true) {
    n += 1;
    const teacher = await instructorOf(world, { id: `login-course-${n}` });
    const examId = await createExam(teacher, { title: `Login test ${n}` });
    const made = await teacher.post(
      `/app/exams/${examId}/candidates/one-time/generate`,
      { count: String(count), extraTimeMinutes: '' },
      `/app/exams/${examId}/candidates`,
    );
    expect(made.response.status, made.body).to.equal(200);
    if (activate) {
      await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    }
    const sealed = new SealedText(world.config.secretKeys, ONE_TIME_PASSWORD_PURPOSE);
    const rows = await world.examgate.sequelize.query<{ id: string; candidate_id: string; username: string; password_sealed: string }>(
      `SELECT c.id, c.candidate_id, o.username, o.password_sealed FROM one_time_users o JOIN candidates c ON c.id = o.candidate_id
        WHERE o.exam_id = :examId ORDER BY c.candidate_id`,
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    return {
      teacher,
      examId,
      people: rows.map((r) => ({
        id: r.id,
        candidateId: r.candidate_id,
        username: r.username,
        password: sealed.open(r.password_sealed)!.plain,
      })),
    };
  }

  const signIn = (form: Record<string, string>, headers: Record<string, string> = { 'sec-fetch-site': 'same-origin' }) =>
    request(world.url).post('/login').set(headers).type('form').send(form);

  it('when the right username and password are given, then a candidate session starts (first-party cookie) and the browser goes to the dashboard', async () => {
    const { examId, people } = await oneTimeUsers(1);
    const [me] = people;
    const answer = await signIn({ username: me!.username, password: me!.password });
    expect(answer.status).to.equal(303);
    expect(answer.headers.location).to.equal('/my');
    const cookie = (answer.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('examgate_candidate='))!;
    expect(cookie).to.match(/HttpOnly/i);
    expect(cookie).to.match(/SameSite=Lax/i);
    expect(cookie).not.to.match(/Partitioned/i);
    const dashboard = await request(world.url).get('/my').set('cookie', cookie.split(';')[0]!);
    expect(dashboard.status).to.equal(200);
    expect(dashboard.text).to.contain(`Login test ${n}`);
    expect(dashboard.text).to.contain(`href="/my/tests/${examId}"`);
    // Typed as it is on the slip, with stray spaces and in capitals, it is the same account.
    const sloppy = await signIn({ username: ` ${me!.username.toUpperCase()} `, password: ` ${me!.password} ` });
    expect(sloppy.status).to.equal(303);
  });

  it('when the page is asked for again and again, then each answer is the empty form with its own nonce, and a session or a message still shows', async () => {
    const pages = await Promise.all([1, 2, 3].map(() => request(world.url).get('/login')));
    for (const page of pages) {
      expect(page.status).to.equal(200);
      expect(page.headers['content-type']).to.match(/^text\/html/);
      expect(page.headers['cache-control']).to.equal('no-store');
      expect(page.text).to.contain('<title>Sign in to your test · examgate</title>');
      expect(page.text).to.contain('name="password"');
      expect(page.text).not.to.contain('still signed in');
    }
    const nonces = pages.map((page) => /'nonce-([^']+)'/.exec(String(page.headers['content-security-policy']))?.[1]);
    expect(new Set(nonces).size).to.equal(3);
    const done = await request(world.url).get('/login?done=signed-out');
    expect(done.text).to.contain('You have signed out.');
    const { people } = await oneTimeUsers(1);
    const signedIn = await signIn({ username: people[0]!.username, password: people[0]!.password });
    const cookie = (signedIn.headers['set-cookie'] as unknown as string[]).find((c) => c.startsWith('examgate_candidate='))!;
    const again = await request(world.url).get('/login').set('cookie', cookie.split(';')[0]!);
    expect(again.text).to.contain('You are still signed in.');
    expect((await request(world.url).get('/login')).text).not.to.contain('still signed in');
  });

  it('when the username is unknown or the password wrong, then both get the same 401 page, the form keeps the username, and nothing is signed in', async () => {
    const { people } = await oneTimeUsers(1);
    const unknown = await signIn({ username: 'nobody-at-all', password: 'whatever-it-is' });
    const wrong = await signIn({ username: people[0]!.username, password: `${people[0]!.password}x` });
    for (const answer of [unknown, wrong]) {
      expect(answer.status).to.equal(401);
      expect(answer.text).to.contain('The username or password is not right.');
      expect(answer.text).to.contain('id="error-summary"');
      expect(answer.text).to.contain('aria-invalid="true"');
      expect(answer.headers['set-cookie'] ?? []).to.satisfy((c: string[]) => !c.some((x) => x.startsWith('examgate_candidate=')));
    }
    const same = (text: string, username: string) => text.replaceAll(username, 'X').replace(/nonce="[^"]+"/g, 'nonce');
    expect(same(unknown.text, 'nobody-at-all')).to.equal(same(wrong.text, people[0]!.username));
    const empty = await signIn({ username: '', password: '' });
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain('Enter the username and the password from your login slip.');
  });

  it('when the test is still a draft, then the credentials sign in and the lobby says it is not open yet', async () => {
    const { examId, people } = await oneTimeUsers(1, false);
    const browser = newBrowser();
    const landed = await browser.follow(`${world.url}/login`, {
      method: 'POST',
      form: { username: people[0]!.username, password: people[0]!.password },
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect(new URL(landed.url).pathname).to.equal('/my');
    const lobby = await browser.follow(`${world.url}/my/tests/${examId}`);
    expect(lobby.body).to.contain('This test is not open yet.');
  });

  it('when the sign-in is posted from another site, or says nothing of where it comes from, then it is refused before any password is checked', async () => {
    const { people } = await oneTimeUsers(1);
    const form = { username: people[0]!.username, password: people[0]!.password };
    expect((await signIn(form, { 'sec-fetch-site': 'cross-site' })).status).to.equal(403);
    expect((await signIn(form, { origin: 'https://evil.example' })).status).to.equal(403);
    expect((await signIn(form, {})).status).to.equal(403);
    expect((await signIn(form, { origin: new URL(world.url).origin })).status).to.equal(303);
  });

  it('when a browser signs in again, then its earlier candidate session ends', async () => {
    const { people } = await oneTimeUsers(2);
    const browser = newBrowser();
    const post = (who: { username: string; password: string }) =>
      browser.follow(`${world.url}/login`, { method: 'POST', form: { ...who }, headers: { 'sec-fetch-site': 'same-origin' } });
    await post(people[0]!);
    const first = browser.cookies(world.url).examgate_candidate!;
    await post(people[1]!);
    expect(browser.cookies(world.url).examgate_candidate).not.to.equal(first);
    const old = await request(world.url).get('/my').set('cookie', `examgate_candidate=${first}`);
    expect(old.status).to.equal(303);
    expect(old.headers.location).to.equal('/login');
  });

  it('when a password is regenerated by staff, then sessions signed in with the old one end', async () => {
    const { teacher, examId, people } = await oneTimeUsers(1);
    const browser = newBrowser();
    await browser.follow(`${world.url}/login`, {
      method: 'POST',
      form: { username: people[0]!.username, password: people[0]!.password },
      headers: { 'sec-fetch-site': 'same-origin' },
    });
    expect((await browser.follow(`${world.url}/my`)).response.status).to.equal(200);
    const confirm = `/app/exams/${examId}/candidates/one-time/${people[0]!.id}/password`;
    const regenerated = await teacher.post(confirm, {}, confirm);
    expect(regenerated.response.status, regenerated.body).to.equal(200);
    expect(new URL((await browser.follow(`${world.url}/my`)).url).pathname).to.equal('/login');
  });

  it('when staff revoke a candidate’s link and code, then the sessions they opened end, and the one the one-time password opened goes on; revoke all ends every link session', async () => {
    const { teacher, examId, people } = await oneTimeUsers(2);
    const list = `/app/exams/${examId}/ways-in`;
    const rows = waysInRows((await openWaysIn(teacher, examId)).body);
    const session = async (signIn: () => Promise<{ headers: Record<string, unknown> }>) => {
      const answer = await signIn();
      return ((answer.headers['set-cookie'] as string[] | undefined) ?? [])
        .find((c) => c.startsWith('examgate_candidate='))!
        .split(';')[0]!;
    };
    const alive = async (cookie: string) => (await request(world.url).get('/my').set('cookie', cookie)).status === 200;
    const [first, second] = people;
    const byLink = await session(() => postLink(world, tokenOf(rows.find((r) => r.id === first!.id)!.link!)));
    const byCode = await session(() => postCode(world, rows.find((r) => r.id === first!.id)!.code!));
    const byPassword = await session(() => signIn({ username: first!.username, password: first!.password }));
    const otherByLink = await session(() => postLink(world, tokenOf(rows.find((r) => r.id === second!.id)!.link!)));
    expect(await Promise.all([byLink, byCode, byPassword, otherByLink].map(alive))).to.deep.equal([true, true, true, true]);

    const revoke = `${list}/${first!.id}/revoke`;
    await teacher.post(revoke, {}, revoke);
    expect(await Promise.all([byLink, byCode, byPassword, otherByLink].map(alive))).to.deep.equal([false, false, true, true]);

    await teacher.post(`${list}/revoke-all`, {}, `${list}/revoke-all`);
    expect(await Promise.all([byPassword, otherByLink].map(alive))).to.deep.equal([true, false]);
  });

  it('when sign-ins succeed and fail, then each is in the audit trail with its way in, and no password ever is', async () => {
    const { examId, people } = await oneTimeUsers(1);
    await signIn({ username: people[0]!.username, password: 'not-the-password' });
    await signIn({ username: people[0]!.username, password: people[0]!.password });
    const entries = (await auditRows(world, "entity_type = 'sign-in' AND (exam_id = :examId OR exam_id IS NULL)", { examId })).slice(-2);
    const [failed, succeeded] = entries;
    expect(succeeded).to.include({
      actor_kind: 'candidate',
      via: 'sign-in',
      action: 'succeeded',
      entity_id: people[0]!.id,
      exam_id: examId,
    });
    expect(succeeded!.changes.way).to.deep.equal({ from: null, to: 'one-time' });
    expect(failed).to.include({ actor_kind: 'anonymous', action: 'failed' });
    expect(failed!.changes.reason).to.deep.equal({ from: null, to: 'wrong-credentials' });
    // One-time or permanent: the login page cannot tell, so it does not guess.
    expect(failed!.changes.way).to.deep.equal({ from: null, to: 'login-page' });
    for (const entry of entries) {
      expect(entry.raw).not.to.contain(people[0]!.password);
      expect(entry.raw).not.to.contain('not-the-password');
    }
  });

  describe('throttling', () => {
    const rules = () => throttleRules(world.config).candidateLogin;
    const preload = (rule: ThrottleRule, key: string, hits: number) => preloadThrottle(world, rule, key, hits);

    it('when one username has failed as often as allowed, then even its right password gets the 429 page, while another username from the same address still signs in', async () => {
      const { people } = await oneTimeUsers(2);
      const [target, neighbour] = people;
      const limit = rules().failuresPerAccount!.limit;
      for (let i = 0; i < limit; i += 1) {
        expect((await signIn({ username: target!.username, password: `wrong-${i}` })).status).to.equal(401);
      }
      const locked = await signIn({ username: target!.username, password: target!.password });
      expect(locked.status).to.equal(429);
      expect(locked.headers['retry-after']).to.match(/^\d+$/);
      // Spelled otherwise, it is still the same account.
      expect((await signIn({ username: target!.username.toUpperCase(), password: target!.password })).status).to.equal(429);
      expect((await signIn({ username: neighbour!.username, password: neighbour!.password })).status).to.equal(303);
    });

    it('when a whole room signs in from one address, then the address limits let it in: failures and attempts are counted per address well above a room', async () => {
      const { failuresPerAddress, attemptsPerAddress } = rules();
      expect(failuresPerAddress!.limit).to.be.at.least(1500 * 0.5);
      expect(attemptsPerAddress!.limit).to.be.at.least(1500 * 3);
      const { people } = await oneTimeUsers(1);
      await preload(failuresPerAddress!, '127.0.0.1', failuresPerAddress!.limit - 1);
      expect((await signIn({ username: 'nobody-at-all', password: 'x-x-x-x' })).status).to.equal(401);
      const blocked = await signIn({ username: people[0]!.username, password: people[0]!.password });
      expect(blocked.status).to.equal(429);
      expect(blocked.text).to.contain('try again');
    });
  });
});
