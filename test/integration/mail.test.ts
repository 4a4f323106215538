import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { unitOfWorkRunner } from '../../src/db/unit-of-work.js';
import { auditRows } from '../support/audit.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, asAdmin, institutionSignIn, platformIdOf, userInput } from '../support/institution.js';
import { relayTo, TestSmtpServer } from '../support/smtp.js';

interface OutboxRow {
  id: string;
  platform_id: string | null;
  purpose: string;
  recipient: string;
  status: string;
  attempts: number;
  last_error: string | null;
  body_sealed: string | null;
}

describe('E-mail: SMTP settings, the outbox and its retries, the status page, registration details', function () {
  this.timeout(60_000);
  let world: TestWorld;
  let smtp: TestSmtpServer;
  let platformId: string;
  let otherId: string;
  let admin: ReturnType<typeof asAdmin>;

  const outbox = () =>
    world.examgate.sequelize.query<OutboxRow>('SELECT * FROM mail_outbox ORDER BY created_at, id', { type: QueryTypes.SELECT });
  const useSmtp = (port: number, security: 'none' | 'starttls' | 'tls' = 'none') => relayTo(world, port, security, 'Exam Office');
  const until = async (what: string, check: () => Promise<boolean>, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) {
        throw new Error(`timed out waiting for ${what}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const statusOf = async (id: string) => (await outbox()).find((m) => m.id === id)?.status;

  before(async () => {
    smtp = await TestSmtpServer.start();
  });
  after(() => smtp.down());
  beforeEach(async () => {
    world = await startWorld();
    smtp.received.length = 0;
    smtp.refusal = null;
    smtp.refused = 0;
    platformId = await platformIdOf(world);
    otherId = await platformIdOf(world, world.otherLms);
    await adminAccount(world, platformId);
    admin = asAdmin(world, (await institutionSignIn(world, 'exam-office')).cookie);
    await useSmtp(smtp.port);
  });

  it('when an admin adds a user with "E-mail the registration details", then the server gets one message with username, password and login URL, and its body is erased once sent', async () => {
    const added = await admin.post(
      '/institution/users',
      { username: 'anna.berg', firstName: 'Anna', lastName: 'Berg', email: 'anna@uni.example', choice: 'generate', emailDetails: 'on' },
      '/institution/users/new',
    );
    expect(added.status).to.equal(201);
    expect(added.text).to.contain('Their registration details are queued for e-mail to anna@uni.example');
    const password = /<code data-password>([^<]+)<\/code>/.exec(added.text)![1]!;
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).to.deep.equal(['anna@uni.example']);
    expect(mail!.from).to.equal('exams@uni.example');
    expect(mail!.headers.from).to.equal('Exam Office <exams@uni.example>');
    expect(mail!.headers.to).to.equal('anna@uni.example');
    expect(mail!.headers.subject).to.equal('Your examgate sign-in details');
    expect(mail!.headers['auto-submitted']).to.equal('auto-generated');
    expect(mail!.text).to.contain('Hello Anna Berg,').and.contain('Username: anna.berg').and.contain(`Password: ${password}`);
    expect(mail!.text).to.contain(`Sign in at: ${world.url}/login`);
    await until('the message to be marked sent', async () => (await outbox())[0]?.status === 'sent');
    const [row] = await outbox();
    expect(row).to.include({
      platform_id: platformId,
      purpose: 'registration',
      recipient: 'anna@uni.example',
      body_sealed: null,
      last_error: null,
    });
    expect(Number(row!.attempts)).to.equal(1);
    const trail = await auditRows(world, "entity_type = 'mail'");
    expect(trail.map((e) => e.action)).to.deep.equal(['queue']);
    expect(trail[0]!.changes.purpose).to.deep.equal({ from: null, to: 'registration' });
    trail.forEach((e) => expect(e.raw).not.to.contain(password));
    expect(smtp.received).to.have.length(1);
  });

  it('when "E-mail the registration details" is ticked for a user without an address, then the form says so and nothing is added or queued', async () => {
    const refused = await admin.post(
      '/institution/users',
      { username: 'no-mail', choice: 'generate', emailDetails: 'on' },
      '/institution/users/new',
    );
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('Add an e-mail address to send the registration details to');
    expect((await world.examgate.permanentUsers.search(platformId, '', 'all', 1)).total).to.equal(0);
    expect(await outbox()).to.have.length(0);
  });

  it('when the caller’s transaction rolls back, then its message is gone with it; the bulk upload’s call queues one per user with an address', async () => {
    const run = unitOfWorkRunner(world.examgate.sequelize);
    const details = world.examgate.mail.registrationDetails;
    const users = [
      { userId: 'u1', username: 'one', email: 'one@uni.example', password: 'Secret-Pass1' },
      { userId: 'u2', username: 'two', email: null, password: 'Secret-Pass2' },
      { userId: 'u3', username: 'three', email: 'three@uni.example', password: null },
    ];
    await run(async (unit) => {
      await details.queueRegistrationDetailsIn(unit, platformId, users);
      throw new Error('the upload failed');
    }).catch(() => undefined);
    expect(await outbox()).to.have.length(0);
    const outcome = await run((unit) => details.queueRegistrationDetailsIn(unit, platformId, users));
    details.committed();
    expect(outcome).to.deep.equal({ queued: 2, skipped: [{ userId: 'u2', username: 'two' }] });
    const mails = await smtp.waitFor(2);
    const one = mails.find((m) => m.to[0] === 'one@uni.example')!;
    const three = mails.find((m) => m.to[0] === 'three@uni.example')!;
    expect(one.text).to.contain('Password: Secret-Pass1');
    expect(three.text).not.to.contain('Password:');
    expect(three.text).to.contain('Your exam office gives you your password separately.');
  });

  it('when the server refuses for a while (451) and then takes mail, then the message waits, retries with backoff and arrives exactly once', async () => {
    smtp.refusal = { code: 451, message: 'Greylisted, try again later' };
    const { user } = await world.examgate.permanentUsers.create(platformId, userInput('retry-me'), { kind: 'generate' }, TEST_SETUP);
    await unitOfWorkRunner(world.examgate.sequelize)((unit) =>
      world.examgate.mail.registrationDetails.queueRegistrationDetailsIn(unit, platformId, [
        { userId: user.id, username: user.username, email: user.email, password: 'Chosen-Pass1' },
      ]),
    );
    world.examgate.mail.outbox.committed();
    await until('two refused tries', async () => smtp.refused >= 2 && (await outbox())[0]?.status === 'retrying');
    const waiting = (await outbox())[0]!;
    expect(waiting.last_error).to.contain('Greylisted, try again later').and.contain('127.0.0.1');
    expect(waiting.body_sealed).to.be.a('string').and.not.contain('Chosen-Pass1');
    const page = await admin.get('/institution/mail');
    expect(page.text).to.contain('Waiting to try again').and.contain('Greylisted');
    smtp.refusal = null;
    await smtp.waitFor(1);
    await until('sent', async () => (await outbox())[0]?.status === 'sent');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.received).to.have.length(1);
    expect(Number((await outbox())[0]!.attempts)).to.be.greaterThan(2);
  });

  it('when the server is down and comes back, then no message is lost and each arrives once', async () => {
    await smtp.down();
    try {
      await unitOfWorkRunner(world.examgate.sequelize)(async (unit) => {
        for (const n of [1, 2]) {
          await world.examgate.mail.outbox.queueIn(
            unit,
            { platformId, purpose: 'registration', to: `user${n}@uni.example`, subject: `Message ${n}`, body: `Body ${n}` },
            TEST_SETUP,
          );
        }
      });
      world.examgate.mail.outbox.committed();
      await until('both waiting after a refused connection', async () => (await outbox()).every((m) => m.status === 'retrying'));
      expect((await outbox())[0]!.last_error).to.contain('could not be reached');
    } finally {
      await smtp.up();
    }
    await smtp.waitFor(2);
    await until('both sent', async () => (await outbox()).every((m) => m.status === 'sent'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(smtp.received.map((m) => m.headers.subject).sort()).to.deep.equal(['Message 1', 'Message 2']);
  });

  it('when the server refuses a recipient for good (550), then the message fails at once; Send again delivers it; another platform’s message is 404', async () => {
    smtp.refusal = { code: 550, message: 'No such mailbox' };
    const id = await unitOfWorkRunner(world.examgate.sequelize)((unit) =>
      world.examgate.mail.outbox.queueIn(
        unit,
        { platformId, purpose: 'password-reset', to: 'gone@uni.example', subject: 'S', body: 'B' },
        TEST_SETUP,
      ),
    );
    world.examgate.mail.outbox.committed();
    await until('failed', async () => (await statusOf(id)) === 'failed');
    const failed = (await outbox())[0]!;
    expect(Number(failed.attempts)).to.equal(1);
    expect(failed.last_error).to.contain('No such mailbox');
    const page = await admin.get('/institution/mail');
    expect(page.text).to.contain('Failed').and.contain('No such mailbox').and.contain(`action="/institution/mail/${id}/resend"`);

    // The other platform's admin sees nothing of it and cannot resend it.
    await adminAccount(world, otherId, 'other-office');
    const other = asAdmin(world, (await institutionSignIn(world, 'other-office')).cookie);
    expect((await other.get('/institution/mail')).text)
      .to.contain('0 messages')
      .and.not.contain('gone@uni.example');
    expect((await other.post(`/institution/mail/${id}/resend`, {}, '/institution/mail')).status).to.equal(404);
    expect((await admin.post(`/institution/mail/not-a-message/resend`, {}, '/institution/mail')).status).to.equal(404);

    smtp.refusal = null;
    const resent = await admin.post(`/institution/mail/${id}/resend`, {}, '/institution/mail');
    expect(resent.status).to.equal(303);
    expect(resent.headers.location).to.equal('/institution/mail?done=resent');
    await smtp.waitFor(1);
    await until('sent', async () => (await statusOf(id)) === 'sent');
    expect((await admin.post(`/institution/mail/${id}/resend`, {}, '/institution/mail')).status, 'a sent message is not resent').to.equal(
      409,
    );
    const trail = await auditRows(world, "entity_type = 'mail'");
    expect(trail.map((e) => e.action)).to.deep.equal(['queue', 'resend']);
    expect(trail[1]!.actor_kind).to.equal('platform-admin');
    expect(smtp.received).to.have.length(1);
  });

  it('when an admin sets a new password with "E-mail the new password", then it arrives; without an address the form says so', async () => {
    const { user } = await world.examgate.permanentUsers.create(platformId, userInput('anna'), { kind: 'generate' }, TEST_SETUP);
    const reset = await admin.post(
      `/institution/users/${user.id}/password`,
      { choice: 'chosen', password: 'Brand-New1x', mustChange: 'on', emailPassword: 'on' },
      `/institution/users/${user.id}/password`,
    );
    expect(reset.status).to.equal(200);
    expect(reset.text).to.contain('It is queued for e-mail to anna@uni.example');
    const [mail] = await smtp.waitFor(1);
    expect(mail!.headers.subject).to.equal('Your new examgate password');
    expect(mail!.text).to.contain('New password: Brand-New1x').and.contain('choose a password of your own');
    const { user: bare } = await world.examgate.permanentUsers.create(
      platformId,
      userInput('bare', { email: '' }),
      { kind: 'generate' },
      TEST_SETUP,
    );
    const refused = await admin.post(
      `/institution/users/${bare.id}/password`,
      { choice: 'generate', emailPassword: 'on' },
      `/institution/users/${bare.id}/password`,
    );
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('bare has no e-mail address');
  });

  it('when the status page has more than 25 messages, then it pages them newest first', async () => {
    await unitOfWorkRunner(world.examgate.sequelize)((unit) =>
      world.examgate.mail.outbox.queueManyIn(
        unit,
        Array.from({ length: 27 }, (_v, i) => ({
          platformId,
          purpose: 'registration' as const,
          to: `p${i}@uni.example`,
          subject: 'S',
          body: 'B',
        })),
        TEST_SETUP,
      ),
    );
    const first = await admin.get('/institution/mail');
    expect(first.text).to.contain('27 messages, page 1 of 2.');
    expect(first.text.match(/data-mail=/g)).to.have.length(25);
    expect((await admin.get('/institution/mail?page=2')).text.match(/data-mail=/g)).to.have.length(2);
  });
});

describe('E-mail settings page (/admin/mail): saved, validated, audited; the password is never shown; the test message reports the outcome', function () {
  this.timeout(60_000);
  let world: TestWorld;
  let smtp: TestSmtpServer;
  let cookie: string;

  before(async () => {
    world = await startWorld();
    smtp = await TestSmtpServer.start();
    const signedIn = await request(world.url).post('/admin/sign-in').type('form').send({ token: world.adminToken });
    cookie = ([] as string[]).concat(signedIn.headers['set-cookie'] ?? [])[0]!.split(';')[0]!;
  });
  after(() => smtp.down());

  const page = () => request(world.url).get('/admin/mail').set('cookie', cookie);
  const post = async (path: string, form: Record<string, string>) => {
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await page()).text)![1]!;
    return request(world.url)
      .post(path)
      .set('cookie', cookie)
      .type('form')
      .send({ ...form, _csrf: csrf });
  };
  const FORM = {
    host: '127.0.0.1',
    port: '',
    security: 'none',
    username: '',
    password: '',
    fromAddress: 'exams@uni.example',
    fromName: 'Exam Office',
  };

  it('when nothing is set, then the page says e-mail cannot be sent yet, and a test message says so too', async () => {
    expect((await page()).text).to.contain('examgate cannot send e-mail until you save the SMTP server here');
    const tested = await post('/admin/mail/test', { to: 'me@uni.example' });
    expect(tested.status).to.equal(502);
    expect(tested.text).to.contain('E-mail is not set up yet');
  });

  it('when a form breaks the rules, then every problem shows at once and nothing is saved', async () => {
    const refused = await post('/admin/mail', { ...FORM, host: 'smtp server', port: '70000', security: 'rot13', fromAddress: 'nobody' });
    expect(refused.status).to.equal(400);
    expect(refused.text).to.contain('The SMTP server must be a host name or IP address');
    expect(refused.text).to.contain('The port must be a whole number from 1 to 65535');
    expect(refused.text).to.contain('Choose how the connection is secured');
    expect(refused.text).to.contain('The sender address must look like name@example.org');
    const [count] = await world.examgate.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM mail_settings', {
      type: QueryTypes.SELECT,
    });
    expect(Number(count!.n)).to.equal(0);
  });

  it('when saved with a password, then it is sealed, never shown back, kept on a blank save, and the trail says only that it changed', async () => {
    const saved = await post('/admin/mail', { ...FORM, port: String(smtp.port), username: 'relay-user', password: 'Relay-Secret-9' });
    expect(saved.status).to.equal(303);
    const shown = await request(world.url).get('/admin/mail?done=saved').set('cookie', cookie);
    expect(shown.text).to.contain('The e-mail settings are saved.').and.contain('A password is stored');
    expect(shown.text).not.to.contain('Relay-Secret-9');
    const [row] = await world.examgate.sequelize.query<{ password_sealed: string }>('SELECT password_sealed FROM mail_settings', {
      type: QueryTypes.SELECT,
    });
    expect(row!.password_sealed).to.be.a('string').and.not.contain('Relay-Secret-9');
    await post('/admin/mail', { ...FORM, port: String(smtp.port), username: 'relay-user', fromName: 'Exams' });
    expect((await world.examgate.mail.mailSettings.inForce()).settings).to.include({ password: 'Relay-Secret-9', fromName: 'Exams' });
    await post('/admin/mail', { ...FORM, port: String(smtp.port), clearPassword: 'on' });
    expect((await world.examgate.mail.mailSettings.inForce()).settings?.password).to.equal(null);
    const trail = await auditRows(world, "entity_type = 'mail-settings'");
    expect(trail.map((e) => e.action)).to.deep.equal(['create', 'update', 'update']);
    expect(trail[0]!.changes.password).to.deep.equal({ from: null, to: 'changed' });
    expect(trail[1]!.changes).to.deep.equal({ fromName: { from: 'Exam Office', to: 'Exams' } });
    expect(trail[2]!.changes.password).to.deep.equal({ from: null, to: 'removed' });
    trail.forEach((e) => expect(e.raw).not.to.contain('Relay-Secret-9'));
  });

  it('when a test message goes to a working server, then it arrives and the page says the server took it; STARTTLS required against a plain server is refused clearly', async () => {
    await post('/admin/mail', { ...FORM, port: String(smtp.port) });
    const tested = await post('/admin/mail/test', { to: 'me@uni.example' });
    expect(tested.status).to.equal(200);
    expect(tested.text).to.contain('The SMTP server took the test message to me@uni.example');
    const [mail] = await smtp.waitFor(1);
    expect(mail!.headers.subject).to.equal('examgate test message');
    expect(mail!.to).to.deep.equal(['me@uni.example']);

    await post('/admin/mail', { ...FORM, port: String(smtp.port), security: 'starttls' });
    const refused = await post('/admin/mail/test', { to: 'me@uni.example' });
    expect(refused.status).to.equal(502);
    expect(refused.text).to.contain('The test message to me@uni.example was not sent.').and.contain('STARTTLS');
    expect(smtp.received).to.have.length(1);
    const tests = await world.examgate.sequelize.query<{ status: string; body_sealed: string | null }>(
      "SELECT status, body_sealed FROM mail_outbox WHERE purpose = 'test' ORDER BY created_at",
      { type: QueryTypes.SELECT },
    );
    expect(tests.map((t) => t.status)).to.deep.equal(['failed', 'sent', 'failed']);
    expect(tests.every((t) => t.body_sealed === null)).to.equal(true);
    expect((await post('/admin/mail/test', { to: 'not an address' })).text).to.contain('Enter the address to send the test message to');
  });

  it('when the page is asked for without the admin sign-in, or posted without the CSRF token, then it is refused', async () => {
    expect((await request(world.url).get('/admin/mail')).status).to.be.oneOf([303, 401]);
    expect((await request(world.url).post('/admin/mail').set('cookie', cookie).type('form').send(FORM)).status).to.equal(403);
  });
});
