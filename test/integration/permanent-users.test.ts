import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { auditRows } from '../support/audit.js';
import { startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, asAdmin, institutionSignIn, platformIdOf, userInput } from '../support/institution.js';

const form = (username: string, extra: Record<string, string> = {}) => ({
  username,
  firstName: 'Anna',
  lastName: 'Berg',
  email: `${username}@uni.example`,
  eligible: 'on',
  choice: 'generate',
  ...extra,
});

describe('Permanent users: the admin pages', () => {
  let world: TestWorld;
  let platformId: string;
  let admin: ReturnType<typeof asAdmin>;
  beforeEach(async function () {
    this.timeout(60_000);
    world = await startWorld();
    platformId = await platformIdOf(world);
    await adminAccount(world, platformId);
    admin = asAdmin(world, (await institutionSignIn(world, 'exam-office')).cookie);
  });

  it('when an admin adds a user with a generated password, then it is shown once, verifies, and is in no page or trail afterwards', async () => {
    const added = await admin.post('/institution/users', form('anna.berg'), '/institution/users/new');
    expect(added.status).to.equal(201);
    const password = /<code data-password>([^<]+)<\/code>/.exec(added.text)?.[1];
    expect(password).to.match(/^[A-Za-z2-9]{14}$/);
    const id = /href="\/institution\/users\/([0-9a-f-]{36})\/edit"/.exec(added.text)?.[1];
    const page = await admin.get(`/institution/users/${id}`);
    expect(page.text).to.contain('anna.berg').and.not.contain(password!);
    expect(await world.examgate.permanentUsers.verify('ANNA.BERG', password!)).to.include({ username: 'anna.berg' });
    const trail = await auditRows(world, "entity_type = 'permanent-user'");
    expect(trail[0]!.action).to.equal('create');
    expect(trail[0]!.actor_kind).to.equal('platform-admin');
    expect(trail[0]!.changes.username).to.deep.equal({ from: null, to: 'anna.berg' });
    trail.forEach((e) => expect(e.raw).not.to.contain(password!).and.not.contain('scrypt'));
  });

  it('when the username breaks the seed 002 rules, then every problem is shown at once and the message names the character', async () => {
    const cases: Array<[string, string]> = [
      ['anna berg', 'A space is not allowed in a username'],
      ['anna#berg', '&quot;#&quot; is not allowed in a username'],
      ['anna£', '&quot;£&quot; is not allowed in a username'],
    ];
    for (const [username, message] of cases) {
      const refused = await admin.post('/institution/users', form(username, { email: 'not-an-address' }), '/institution/users/new');
      expect(refused.status, username).to.equal(400);
      expect(refused.text).to.contain(message);
      expect(refused.text).to.contain('Give the e-mail address in the form name@example.org');
      expect(refused.text).to.contain('id="error-summary"').and.contain('aria-invalid="true"');
    }
    const accepted = await admin.post(
      '/institution/users',
      form('Ærøskøbing.ĀĂą_1@x-y', { email: 'aero@uni.example' }),
      '/institution/users/new',
    );
    expect(accepted.status).to.equal(201);
  });

  it('when a username is taken in another letter case or spelling (NFC), then 409 on the field; on another platform it is free', async () => {
    await world.examgate.permanentUsers.create(platformId, userInput('Émile'), { kind: 'generate' }, TEST_SETUP);
    const clash = await admin.post('/institution/users', form('E\u0301MILE'), '/institution/users/new');
    expect(clash.status).to.equal(409);
    expect(clash.text).to.contain('is already taken on this platform');
    const other = await platformIdOf(world, world.otherLms);
    await world.examgate.permanentUsers.create(other, userInput('émile'), { kind: 'generate' }, TEST_SETUP);
  });

  it('when a chosen password breaks the rule, then it is kept but flagged weak; a strong one is not flagged', async () => {
    const weak = await admin.post(
      '/institution/users',
      form('weak-one', { choice: 'chosen', password: 'password' }),
      '/institution/users/new',
    );
    expect(weak.status).to.equal(201);
    expect(weak.text).to.contain('flagged weak').and.contain('weak password');
    const strong = await admin.post(
      '/institution/users',
      form('strong-one', { choice: 'chosen', password: 'Passw0rdX' }),
      '/institution/users/new',
    );
    expect(strong.text).not.to.contain('weak password');
    expect((await world.examgate.permanentUsers.verify('weak-one', 'password'))?.passwordWeak).to.equal(true);
  });

  it('when an admin searches, then name, username and e-mail match in any case, and the list pages by 25', async function () {
    this.timeout(30_000);
    const now = new Date();
    for (let i = 0; i < 30; i += 1) {
      await world.examgate.sequelize.query(
        `INSERT INTO permanent_users (id, platform_id, username, username_key, first_name, last_name, email, eligible, password_pending, password_weak, must_change_password, created_at, updated_at)
         VALUES (:id, :platformId, :u, :u, 'Pat', :last, :email, true, false, false, false, :now, :now)`,
        {
          replacements: {
            id: randomUUID(),
            platformId,
            u: `bulk-${String(i).padStart(2, '0')}`,
            last: `Lee${String(i).padStart(2, '0')}`,
            email: `p${i}@school.example`,
            now,
          },
        },
      );
    }
    await world.examgate.permanentUsers.create(
      platformId,
      userInput('zed', { firstName: 'Zoë', lastName: 'Quist', email: 'zq@dept.example' }),
      { kind: 'generate' },
      TEST_SETUP,
    );
    const first = await admin.get('/institution/users');
    expect(first.text).to.contain('31 users, page 1 of 2.');
    expect(first.text).to.contain('href="/institution/users?q=&amp;which=active&amp;page=2"');
    expect((await admin.get('/institution/users?page=2')).text.match(/data-user=/g)).to.have.length(6);
    for (const q of ['QUIST', 'zoë quist', 'ZED', 'dept.example']) {
      const found = await admin.get(`/institution/users?q=${encodeURIComponent(q)}`);
      expect(found.text, q).to.contain('1 user matching');
      expect(found.text).to.contain('data-user="zed"');
    }
    expect((await admin.get('/institution/users?q=%25')).text, 'a % is literal').to.contain('0 users');
    expect((await admin.get('/institution/users?q=bulk_0')).text, 'an _ is literal').to.contain('0 users');
  });

  it('when an admin edits, deletes and undeletes a user, then each is saved and audited, and a deleted user cannot sign in', async () => {
    const { user, generated } = await world.examgate.permanentUsers.create(platformId, userInput('anna'), { kind: 'generate' }, TEST_SETUP);
    const edited = await admin.post(
      `/institution/users/${user.id}`,
      form('anna.b', { lastName: 'Berg-Lund', venue: 'Hall 2' }),
      `/institution/users/${user.id}/edit`,
    );
    expect(edited.status).to.equal(303);
    const page = await admin.get(`/institution/users/${user.id}?done=saved`);
    expect(page.text).to.contain('Changes saved.').and.contain('Berg-Lund').and.contain('Hall 2');

    const confirm = await admin.get(`/institution/users/${user.id}/delete`);
    expect(confirm.text).to.contain('Delete anna.b?').and.contain('Undelete');
    expect((await admin.post(`/institution/users/${user.id}/delete`)).status).to.equal(303);
    expect(await world.examgate.permanentUsers.verify('anna.b', generated!)).to.equal(null);
    expect((await admin.get('/institution/users')).text).not.to.contain('data-user="anna.b"');
    expect((await admin.get('/institution/users?which=deleted')).text).to.contain('data-user="anna.b"');
    expect((await admin.post(`/institution/users/${user.id}/undelete`)).status).to.equal(303);
    expect(await world.examgate.permanentUsers.verify('anna.b', generated!)).not.to.equal(null);

    const trail = await auditRows(world, 'entity_id = :id', { id: user.id });
    expect(trail.map((e) => e.action)).to.deep.equal(['create', 'update', 'delete', 'undelete']);
    expect(trail[1]!.changes).to.deep.include({ username: { from: 'anna', to: 'anna.b' }, lastName: { from: 'Berg', to: 'Berg-Lund' } });
  });

  it('when an admin resets a password, then a generated one shows once or a chosen one is set, the old one stops working, and force-change is stored', async () => {
    const { user, generated } = await world.examgate.permanentUsers.create(platformId, userInput('anna'), { kind: 'generate' }, TEST_SETUP);
    const empty = await admin.post(
      `/institution/users/${user.id}/password`,
      { choice: 'chosen', password: '' },
      `/institution/users/${user.id}/password`,
    );
    expect(empty.status).to.equal(400);
    expect(empty.text).to.contain('Type the new password, or choose to generate one.');
    const reset = await admin.post(
      `/institution/users/${user.id}/password`,
      { choice: 'generate', mustChange: 'on' },
      `/institution/users/${user.id}/password`,
    );
    const fresh = /<code data-password>([^<]+)<\/code>/.exec(reset.text)?.[1];
    expect(fresh).to.be.a('string');
    expect(await world.examgate.permanentUsers.verify('anna', generated!)).to.equal(null);
    expect((await world.examgate.permanentUsers.verify('anna', fresh!))?.mustChangePassword).to.equal(true);
    await admin.post(
      `/institution/users/${user.id}/password`,
      { choice: 'chosen', password: 'Chosen-Pass1' },
      `/institution/users/${user.id}/password`,
    );
    expect(await world.examgate.permanentUsers.verify('anna', 'Chosen-Pass1')).not.to.equal(null);
    const trail = await auditRows(world, "entity_id = :id AND action = 'reset-password'", { id: user.id });
    expect(trail).to.have.length(2);
    trail.forEach((e) => expect(e.raw).not.to.contain(fresh!).and.not.contain('Chosen-Pass1'));
  });

  it('when a user is a candidate of tests, then their page lists those tests', async () => {
    const { user } = await world.examgate.permanentUsers.create(platformId, userInput('anna'), { kind: 'generate' }, TEST_SETUP);
    const none = await admin.get(`/institution/users/${user.id}`);
    expect(none.text).to.contain('Not a candidate of any test yet.');
  });
});
