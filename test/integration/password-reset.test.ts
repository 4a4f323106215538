import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { auditRows } from '../support/audit.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { platformIdOf, userInput } from '../support/institution.js';
import { relayTo, TestSmtpServer } from '../support/smtp.js';

describe('"Forgot your password?" for permanent users, end to end through HTTP and a real SMTP server', function () {
  this.timeout(60_000);
  let world: TestWorld;
  let smtp: TestSmtpServer;
  let platformId: string;

  before(async () => {
    smtp = await TestSmtpServer.start();
  });
  after(() => smtp.down());
  beforeEach(async () => {
    world = await startWorld();
    smtp.received.length = 0;
    platformId = await platformIdOf(world);
    await relayTo(world, smtp.port);
  });

  // Sec-Fetch-Site as a browser sends it on examgate's own forms.
  const post = (path: string, form: Record<string, string>) =>
    request(world.url).post(path).set('sec-fetch-site', 'same-origin').type('form').send(form);
  const ask = (username: string) => post('/login/forgot', { username });
  const linkIn = (text: string) => new RegExp(`${world.url}/login/reset/([A-Za-z0-9_-]{43})`).exec(text)?.[1];

  it('when a user asks, gets the link, chooses a password that keeps the rule, then the new one signs in, the old one does not, and the link works once', async () => {
    const { generated } = await world.examgate.permanentUsers.create(
      platformId,
      userInput('anna', { firstName: 'Anna', lastName: 'Berg' }),
      { kind: 'generate' },
      TEST_SETUP,
    );
    const login = await request(world.url).get('/login');
    expect(login.text).to.contain('href="/login/forgot"');
    const asked = await ask('ANNA');
    expect(asked.status).to.equal(200);
    expect(asked.text).to.contain('If that username belongs to an account with an e-mail address');
    const [mail] = await smtp.waitFor(1);
    expect(mail!.to).to.deep.equal(['anna@uni.example']);
    expect(mail!.headers.subject).to.equal('Reset your examgate password');
    expect(mail!.text).to.contain('Hello Anna Berg,').and.contain('within 60 minutes');
    const token = linkIn(mail!.text)!;
    expect(token).to.be.a('string');

    // Only the digest is stored.
    const stored = await world.examgate.sequelize.query<{ token_hash: string }>('SELECT token_hash FROM password_reset_tokens', {
      type: QueryTypes.SELECT,
    });
    expect(stored).to.have.length(1);
    expect(stored[0]!.token_hash)
      .to.match(/^[0-9a-f]{64}$/)
      .and.not.equal(token);

    const form = await request(world.url).get(`/login/reset/${token}`);
    expect(form.status).to.equal(200);
    expect(form.headers['cache-control']).to.equal('no-store');
    expect(form.text).to.contain('Choose a new password').and.contain('<strong>anna</strong>');

    const weak = await post(`/login/reset/${token}`, { password: 'password', again: 'password' });
    expect(weak.status).to.equal(400);
    expect(weak.text).to.contain('upper-case letter');
    const mismatch = await post(`/login/reset/${token}`, { password: 'Better-Pass1', again: 'Better-Pass2' });
    expect(mismatch.status).to.equal(400);
    expect(mismatch.text).to.contain('The two passwords are not the same.');
    const crossSite = await request(world.url)
      .post(`/login/reset/${token}`)
      .set('sec-fetch-site', 'cross-site')
      .type('form')
      .send({ password: 'Better-Pass1', again: 'Better-Pass1' });
    expect(crossSite.status).to.equal(403);

    const done = await post(`/login/reset/${token}`, { password: 'Better-Pass1', again: 'Better-Pass1' });
    expect(done.status).to.equal(303);
    expect(done.headers.location).to.equal('/login?done=password-reset');
    expect((await request(world.url).get('/login?done=password-reset')).text).to.contain(
      'Your new password is saved. Sign in with it now.',
    );
    expect(await world.examgate.permanentUsers.verify('anna', generated!)).to.equal(null);
    expect(await world.examgate.permanentUsers.verify('anna', 'Better-Pass1')).to.include({ username: 'anna', mustChangePassword: false });

    const again = await request(world.url).get(`/login/reset/${token}`);
    expect(again.status).to.equal(410);
    expect(again.text).to.contain('This password reset link does not work any more').and.contain('href="/login/forgot"');
    expect((await post(`/login/reset/${token}`, { password: 'Third-Pass1', again: 'Third-Pass1' })).status).to.equal(410);
    expect(await world.examgate.permanentUsers.verify('anna', 'Third-Pass1')).to.equal(null);

    const trail = await auditRows(world, "entity_type IN ('password-reset', 'permanent-user', 'mail')");
    expect(trail.map((e) => `${e.entity_type} ${e.action}`)).to.deep.equal([
      'permanent-user create',
      'mail queue',
      'password-reset request',
      'permanent-user change-password',
    ]);
    expect(trail[2]!.changes.outcome).to.deep.equal({ from: null, to: 'link-sent' });
    expect(trail[3]!.via).to.equal('password-reset');
    trail.forEach((e) => expect(e.raw).not.to.contain(token).and.not.contain('Better-Pass1'));
  });

  it('when the username is unknown, deleted or has no address, then the answer is the same and nothing is sent; each is audited', async () => {
    const { user: gone } = await world.examgate.permanentUsers.create(platformId, userInput('gone'), { kind: 'generate' }, TEST_SETUP);
    await world.examgate.permanentUsers.setDeleted(platformId, gone.id, true, TEST_SETUP);
    await world.examgate.permanentUsers.create(platformId, userInput('no-address', { email: '' }), { kind: 'generate' }, TEST_SETUP);
    const answers = [];
    for (const username of ['nobody', 'gone', 'no-address']) {
      const asked = await ask(username);
      expect(asked.status, username).to.equal(200);
      answers.push(asked.text.replace(/name="[^"]*" value="[^"]*"/g, ''));
    }
    expect(new Set(answers).size, 'one answer for all').to.equal(1);
    const empty = await ask('');
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain('Enter your username');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(smtp.received).to.have.length(0);
    const trail = await auditRows(world, "entity_type = 'password-reset'");
    expect(trail.map((e) => e.changes.outcome!.to)).to.deep.equal(['unknown-username', 'unknown-username', 'no-e-mail-address']);
    expect(trail[0]!.raw).not.to.contain('nobody');
  });

  it('when one user asks again and again, then only the newest link works and at most 3 go out per hour; one address is stopped after 30 requests', async () => {
    await world.examgate.permanentUsers.create(platformId, userInput('anna'), { kind: 'generate' }, TEST_SETUP);
    for (let i = 0; i < 4; i += 1) {
      expect((await ask('anna')).status).to.equal(200);
    }
    const mails = await smtp.waitFor(3);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(mails).to.have.length(3);
    const tokens = mails.map((m) => linkIn(m.text)!);
    const latest = await world.examgate.sequelize.query<{ n: number }>('SELECT COUNT(*) AS n FROM password_reset_tokens', {
      type: QueryTypes.SELECT,
    });
    expect(Number(latest[0]!.n)).to.equal(1);
    const statuses = await Promise.all(tokens.map(async (t) => (await request(world.url).get(`/login/reset/${t}`)).status));
    expect(statuses.filter((s) => s === 200)).to.have.length(1);
    const trail = await auditRows(world, "entity_type = 'password-reset'");
    expect(trail.map((e) => e.changes.outcome!.to)).to.deep.equal(['link-sent', 'link-sent', 'link-sent', 'throttled']);

    // 4 requests and 3 link checks so far from this address; the limit is 30 per hour.
    let status = 200;
    for (let i = 0; i < 30 && status !== 429; i += 1) {
      status = (await request(world.url).get('/login/forgot')).status;
    }
    expect(status).to.equal(429);
    expect((await ask('anna')).status).to.equal(429);
  });

  it('when a link is guessed or has expired, then it is refused the same way', async () => {
    const { user } = await world.examgate.permanentUsers.create(platformId, userInput('anna'), { kind: 'generate' }, TEST_SETUP);
    await ask('anna');
    const token = linkIn((await smtp.waitFor(1))[0]!.text)!;
    expect((await request(world.url).get(`/login/reset/${'x'.repeat(43)}`)).status).to.equal(410);
    await world.examgate.sequelize.query('UPDATE password_reset_tokens SET expires_at = :past WHERE permanent_user_id = :id', {
      replacements: { past: new Date(Date.now() - 1000), id: user.id },
    });
    expect((await request(world.url).get(`/login/reset/${token}`)).status).to.equal(410);
  });
});
