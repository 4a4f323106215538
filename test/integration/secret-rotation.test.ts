import { createHash, createHmac } from 'node:crypto';
import { expect } from 'chai';
import { SigningKeys } from '../../src/access/signing-keys.js';
import { SigningKeyRepository } from '../../src/access/signing-key.repository.js';
import { parseDatabaseUrl } from '../../src/db/database.js';
import { connectSequelize } from '../../src/db/sequelize.js';
import { Browser, ROLE_INSTRUCTOR, SimulatedLms, submitAutoPostForm } from '../../src/lms-sim/index.js';
import { ExamgateLtiDatabase } from '../../src/lti/lti-database.js';
import { toolConfiguration } from '../../src/platforms/tool-configuration.js';
import { startChildExamgate, freePort, tempDir, type ChildExamgate } from '../support/child-examgate.js';
import { buildExamForm, csrfOf } from '../support/course-session.js';
import { separateDatabaseUrl } from '../support/test-database.js';
import { QueryTypes } from 'sequelize';
import { usernameKey } from '../../src/access/username-rules.js';
import { DETAIL_FIELDS, type PermanentUserDetails } from '../../src/permanent/permanent-user.js';
import { unitOfWorkRunner } from '../../src/db/unit-of-work.js';
import { BulkRepository } from '../../src/permanent/bulk/bulk.repository.js';
import { PASSWORD_HANDOUT_PURPOSE, PASSWORD_QUEUE_PURPOSE } from '../../src/permanent/bulk/bulk-uploads.service.js';
import { SealedText } from '../../src/secrets/sealed-text.js';

const OLD = 'rotation-test-old-secret-0123456789abcdef-old';
const NEW = 'rotation-test-new-secret-0123456789abcdef-new';
const ADMIN_TOKEN = 'rotation-test-admin-token-0123456789abcdef';
const BULK = { optionsId: '00000000-0000-4000-8000-00000000b0a1', userId: '00000000-0000-4000-8000-00000000b0a2' };

/** cookie-parser's signature of a cookie value under `secret` (cookie-signature: HMAC-SHA256, base64 without padding). */
const signatureUnder = (secret: string, value: string) => createHmac('sha256', secret).update(value).digest('base64').replace(/=+$/, '');
/** The CSRF token a page of this session carries under `secret` (web/csrf.ts). */
const csrfUnder = (secret: string, sessionToken: string) =>
  createHmac('sha256', secret)
    .update(`csrf:${createHash('sha256').update(sessionToken).digest('hex')}`)
    .digest('base64url');

/**
 * SECRET_KEY rotation end to end, with examgate processes as an operator runs them on one
 * database: one under the old secret, one with the new secret and the old as
 * SECRET_KEY_PREVIOUS, one with the new secret alone, one with a wrong secret.
 */
