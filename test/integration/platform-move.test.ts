import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { ROLE_INSTRUCTOR, SimulatedLms } from '../../src/lms-sim/index.js';
import type { Platform } from '../../src/platforms/platform.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { auditRows } from '../support/audit.js';
import { createExam, instructorOf, learnerLaunch, placeExam } from '../support/course-session.js';
import { newBrowser, resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { platformCli } from '../support/platform-cli.js';
import { frameAncestorsOf, openRegistration, platformsOf, removePlatformsOf } from '../support/registration.js';

const COURSE = { id: 'moodle-course-7', title: 'Mechanics' };
const LINK = { id: 'moodle-activity-41', title: 'Mechanics final' };

/**
 * A Moodle that registered examgate twice: the same site (issuer), a new client id, tool type
 * (deployment) and, in the simulator, endpoints of their own.
 */
describe('Moving a platform to a new registration of the same LMS', function () {
  this.timeout(60_000);
  let world: TestWorld;
  let oldLms: SimulatedLms;
  let newLms: SimulatedLms;
  let cookie: string;

  const asTool = (lms: SimulatedLms) => {
    const tool = toolConfiguration(world.url);
    lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl, deepLinkingUrl: tool.deepLinkingUrl });
    return lms;
  };
  before(async () => {
    world = await startWorld();
    oldLms = asTool(await SimulatedLms.start({ clientId: 'moodle-old', deploymentId: '2' }));
    newLms = asTool(await SimulatedLms.start({ clientId: 'moodle-new', deploymentId: '7', issuer: oldLms.issuer }));
  });
  beforeEach(async () => {
    await resetLaunchState(world);
    const signedIn = await request(world.url).post('/admin/sign-in').type('form').send({ token: world.adminToken });
    cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
  });
  afterEach(() => removePlatformsOf(world, oldLms.issuer));
  after(() => Promise.all([oldLms.close(), newLms.close()]));

  const admin = {
    get: (path: string) => request(world.url).get(path).set('cookie', cookie),
    post: async (path: string, form: Record<string, string>) => {
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await admin.get('/admin')).text)![1]!;
      return request(world.url)
        .post(path)
        .set('cookie', cookie)
        .type('form')
        .send({ _csrf: csrf, ...form });
    },
  };

  /** The old registration with a course, a test placed at a link, and a candidate who launched. */
  async function oldRegistrationWithATest() {
    const platform = await world.examgate.platforms.register({ ...oldLms.registration, name: 'Moodle (2024)' }, TEST_SETUP);
    const teacher = await instructorOf(world, COURSE, { lms: oldLms, resourceLink: LINK });
    const examId = await createExam(teacher, { title: 'Mechanics final' });
    const custom = await placeExam(world, teacher, examId, COURSE, oldLms);
    const student = await learnerLaunch(
      world,
      { sub: 'moodle-user-3', name: 'Emmy Noether' },
      { lms: oldLms, context: COURSE, resourceLink: LINK, custom },
    );
    expect(student.landing.body).to.contain('id="lobby-state"');
    return { platform, teacher, examId, custom };
  }

  /** Moodle's "Add LTI Advantage" with a registration URL: the new registration, pending. */
  async function registerAgainDynamically(): Promise<{ platform: Platform; page: string }> {
    const url = (await world.examgate.registrationUrls.create()).url;
    const page = await openRegistration(newLms.registrationInitiationUrl(url));
    expect(page.status, page.body).to.equal(200);
    const platform = (await platformsOf(world, oldLms.issuer)).find((p) => p.clientId === 'moodle-new')!;
    return { platform, page: page.body };
  }
  const candidatesOf = (examId: string) =>
    world.examgate.sequelize.query<{ lms_user_id: string }>('SELECT lms_user_id FROM candidates WHERE exam_id = :examId', {
      replacements: { examId },
      type: QueryTypes.SELECT,
    });
  const ltijsClientIds = async () =>
    (
      await world.examgate.sequelize.query<{ clientId: string }>('SELECT "clientId" FROM platforms WHERE "platformUrl" = :issuer', {
        replacements: { issuer: oldLms.issuer },
        type: QueryTypes.SELECT,
      })
    ).map((row) => row.clientId);

  it('when Moodle registers examgate again, then the LMS is told it starts empty and the admin page explains the choice and offers the move', async () => {
    const { platform: old } = await oldRegistrationWithATest();
    const { platform: fresh, page } = await registerAgainDynamically();
    expect(page).to.contain('already had a registration of this LMS').and.contain('move the earlier registration to this one');
    expect(page, 'the LMS learns nothing of the other registration').not.to.contain('Moodle (2024)');
    expect(fresh).to.include({ status: 'pending', issuer: old.issuer });

    // Through the new registration the same course shows none of its tests: the problem the move solves.
    await world.examgate.platforms.approvePlatform(fresh.id, TEST_SETUP);
    const separate = await instructorOf(world, COURSE, { lms: newLms, resourceLink: null, messageType: 'LtiDeepLinkingRequest' });
    expect(separate.landing.body).not.to.contain('Mechanics final');
    await world.examgate.sequelize.query('UPDATE lms_platforms SET status = :status WHERE id = :id', {
      replacements: { status: 'pending', id: fresh.id },
    });

    const list = await admin.get('/admin');
    expect(list.text).to.contain('This LMS is registered more than once.');
    expect(list.text).to.contain(`<a href="/admin/platforms/${old.id}/move?to=${fresh.id}">Move Moodle (2024) to this registration…</a>`);
    expect(list.text).to.contain('1 course, 1 test, 1 candidate');
    expect(list.text).to.contain('Approve as a separate platform');
    const confirm = await admin.get(`/admin/platforms/${old.id}/move?to=${fresh.id}`);
    expect(confirm.status).to.equal(200);
    expect(confirm.text).to.contain('<h1>Move Moodle (2024) to the new registration?</h1>');
    for (const value of ['moodle-old', 'moodle-new', oldLms.jwksUrl, newLms.jwksUrl, newLms.authUrl]) {
      expect(confirm.text, value).to.contain(`<code>${value}</code>`);
    }
    expect(confirm.text).to.contain('1 course, 1 test, 1 candidate').and.contain('no longer waits for approval');
  });

  it('when the admin moves the old platform, then the same course keeps its test and candidate through the new registration, and the old client id is refused', async () => {
    const { platform: old, teacher, examId, custom } = await oldRegistrationWithATest();
    const { platform: fresh } = await registerAgainDynamically();
    const moved = await admin.post(`/admin/platforms/${old.id}/move`, { to: fresh.id });
    expect(moved.status, moved.text).to.equal(303);
    expect(moved.headers.location).to.equal(`/admin?done=moved#platform-${old.id}`);
    expect((await admin.get('/admin?done=moved')).text).to.contain('role="status">The platform is moved to its new registration');

    const [only, ...others] = await platformsOf(world, oldLms.issuer);
    expect(others, 'the new registration is no platform of its own any more').to.have.length(0);
    expect(only).to.include({ id: old.id, name: 'Moodle (2024)', clientId: 'moodle-new', status: 'active' });
    expect(only).to.include({ authUrl: newLms.authUrl, tokenUrl: newLms.tokenUrl, jwksUrl: newLms.jwksUrl });
    expect(only!.deployments.map((d) => d.deploymentId)).to.deep.equal(['7']);
    expect(await ltijsClientIds(), 'ltijs keeps only the new registration').to.deep.equal(['moodle-new']);

    const placed = await instructorOf(world, COURSE, { lms: newLms, resourceLink: LINK, custom });
    expect(placed.landing.url, 'the placed link opens its test').to.equal(`${world.url}/app/exams/${examId}`);
    expect((await placed.get('/app/exams')).body).to.contain('Mechanics final');
    const student = await learnerLaunch(world, { sub: 'moodle-user-3' }, { lms: newLms, context: COURSE, resourceLink: LINK, custom });
    expect(student.landing.body).to.contain('Mechanics final').and.contain('id="lobby-state"');
    expect(await candidatesOf(examId), 'the same candidate, not a second one').to.deep.equal([{ lms_user_id: 'moodle-user-3' }]);

    const refused = await oldLms.launch(newBrowser(), { user: { sub: 'moodle-user-3' }, context: COURSE, resourceLink: LINK });
    expect(refused.status).to.equal(401);
    expect(refused.body).to.contain('not registered with examgate');
    expect((await teacher.get('/app/exams')).response.status, 'who was signed in stays signed in').to.equal(200);
    expect(await frameAncestorsOf(world.url)).to.include(new URL(newLms.authUrl).origin);

    const [register, ...rest] = await auditRows(world, 'platform_id = :id', { id: old.id });
    expect(register).to.include({ action: 'register' });
    const move = rest.find((e) => e.action === 'move')!;
    expect(move).to.include({ entity_type: 'platform', actor_kind: 'admin', via: 'admin-page' });
    expect(move.changes).to.deep.include({
      clientId: { from: 'moodle-old', to: 'moodle-new' },
      authUrl: { from: oldLms.authUrl, to: newLms.authUrl },
      jwksUrl: { from: oldLms.jwksUrl, to: newLms.jwksUrl },
      deploymentIds: { from: '2', to: '7' },
    });
    const deployments = rest.filter((e) => e.entity_type === 'deployment').map((e) => [e.action, e.entity_id]);
    expect(deployments).to.deep.include.members([
      ['remove', '2'],
      ['add', '7'],
    ]);
    const [ended] = await auditRows(world, `platform_id = :id AND action = 'remove'`, { id: fresh.id });
    expect(ended!.changes).to.deep.equal({ movedInto: { from: null, to: 'Moodle (2024)' } });
    const [url] = await world.examgate.registrationUrls.list();
    expect(url).to.include({ status: 'used', usedByPlatformName: 'Moodle (2024)' });
  });

  it('when the new registration already had launches, then its empty courses are dropped and the old platform’s course stays', async () => {
    const { platform: old, examId } = await oldRegistrationWithATest();
    const { platform: fresh } = await registerAgainDynamically();
    await world.examgate.platforms.approvePlatform(fresh.id, TEST_SETUP);
    const early = await instructorOf(world, COURSE, { lms: newLms, resourceLink: { id: 'new-tool-activity' } });
    expect(early.landing.body, 'an empty course of its own').to.contain('Choose the test for this link').and.not.contain('Mechanics final');

    const moved = await world.examgate.platformMoves.move(old.id, fresh.id, TEST_SETUP);
    expect(moved.clientId).to.equal('moodle-new');
    const courses = await world.examgate.sequelize.query<{ platform_id: string }>(
      'SELECT platform_id FROM courses WHERE context_id = :id',
      {
        replacements: { id: COURSE.id },
        type: QueryTypes.SELECT,
      },
    );
    expect(courses).to.deep.equal([{ platform_id: old.id }]);
    expect((await early.get('/app/exams')).response.status, 'a session of the ended platform is over').to.equal(401);
    const again = await instructorOf(world, COURSE, { lms: newLms, resourceLink: { id: 'new-tool-activity' } });
    expect(again.landing.body).to.contain('Choose the test for this link').and.contain('Mechanics final');
    expect(await candidatesOf(examId)).to.have.length(1);
  });

  it('when the move cannot be done, then the page says why and changes nothing: another LMS, itself, a registration with tests', async () => {
    const { platform: old } = await oldRegistrationWithATest();
    const world1 = (await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId))!;
    const otherLms = await admin.get(`/admin/platforms/${old.id}/move?to=${world1.id}`);
    expect(otherLms.status).to.equal(409);
    expect(otherLms.text).to.contain('are different LMSs').and.contain('role="alert"');
    const itself = await admin.post(`/admin/platforms/${old.id}/move`, { to: old.id });
    expect(itself.status).to.equal(409);
    expect(itself.text).to.contain('cannot be moved to its own registration');

    const { platform: fresh } = await registerAgainDynamically();
    await world.examgate.platforms.approvePlatform(fresh.id, TEST_SETUP);
    const teacher = await instructorOf(world, { id: 'moodle-course-8' }, { lms: newLms });
    await createExam(teacher, { title: 'Made through the new tool' });
    const full = await admin.post(`/admin/platforms/${old.id}/move`, { to: fresh.id });
    expect(full.status).to.equal(409);
    expect(full.text).to.contain('already holds 1 test of its own');
    expect((await admin.get(`/admin/platforms/${old.id}/move`)).text, 'not offered as a target').to.contain('No other registration of');
    expect((await world.examgate.platforms.get(old.id)).clientId).to.equal('moodle-old');
    expect(await auditRows(world, `action = 'move'`)).to.have.length(0);
  });

  it('when the platform to remove holds tests, then the confirmation says they go with it and offers the move instead', async () => {
    const { platform: old } = await oldRegistrationWithATest();
    const page = await admin.get(`/admin/platforms/${old.id}/remove`);
    expect(page.text).to.contain('1 course, 1 test, 1 candidate').and.contain('are deleted with it');
    expect(page.text).to.contain(`href="/admin/platforms/${old.id}/move"`);
  });

  it('when the admin API moves a platform, then it answers with the moved platform', async () => {
    const { platform: old } = await oldRegistrationWithATest();
    const { platform: fresh } = await registerAgainDynamically();
    const answer = await request(world.url)
      .post(`/admin/api/platforms/${old.id}/move`)
      .set({ authorization: `Bearer ${world.adminToken}` })
      .send({ to: fresh.id });
    expect(answer.status, answer.text).to.equal(200);
    expect(answer.body.platform).to.include({ id: old.id, clientId: 'moodle-new' });
    expect(answer.body.platform).not.to.have.property('ltijsPlatformId');
    const [entry] = await auditRows(world, `action = 'move'`);
    expect(entry).to.include({ via: 'admin-api' });
  });

  it('when an operator registers the new client id with the CLI, then it prints the values for its PUBLIC_URL and the move command, which works', async () => {
    const { platform: old, examId, custom } = await oldRegistrationWithATest();
    const added = await platformCli(
      world,
      [
        'add',
        '--issuer',
        newLms.issuer,
        '--client-id',
        'moodle-new',
        '--deployment-id',
        '7',
        '--auth-url',
        newLms.authUrl,
        '--token-url',
        newLms.tokenUrl,
        '--jwks-url',
        newLms.jwksUrl,
      ],
      { PUBLIC_URL: 'https://examgate.example.edu' },
    );
    expect(added.code, added.stderr).to.equal(0);
    expect(added.stdout).to.contain('OpenID Connect login URL ...... https://examgate.example.edu/lti/login');
    expect(added.stderr).not.to.contain('WARNING');
    const fresh = (await platformsOf(world, oldLms.issuer)).find((p) => p.clientId === 'moodle-new')!;
    expect(added.stdout).to.contain(
      `is also registered as:\n  ${old.id}  Moodle (2024)  client id moodle-old  (1 course, 1 test, 1 candidate)`,
    );
    const command = /npm run platform -- (move --id \S+ --to \S+)/.exec(added.stdout)?.[1];
    expect(command).to.equal(`move --id ${old.id} --to ${fresh.id}`);

    const moved = await platformCli(world, command!.split(' '));
    expect(moved.code, moved.stderr).to.equal(0);
    expect(moved.stdout).to.contain('Moved Moodle (2024) to the registration with client id moodle-new (was moodle-old)');
    expect(moved.stdout).to.contain('It keeps what it holds (1 course, 1 test, 1 candidate)');
    const placed = await instructorOf(world, COURSE, { lms: newLms, resourceLink: LINK, custom, roles: [ROLE_INSTRUCTOR] });
    expect(placed.landing.url).to.equal(`${world.url}/app/exams/${examId}`);
    const [entry] = await auditRows(world, `action = 'move'`);
    expect(entry).to.include({ via: 'cli', actor_kind: 'admin' });

    const zoned = await platformCli(world, ['set-time-zone', '--id', old.id, '--time-zone', 'Europe/Vienna']);
    expect(zoned.code, zoned.stderr).to.equal(0);
    expect(zoned.stdout).to.contain('New tests of Moodle (2024) start in Europe/Vienna');
    expect((await world.examgate.platforms.get(old.id)).defaultTimeZone).to.equal('Europe/Vienna');
    const wrong = await platformCli(world, ['set-time-zone', '--id', old.id, '--time-zone', 'Vienna']);
    expect(wrong.code).to.equal(1);
    expect(wrong.stderr).to.contain('"Vienna" is not a time zone').and.contain('(--time-zone)');
  });

  it('when the CLI runs with the development PUBLIC_URL, then it warns loudly that an LMS cannot reach the addresses it prints', async () => {
    const created = await platformCli(world, ['registration-url'], { PUBLIC_URL: 'http://localhost:3000' });
    expect(created.code, created.stderr).to.equal(0);
    expect(created.stdout).to.match(/http:\/\/localhost:3000\/lti\/register\/\S+/);
    expect(created.stderr).to.contain("WARNING: PUBLIC_URL is http://localhost:3000, examgate's development default.");
    expect(created.stderr).to.contain('the URLs below will not work').and.contain('the URLs above will not work');
  });
});
