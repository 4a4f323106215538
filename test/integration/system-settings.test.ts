import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { startDeliveryEngine, type RunningDeliveryEngine } from '../../examples/delivery-engine/server.js';
import { Browser, submitAutoPostForm } from '../../src/lms-sim/index.js';
import type { CandidatePrincipal } from '../../src/sessions/candidate-principal.js';
import { auditRows } from '../support/audit.js';
import { createExam, csrfOf, instructorOf, pressStart } from '../support/course-session.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { download } from '../support/exports.js';
import { slipsOf, testWithOneTimeUsers } from '../support/handout.js';
import { courseWithTest, openWaysIn, postLink, tokenOf, waysInRows } from '../support/ways-in.js';

const EMPTY = { finishRedirectUrl: '', linkLifetimeHours: '', csvDelimiter: '', slipPassword: '', slipEntryCode: '', slipLink: '' };

describe('System settings (admin page): each changes what examgate does, validated and audited', () => {
  let world: TestWorld;
  let engine: RunningDeliveryEngine;
  let cookie: string;
  let n = 0;

  before(async () => {
    world = await startWorld();
    engine = await startDeliveryEngine({ examgateUrl: world.url, log: () => undefined });
  });
  after(() => engine.close());
  beforeEach(async () => {
    await resetLaunchState(world);
    const signedIn = await request(world.url).post('/admin/sign-in').type('form').send({ token: world.adminToken });
    cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
  });
  // Back to nothing set, through the service (which drops its copy): later files see the defaults.
  afterEach(async () => {
    await world.examgate.sequelize.query('DELETE FROM system_settings');
    world.examgate.settings.forget();
  });

  const page = () => request(world.url).get('/admin/settings').set('cookie', cookie);
  const save = async (scope: string, fields: Partial<typeof EMPTY>) => {
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await page()).text)![1]!;
    return request(world.url)
      .post(`/admin/settings/${encodeURIComponent(scope)}`)
      .set('cookie', cookie)
      .type('form')
      .send({ ...EMPTY, ...fields, _csrf: csrf });
  };
  const platformOf = async (examId: string) =>
    (
      await world.examgate.sequelize.query<{ platform_id: string }>(
        'SELECT co.platform_id FROM exams e JOIN courses co ON co.id = e.course_id WHERE e.id = :examId',
        { replacements: { examId }, type: QueryTypes.SELECT },
      )
    )[0]!.platform_id;
  const worldPlatform = async () => (await world.examgate.platforms.list()).find((p) => p.clientId === 'examgate-client')!;

  it('when no admin is signed in, then the page and its forms give nothing; a form without its CSRF token is refused', async () => {
    const anonymous = await request(world.url).get('/admin/settings');
    expect(anonymous.status).to.equal(401);
    expect(anonymous.text).to.not.contain('Finish redirect URL');
    const posted = await request(world.url)
      .post('/admin/settings/installation')
      .type('form')
      .send({ ...EMPTY, finishRedirectUrl: 'https://x.example' });
    expect(posted.status).to.equal(401);
    const noCsrf = await request(world.url)
      .post('/admin/settings/installation')
      .set('cookie', cookie)
      .type('form')
      .send({ ...EMPTY, finishRedirectUrl: 'https://x.example' });
    expect(noCsrf.status).to.equal(403);
    expect((await world.examgate.settings.forInstallation()).finishRedirectUrl).to.equal(null);
  });

  it('when an LMS user (even an instructor) asks for the page, then they get the admin sign-in refusal, not the settings', async () => {
    const { teacher } = await courseWithTest(world, 0, {}, false);
    const asStaff = await teacher.get('/admin/settings');
    expect(asStaff.response.status).to.equal(401);
    expect(asStaff.body).to.not.contain('Default lifetime of direct links');
  });

  it('when the admin saves the installation default and a platform override, then both are stored, the page says so, and each is audited old → new', async () => {
    const platform = await worldPlatform();
    const first = await save('installation', { finishRedirectUrl: 'https://exams.example.edu/done', csvDelimiter: 'semicolon' });
    expect(first.status, first.text).to.equal(303);
    expect(first.headers.location).to.equal('/admin/settings?done=saved#installation');
    const shown = await request(world.url).get('/admin/settings?done=saved').set('cookie', cookie);
    expect(shown.text).to.contain('role="status">The settings are saved.');
    expect(shown.text).to.match(/id="installation-finishRedirectUrl" name="finishRedirectUrl" value="https:\/\/exams.example.edu\/done"/);
    expect(shown.text).to.contain(`Not set here: as the installation: semicolon (;)`);

    const second = await save(platform.id, { linkLifetimeHours: '48', slipPassword: 'hide' });
    expect(second.status, second.text).to.equal(303);
    const effective = await world.examgate.settings.forPlatform(platform.id);
    expect(effective).to.deep.equal({
      finishRedirectUrl: 'https://exams.example.edu/done',
      linkLifetimeHours: 48,
      csvDelimiter: ';',
      slips: { password: false, entryCode: true, link: true },
    });

    const entries = await auditRows(world, `entity_type = 'settings'`);
    expect(entries).to.have.length(2);
    expect(entries[0]).to.include({
      entity_id: 'installation',
      action: 'update',
      actor_kind: 'admin',
      via: 'admin-page',
      platform_id: null,
    });
    expect(entries[0]!.changes).to.deep.equal({
      finishRedirectUrl: { from: null, to: 'https://exams.example.edu/done' },
      csvDelimiter: { from: null, to: ';' },
    });
    expect(entries[1]).to.include({ entity_id: platform.id, platform_id: platform.id, label: platform.name });
    expect(entries[1]!.changes).to.deep.equal({ linkLifetimeHours: { from: null, to: 48 }, slipPassword: { from: null, to: false } });
    // The same values again change nothing and add no entry; the admin history lists settings.
    await save(platform.id, { linkLifetimeHours: '48', slipPassword: 'hide' });
    expect(await auditRows(world, `entity_type = 'settings'`)).to.have.length(2);
    const history = await request(world.url).get('/admin/history?entity=settings').set('cookie', cookie);
    expect(history.text).to.contain('System settings').and.contain('link lifetime (hours)');
  });

  it('when the values do not hold, then 400 with every problem at once, each linked to its field and kept as typed, and nothing saved', async () => {
    const refused = await save('installation', { finishRedirectUrl: 'ftp://files.example', linkLifetimeHours: '0', csvDelimiter: 'tab' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('There is a problem');
    expect(refused.text).to.contain(
      '<a href="#installation-finishRedirectUrl">The finish redirect URL must start with https:// or http://, not ftp:.',
    );
    expect(refused.text).to.contain(
      '<a href="#installation-linkLifetimeHours">The link lifetime must be a whole number of hours from 1 to 8760',
    );
    expect(refused.text).to.contain('<a href="#installation-csvDelimiter">Choose the CSV separator');
    expect(refused.text).to.match(
      /id="installation-finishRedirectUrl" name="finishRedirectUrl" value="ftp:\/\/files.example"[^>]*aria-invalid="true"/,
    );
    for (const [typed, message] of [
      ['/done', 'must be a full address starting with https://'],
      ['https://user:pw@exams.example', 'must not contain a user name or password'],
    ] as const) {
      const again = await save('installation', { finishRedirectUrl: typed });
      expect(again.status).to.equal(400);
      expect(again.text).to.contain(message);
    }
    for (const hours of ['8761', '2.5', 'soon']) {
      expect((await save('installation', { linkLifetimeHours: hours })).text).to.contain('The link lifetime must be a whole number');
    }
    const nothing = await save('installation', { slipPassword: 'hide', slipEntryCode: 'hide', slipLink: 'hide' });
    expect(nothing.status).to.equal(400);
    expect(nothing.text).to.contain('Slips must show at least one way in');
    expect(await auditRows(world, `entity_type = 'settings'`)).to.have.length(0);
    expect(await world.examgate.sequelize.query('SELECT * FROM system_settings', { type: QueryTypes.SELECT })).to.have.length(0);
  });

  it('when a platform that does not exist is named, then 404', async () => {
    const missing = await save('no-such-platform', { csvDelimiter: 'comma' });
    expect(missing.status).to.equal(404);
  });

  async function finishedOneTimeCandidate(finishRedirectUrl: string) {
    n += 1;
    const teacher = await instructorOf(world, { id: `settings-finish-${n}`, title: 'Physics' });
    const examId = await createExam(teacher, {
      title: `Physics ${n}`,
      timeZone: 'Europe/Oslo',
      deliveryUrl: engine.url,
      finishRedirectUrl,
    });
    await teacher.post(`/app/exams/${examId}/candidates`, { candidateId: `S-${n}` }, `/app/exams/${examId}/candidates`);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const [row] = await world.examgate.sequelize.query<{ id: string }>('SELECT id FROM candidates WHERE exam_id = :examId', {
      replacements: { examId },
      type: QueryTypes.SELECT,
    });
    const principal: CandidatePrincipal = { way: 'one-time', platformId: await platformOf(examId), examId, candidateId: row!.id };
    return async () => {
      const { token } = await world.examgate.sessions.startCandidate(principal);
      const browser = new Browser();
      browser.storeCookie(world.url, `examgate_candidate=${token}; Path=/; HttpOnly; SameSite=Lax`);
      const lobby = await browser.follow(`${world.url}/my/tests/${examId}`, { headers: { 'sec-fetch-dest': 'document' } });
      const handoff = await pressStart(world, browser, lobby.body, { 'sec-fetch-site': 'same-origin' });
      const form = submitAutoPostForm(handoff.body)!;
      const enginePage = await browser.follow(form.action, { method: 'POST', form: form.fields });
      const action = /<form method="post" action="([^"]+)"/.exec(enginePage.body)![1]!;
      let current = new URL(action.replace(/&amp;/g, '&'), enginePage.url).href;
      let response = await browser.request(current, { method: 'POST', form: { _csrf: csrfOf(enginePage.body), q1: '42', q2: '11' } });
      // Through the engine's and examgate's own redirects, up to where the candidate is sent: elsewhere, or the login page.
      const ours = [new URL(world.url).origin, new URL(engine.url).origin];
      for (let hop = 0; hop < 5; hop += 1) {
        const location = response.headers.get('location');
        if (location === null) {
          return current;
        }
        const next = new URL(location, current);
        if (!ours.includes(next.origin)) {
          return next.href;
        }
        if (next.pathname === '/login') {
          return next.pathname + next.search;
        }
        await response.arrayBuffer();
        current = next.href;
        response = await browser.request(current);
      }
      throw new Error('too many redirects');
    };
  }

  it('when a one-time candidate finishes, then they go to the platform’s finish URL, else the installation’s, else the login page; the test’s own URL beats them all', async () => {
    const platform = await worldPlatform();
    const where = async (testUrl = '') => (await finishedOneTimeCandidate(testUrl))();
    expect(await where()).to.equal('/login?done=finished');
    await save('installation', { finishRedirectUrl: 'https://exams.example.edu/all-done' });
    expect(await where()).to.equal('https://exams.example.edu/all-done');
    await save(platform.id, { finishRedirectUrl: 'https://faculty.example.edu/finished' });
    expect(await where()).to.equal('https://faculty.example.edu/finished');
    expect(await where('https://own.example.edu/test-done')).to.equal('https://own.example.edu/test-done');
  });

  it('when the platform sets a default link lifetime, then links issued after it expire then; links issued before keep theirs', async () => {
    const before = await courseWithTest(world, 1);
    const [old] = waysInRows((await openWaysIn(before.teacher, before.examId)).body);
    const platform = await worldPlatform();
    await save(platform.id, { linkLifetimeHours: '2' });
    const issuedAt = Date.now();
    const { teacher, examId } = await courseWithTest(world, 1);
    const [fresh] = waysInRows((await openWaysIn(teacher, examId)).body);
    const stored = await world.examgate.sequelize.query<{ exam_id: string; expires_at: string | Date | null }>(
      'SELECT exam_id, expires_at FROM ways_in WHERE exam_id IN (:ids)',
      { replacements: { ids: [before.examId, examId] }, type: QueryTypes.SELECT },
    );
    for (const row of stored.filter((r) => r.exam_id === before.examId)) {
      expect(row.expires_at).to.equal(null);
    }
    for (const row of stored.filter((r) => r.exam_id === examId)) {
      const ends = new Date(row.expires_at!).getTime();
      expect(ends).to.be.within(issuedAt + 2 * 3_600_000 - 5_000, Date.now() + 2 * 3_600_000);
    }
    expect((await postLink(world, tokenOf(fresh!.link!))).status).to.equal(303);
    // Two hours later (the stored end moved back, as the clock would have moved on): the new link says it expired, the old one still opens.
    await world.examgate.sequelize.query('UPDATE ways_in SET expires_at = :past WHERE exam_id = :examId', {
      replacements: { past: new Date(Date.now() - 60_000), examId },
    });
    const expired = await postLink(world, tokenOf(fresh!.link!));
    expect(expired.status).to.equal(410);
    expect(expired.text).to.contain('has expired');
    expect((await postLink(world, tokenOf(old!.link!))).status).to.equal(303);
  });

  it('when the platform’s CSV separator is ";", then an export that names none uses it whatever the browser’s language, and the form starts on it', async () => {
    const { teacher, examId } = await courseWithTest(world, 2);
    const english = { 'accept-language': 'en-US' };
    const before = await download(world, teacher, `/app/exams/${examId}/export.csv`, english);
    expect(before.bytes.toString('utf8').split('\r\n')[0]).to.contain('Candidate ID,');
    await save(await platformOf(examId), { csvDelimiter: 'semicolon' });
    const after = await download(world, teacher, `/app/exams/${examId}/export.csv`, english);
    expect(after.status).to.equal(200);
    expect(after.bytes.toString('utf8').split('\r\n')[0]).to.contain('Candidate ID;');
    // Chosen on the form, the user's choice still wins.
    const chosen = await download(world, teacher, `/app/exams/${examId}/export.csv?delimiter=auto`, english);
    expect(chosen.bytes.toString('utf8').split('\r\n')[0]).to.contain('Candidate ID,');
    const list = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(list.body).to.match(/<option value="semicolon" selected>/);
  });

  it('when the slips are set to hide the password, then no slip shows a username or password (entry code and link remain); the staff’s own page still does', async () => {
    const { teacher, examId, rows } = await testWithOneTimeUsers(world, 2);
    await save(await platformOf(examId), { slipPassword: 'hide' });
    const body = (await teacher.get(`/app/exams/${examId}/slips`)).body;
    const slips = slipsOf(body);
    expect(slips).to.have.length(2);
    for (const slip of slips) {
      expect(slip).to.include({ username: null, password: null });
      expect(slip.code).to.be.a('string');
      expect(slip.link).to.be.a('string');
    }
    for (const row of rows) {
      expect(body).to.not.contain(row.username);
    }
    const details = await teacher.get(`/app/exams/${examId}/handout/${slips[0]!.id}`);
    expect(details.body).to.contain('data-password');
    await save(await platformOf(examId), { slipLink: 'hide', slipEntryCode: 'hide' });
    const bare = slipsOf((await teacher.get(`/app/exams/${examId}/slips`)).body);
    expect(bare[0]).to.include({ link: null, code: null, svg: null });
    expect(bare[0]!.password).to.be.a('string');
  });
});
