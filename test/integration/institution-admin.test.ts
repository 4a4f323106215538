import { expect } from 'chai';
import request from 'supertest';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { stepAt, totpCode } from '../../src/security/totp.js';
import { throttleRules } from '../../src/throttle/throttle-rules.js';
import { auditRows } from '../support/audit.js';
import { launchSession } from '../support/course-session.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, ADMIN_PASSWORD, asAdmin, institutionSignIn, platformIdOf, userInput } from '../support/institution.js';
import { spawn } from 'node:child_process';
import { AdminAccountRepository } from '../../src/admins/admin-account.repository.js';
import { AdminAccounts, TOTP_SECRET_PURPOSE } from '../../src/admins/admin-account.service.js';
import type { SecretKeys } from '../../src/config.js';
import { SealedText } from '../../src/secrets/sealed-text.js';

const INSTITUTION_ADMIN = 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#Administrator';
const WRONG = 'The username, password or code is not right.';

function adminCli(world: TestWorld, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/admin.ts', ...args], {
    env: { PATH: process.env.PATH, NODE_ENV: 'test', DATABASE_URL: world.config.DATABASE_URL, PUBLIC_URL: world.url, LOG_LEVEL: 'silent' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += String(chunk)));
  child.stderr.on('data', (chunk: Buffer) => (stderr += String(chunk)));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