describe('rotating SECRET_KEY (SECRET_KEY_PREVIOUS)', function () {
  this.timeout(180_000);
  let work: ReturnType<typeof tempDir>;
  let databaseUrl: string;
  let lms: SimulatedLms;
  let port: number;
  let child: ChildExamgate | null = null;
  const url = () => `http://127.0.0.1:${port}`;
  const instructor = new Browser();
  const host = () => new URL(url()).host;

  async function start(env: Record<string, string>): Promise<ChildExamgate> {
    await child?.stop();
    child = await startChildExamgate({
      cwd: work.dir,
      env: { NODE_ENV: 'test', DATABASE_URL: databaseUrl, PUBLIC_URL: url(), PORT: String(port), ADMIN_TOKEN, LOG_LEVEL: 'info', ...env },
    });
    return child;
  }

  const adminPage = (cookie: string) => fetch(`${url()}/admin`, { headers: { cookie } }).then((r) => r.text());
  async function signInAdmin(): Promise<string> {
    const response = await fetch(`${url()}/admin/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: ADMIN_TOKEN }),
      redirect: 'manual',
    });
    return response.headers
      .getSetCookie()
      .find((c) => c.startsWith('examgate_admin='))!
      .split(';')[0]!;
  }
  const keyIds = async (path: string) =>
    ((await (await fetch(`${url()}${path}`)).json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid).sort();
  async function withDatabase<T>(work: (sequelize: Awaited<ReturnType<typeof connectSequelize>>) => Promise<T>): Promise<T> {
    const sequelize = await connectSequelize(parseDatabaseUrl(databaseUrl));
    try {
      return await work(sequelize);
    } finally {
      await sequelize.close();
    }
  }

  // What the first process (under the old secret) leaves behind for the later ones.
  let toolKeys: string[];
  let handoffKeys: string[];
  let oldAdminCookie: string;
  let oldCsrf: string;
  let pendingLogin: string;

  before(async () => {
    work = tempDir('examgate-rotation-');
    databaseUrl = await separateDatabaseUrl('rotation');
    port = await freePort();
    lms = await SimulatedLms.start({ clientId: 'rotation-client', deploymentId: 'rotation-deployment' });
    const tool = toolConfiguration(url());
    lms.configureTool({ loginUrl: tool.loginUrl, launchUrl: tool.redirectUrl, jwksUrl: tool.jwksUrl, deepLinkingUrl: tool.deepLinkingUrl });

    await start({ SECRET_KEY: OLD });
    const registered = await fetch(`${url()}/admin/api/platforms`, {
      method: 'POST',
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(lms.registration),
    });
    expect(registered.status, await registered.clone().text()).to.equal(201);
    toolKeys = await keyIds('/lti/keys');
    handoffKeys = await keyIds('/.well-known/jwks.json');
    oldAdminCookie = await signInAdmin();
    const landing = await lms.launch(instructor, {
      user: { sub: 'teacher-r' },
      roles: [ROLE_INSTRUCTOR],
      context: { id: 'rotation-course' },
    });
    expect(landing.status).to.equal(200);
    oldCsrf = csrfOf((await instructor.follow(`${url()}/app/exams/new`)).body);
    // A login started under the old secret (its state cookie signed with it), to be finished under the new one.
    const login = await instructor.request(
      lms.loginInitiationUrl({ user: { sub: 'teacher-r' }, roles: [ROLE_INSTRUCTOR], context: { id: 'rotation-course' } }),
    );
    expect(login.status, 'this browser keeps cookies: straight to the LMS').to.equal(302);
    pendingLogin = login.headers.get('location')!;
    await child!.stop();
    // A bulk upload's leftovers under the old secret: a password waiting for its hash (no job queued, so it stays) and a handout.
    await withDatabase(async (sequelize) => {
      const [platform] = await sequelize.query<{ id: string }>('SELECT id FROM lms_platforms', { type: QueryTypes.SELECT });
      const bulk = new BulkRepository(sequelize);
      await bulk.insertOptions(BULK.optionsId, platform!.id, {});
      await unitOfWorkRunner(sequelize)(async (unit) => {
        const user = { id: BULK.userId, platformId: platform!.id, username: 'rot.user', usernameKey: usernameKey('rot.user') };
        const details = { ...Object.fromEntries(DETAIL_FIELDS.map((f) => [f, null])), eligible: true } as PermanentUserDetails;
        await bulk.insertUsers([{ ...user, details, weak: false, mustChange: false }], unit);
        await bulk.queue(
          platform!.id,
          [{ userId: BULK.userId, sealed: new SealedText([OLD], PASSWORD_QUEUE_PURPOSE).seal('Rotated-Pass1') }],
          unit,
        );
        await bulk.insertHandout(
          BULK.optionsId,
          platform!.id,
          new SealedText([OLD], PASSWORD_HANDOUT_PURPOSE).seal('Username,Password\r\n'),
          1,
          unit,
        );
      });
    });
  });

  after(async () => {
    await child?.stop();
    await lms?.close();
    work?.remove();
  });

  it('when rows are still sealed under the previous secret, then the storage opens each with the secret that sealed it', async () => {
    const opened = async (secrets: [string, ...string[]]) => {
      const storage = new ExamgateLtiDatabase(parseDatabaseUrl(databaseUrl), secrets);
      await storage.setup();
      try {
        const keys = await storage.Get(secrets[0], 'publickey');
        return keys ? keys.map((k) => String(k.kid)).sort() : [];
      } catch (err) {
        return (err as Error).message;
      } finally {
        await storage.Close();
      }
    };
    expect(await opened([NEW, OLD])).to.deep.equal(toolKeys);
    expect(await opened([NEW]), 'the new secret alone cannot open them yet').to.match(/bad decrypt|Unexpected token|JSON/);
  });

  it('when the new secret starts with the old one as SECRET_KEY_PREVIOUS, then everything stored is re-sealed under the new one and the same keys are published', async () => {
    const started = await start({ SECRET_KEY: NEW, SECRET_KEY_PREVIOUS: OLD });
    expect(started.output().stdout).to.contain('stored secrets re-sealed under SECRET_KEY');
    expect(await keyIds('/lti/keys'), "ltijs's key for the LMS").to.deep.equal(toolKeys);
    expect(await keyIds('/.well-known/jwks.json'), 'the hand-off key').to.deep.equal(handoffKeys);
    await withDatabase(async (sequelize) => {
      const signing = (secrets: [string]) => new SigningKeys(new SigningKeyRepository(sequelize), secrets).current();
      expect((await signing([NEW])).kid, 'the hand-off key opens with the new secret').to.equal(handoffKeys[0]);
      expect(await signing([OLD]).catch(() => 'refused'), 'and no longer with the old one').to.equal('refused');
      const [queued] = await sequelize.query<{ sealed: string }>('SELECT sealed FROM permanent_password_queue', {
        type: QueryTypes.SELECT,
      });
      expect(new SealedText([NEW], PASSWORD_QUEUE_PURPOSE).open(queued!.sealed)?.plain, 'the queued password').to.equal('Rotated-Pass1');
      const [handout] = await sequelize.query<{ sealed: string }>('SELECT sealed FROM permanent_password_handouts', {
        type: QueryTypes.SELECT,
      });
      expect(new SealedText([NEW], PASSWORD_HANDOUT_PURPOSE).open(handout!.sealed)?.plain, 'the handout').to.equal('Username,Password\r\n');
      const ltijs = new ExamgateLtiDatabase(parseDatabaseUrl(databaseUrl), [NEW]);
      await ltijs.setup();
      try {
        expect(((await ltijs.Get(NEW, 'privatekey')) || []).length, "ltijs's private keys open with the new secret alone").to.equal(
          toolKeys.length,
        );
      } finally {
        await ltijs.Close();
      }
    });
  });

  it('when cookies, CSRF tokens and a login from before the rotation come back, then they are still accepted', async () => {
    expect(await adminPage(oldAdminCookie)).to.contain('<h1>examgate administration</h1>');
    const created = await instructor.follow(`${url()}/app/exams`, {
      method: 'POST',
      form: { _csrf: oldCsrf, ...buildExamForm({ title: 'Made with an old token' }) },
    });
    expect(created.response.status, created.body.slice(0, 300)).to.equal(200);
    expect(new URL(created.url).pathname).to.match(/^\/app\/exams\/[0-9a-f-]{36}$/);
    const form = submitAutoPostForm((await instructor.follow(pendingLogin)).body)!;
    const landed = await instructor.follow(form.action, { method: 'POST', form: form.fields });
    expect(landed.response.status, 'the state cookie signed with the old secret still binds the login').to.equal(200);
    expect(new URL(landed.url).pathname).to.match(/^\/app/);
  });

  it('when cookies and CSRF tokens are issued now, then they are signed with the new secret', async () => {
    const cookie = decodeURIComponent((await signInAdmin()).split('=')[1]!);
    const [value, signature] = [cookie.slice(2, cookie.lastIndexOf('.')), cookie.slice(cookie.lastIndexOf('.') + 1)];
    expect(cookie.startsWith('s:')).to.equal(true);
    expect(signature).to.equal(signatureUnder(NEW, value));
    const sessionToken = instructor.cookies(host()).examgate_session!;
    const token = csrfOf((await instructor.follow(`${url()}/app/exams/new`)).body);
    expect(token).to.equal(csrfUnder(NEW, sessionToken));
    expect(token).not.to.equal(csrfUnder(OLD, sessionToken));
  });

  it('when ltijs signs with its re-sealed key, then the LMS verifies it (a test placed by deep linking)', async () => {
    const picker = await lms.launch(instructor, {
      user: { sub: 'teacher-r' },
      roles: [ROLE_INSTRUCTOR],
      context: { id: 'rotation-course' },
      messageType: 'LtiDeepLinkingRequest',
      resourceLink: null,
    });
    const answer = await instructor.follow(`${url()}/app/deep-link`, {
      method: 'POST',
      form: { _csrf: csrfOf(picker.body), title: 'Placed' },
    });
    const form = submitAutoPostForm(answer.body)!;
    const before = lms.deepLinkResponses.length;
    const returned = await instructor.follow(form.action, { method: 'POST', form: form.fields });
    expect(returned.response.status, returned.body.slice(0, 300)).to.equal(200);
    expect(lms.deepLinkResponses.length, 'the LMS accepted the signed response').to.equal(before + 1);
  });

  it('when SECRET_KEY_PREVIOUS is removed afterwards, then examgate starts, and cookies and tokens of the old secret are refused', async () => {
    const started = await start({ SECRET_KEY: NEW });
    expect(started.output().stdout).not.to.contain('re-sealed');
    expect(await adminPage(oldAdminCookie)).to.contain('Sign in to examgate administration');
    const refused = await instructor.follow(`${url()}/app/exams`, { method: 'POST', form: { _csrf: oldCsrf, ...buildExamForm() } });
    expect(refused.response.status).to.equal(403);
    expect(await keyIds('/lti/keys')).to.deep.equal(toolKeys);
  });

  it('when SECRET_KEY is changed without SECRET_KEY_PREVIOUS, then examgate does not start and says what to set', async () => {
    await child?.stop();
    let failure: unknown = null;
    await startChildExamgate({
      cwd: work.dir,
      env: { NODE_ENV: 'test', DATABASE_URL: databaseUrl, PUBLIC_URL: url(), PORT: String(port), SECRET_KEY: OLD, LOG_LEVEL: 'silent' },
      timeoutMs: 30_000,
    }).catch((err: unknown) => {
      failure = err;
    });
    expect(String(failure)).to.match(/exited \(1\)/);
    expect(String(failure)).to.contain('SECRET_KEY does not open').and.contain('set SECRET_KEY_PREVIOUS');
    // The refused start changed nothing: what is stored still opens with the new secret.
    await withDatabase(async (sequelize) => {
      const signing = await new SigningKeys(new SigningKeyRepository(sequelize), [NEW]).current();
      expect(signing.kid).to.equal(handoffKeys[0]);
    });
  });
});