describe('Institution admins: accounts, sign-in, two-step, walls', () => {
  let world: TestWorld;
  let platformId: string;
  let otherPlatformId: string;
  beforeEach(async function () {
    this.timeout(60_000);
    world = await startWorld();
    platformId = await platformIdOf(world);
    otherPlatformId = await platformIdOf(world, world.otherLms);
  });

  it('when the CLI adds an admin account, then it prints a generated password once, and that password signs in to the platform’s area', async function () {
    this.timeout(60_000);
    const added = await adminCli(world, ['add', '--platform', platformId, '--username', 'Exam.Office']);
    expect(added.code, added.stderr).to.equal(0);
    const password = /Password \(shown only now\): (\S+)/.exec(added.stdout)?.[1];
    expect(password).to.match(/^[A-Za-z2-9]{14}$/);
    const listed = await adminCli(world, ['list', '--platform', platformId]);
    expect(listed.stdout).to.contain('Exam.Office\ttwo-step off');
    expect(listed.stdout).not.to.contain(password!);

    const { response, cookie } = await institutionSignIn(world, 'exam.office', password!);
    expect(response.status).to.equal(303);
    expect(response.headers.location).to.equal('/institution/users');
    const users = await asAdmin(world, cookie).get('/institution/users');
    expect(users.status).to.equal(200);
    expect(users.text).to.contain('<h1>Permanent users</h1>').and.contain('Signed in as <strong>Exam.Office</strong>');
    const [created] = await auditRows(world, "entity_type = 'admin-account'");
    expect(created!.action).to.equal('create');
    expect(created!.raw).not.to.contain(password!);
  });

  it('when the CLI is given no platform, then it prints its usage and exits 2', async function () {
    this.timeout(60_000);
    const result = await adminCli(world, ['add', '--username', 'x']);
    expect(result.code).to.equal(2);
    expect(result.stderr).to.contain('npm run admin -- add --platform PLATFORM_ID');
  });

  it('when the password is wrong or the username unknown, then the same 401 message, and nothing is signed in', async () => {
    await adminAccount(world, platformId);
    for (const [username, password] of [
      ['exam-office', 'Wrong-Passw0rd'],
      ['nobody', ADMIN_PASSWORD],
    ] as const) {
      const { response, cookie } = await institutionSignIn(world, username, password);
      expect(response.status).to.equal(401);
      expect(response.text).to.contain(WRONG);
      expect(cookie).to.equal('');
    }
    const page = await request(world.url).get('/institution/users').set('accept', 'text/html');
    expect(page.status).to.equal(303);
    expect(page.headers.location).to.equal('/institution');
  });

  it('when one account has failed as often as allowed, then even its right password gets 429, while another account still signs in', async function () {
    this.timeout(60_000);
    await adminAccount(world, platformId);
    await adminAccount(world, platformId, 'second-admin');
    const limit = throttleRules(world.config).accountSignIn.failuresPerAccount!.limit;
    for (let i = 0; i < limit; i += 1) {
      expect((await institutionSignIn(world, 'exam-office', `Wrong-${i}-Passw0rd`)).response.status).to.equal(401);
    }
    const locked = await institutionSignIn(world, 'EXAM-OFFICE', ADMIN_PASSWORD);
    expect(locked.response.status).to.equal(429);
    expect(locked.response.headers['retry-after']).to.match(/^\d+$/);
    expect((await institutionSignIn(world, 'second-admin')).response.status).to.equal(303);
  });

  it('when an admin turns on two-step sign-in, then sign-in needs a current code, and a code used once is refused the second time', async function () {
    this.timeout(60_000);
    await adminAccount(world, platformId);
    const { cookie } = await institutionSignIn(world, 'exam-office');
    const admin = asAdmin(world, cookie);
    await admin.post('/institution/two-step/start', {}, '/institution/two-step');
    const page = await admin.get('/institution/two-step');
    const secret = /<code id="totp-secret">([A-Z2-7]+)<\/code>/.exec(page.text)?.[1];
    expect(secret).to.be.a('string');
    expect(page.text).to.contain('otpauth://totp/').and.contain('<svg');

    const wrong = await admin.post('/institution/two-step/confirm', { code: '000000' }, '/institution/two-step');
    expect(wrong.status).to.equal(400);
    expect(wrong.text).to.contain('That code is not right');
    const previous = totpCode(secret!, stepAt(Date.now()) - 1);
    const confirmed = await admin.post('/institution/two-step/confirm', { code: previous }, '/institution/two-step');
    expect(confirmed.status).to.equal(303);
    expect((await admin.get('/institution/two-step')).text).to.contain('Two-step sign-in is on');

    expect((await institutionSignIn(world, 'exam-office')).response.status, 'no code').to.equal(401);
    expect((await institutionSignIn(world, 'exam-office', ADMIN_PASSWORD, previous)).response.status, 'the enrolment code again').to.equal(
      401,
    );
    const code = totpCode(secret!, stepAt(Date.now()) + 1);
    expect((await institutionSignIn(world, 'exam-office', ADMIN_PASSWORD, code)).response.status).to.equal(303);
    const replay = await institutionSignIn(world, 'exam-office', ADMIN_PASSWORD, code);
    expect(replay.response.status, 'replayed code').to.equal(401);
    expect(replay.response.text).to.contain(WRONG);
    const trail = await auditRows(world, "entity_type = 'admin-account'");
    expect(trail.map((e) => e.action)).to.include('enable-two-step');
    trail.forEach((e) => expect(e.raw).not.to.contain(secret!));
  });

  it('when an admin of one platform asks for a user of another, then 404 for every page and action, and the search shows none of them', async () => {
    const theirs = await world.examgate.permanentUsers.create(otherPlatformId, userInput('other-anna'), { kind: 'generate' }, TEST_SETUP);
    await adminAccount(world, platformId);
    const { cookie } = await institutionSignIn(world, 'exam-office');
    const admin = asAdmin(world, cookie);
    const id = theirs.user.id;
    for (const path of [
      `/institution/users/${id}`,
      `/institution/users/${id}/edit`,
      `/institution/users/${id}/password`,
      `/institution/users/${id}/delete`,
    ]) {
      expect((await admin.get(path)).status, path).to.equal(404);
    }
    for (const path of [
      `/institution/users/${id}`,
      `/institution/users/${id}/delete`,
      `/institution/users/${id}/undelete`,
      `/institution/users/${id}/password`,
    ]) {
      expect((await admin.post(path, { username: 'taken-over', choice: 'generate' })).status, path).to.equal(404);
    }
    const search = await admin.get('/institution/users?which=all&q=anna');
    expect(search.text).not.to.contain('other-anna');
    expect((await world.examgate.permanentUsers.get(otherPlatformId, id)).username).to.equal('other-anna');
  });

  it('when an LMS administrator launches, then the landing links to the area of their own platform, which shows its users only', async () => {
    await world.examgate.permanentUsers.create(platformId, userInput('ours-1'), { kind: 'generate' }, TEST_SETUP);
    await world.examgate.permanentUsers.create(otherPlatformId, userInput('theirs-1'), { kind: 'generate' }, TEST_SETUP);
    const session = await launchSession(world, {
      roles: [INSTITUTION_ADMIN],
      context: null,
      user: { sub: 'lms-admin', name: 'Ada Admin' },
    });
    expect(session.landing.body).to.contain('href="/institution/users"');
    const users = await session.get('/institution/users?which=all');
    expect(users.response.status).to.equal(200);
    expect(users.body).to.contain('ours-1').and.not.contain('theirs-1');
    expect(users.body).to.contain('Ada Admin');

    const instructor = await launchSession(world, { roles: [ROLE_INSTRUCTOR], context: { id: 'c-1' } });
    const refused = await instructor.get('/institution/users');
    expect(refused.url).to.equal(`${world.url}/institution`);
    expect(refused.body).to.contain('Sign in to institution administration');
  });

  it('when an admin adds another admin of their platform, then the new account signs in there; a weak chosen password is refused naming what it lacks', async function () {
    this.timeout(30_000);
    await adminAccount(world, platformId);
    const { cookie } = await institutionSignIn(world, 'exam-office');
    const admin = asAdmin(world, cookie);
    const weak = await admin.post('/institution/admins', { username: 'deputy', password: 'short' }, '/institution/admins');
    expect(weak.status).to.equal(400);
    expect(weak.text).to.contain('The password needs at least 8 characters, an upper-case letter, a digit.');
    const bad = await admin.post('/institution/admins', { username: 'dep uty', password: '' }, '/institution/admins');
    expect(bad.text).to.contain('A space is not allowed in a username');
    const added = await admin.post('/institution/admins', { username: 'deputy', password: '' }, '/institution/admins');
    expect(added.status).to.equal(201);
    const password = /<code data-password>([^<]+)<\/code>/.exec(added.text)?.[1];
    expect((await institutionSignIn(world, 'deputy', password!)).response.status).to.equal(303);
    const [account] = (await world.examgate.adminAccounts.list(platformId)).filter((a) => a.username === 'deputy');
    expect(account).not.to.equal(undefined);
    expect(await world.examgate.adminAccounts.list(otherPlatformId)).to.have.length(0);
  });

  it('when SECRET_KEY is rotated, then start-up re-seals two-step secrets under the new key, once', async () => {
    const account = await adminAccount(world, platformId);
    const { secret } = await world.examgate.adminAccounts.startTotp(platformId, account.id);
    await world.examgate.adminAccounts.confirmTotp(platformId, account.id, totpCode(secret, stepAt(Date.now())), TEST_SETUP);
    const keys: SecretKeys = ['rotated-secret-0123456789abcdef0123456789', world.config.secretKeys[0]];
    const rotated = new AdminAccounts(
      new AdminAccountRepository(world.examgate.sequelize),
      world.examgate.audit,
      new SealedText(keys, TOTP_SECRET_PURPOSE),
      'x',
    );
    expect(await rotated.reseal()).to.deep.equal({ what: 'admin two-step secrets', total: 1, resealed: 1, unreadable: 0 });
    expect(await rotated.reseal()).to.include({ resealed: 0, unreadable: 0 });
    const code = totpCode(secret, stepAt(Date.now()) + 1);
    expect(await rotated.verify('exam-office', ADMIN_PASSWORD, code)).to.include({ totpEnabled: true });
  });

  it('when a sign-in is posted from another site, then it is refused', async () => {
    await adminAccount(world, platformId);
    const response = await request(world.url)
      .post('/institution/sign-in')
      .set('origin', 'https://evil.example')
      .type('form')
      .send({ username: 'exam-office', password: ADMIN_PASSWORD });
    expect(response.status).to.equal(403);
  });
});
