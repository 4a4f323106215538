import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { hashPassword } from '../../src/security/password-hash.js';
import request from 'supertest';
import { QueryTypes } from 'sequelize';
import { auditRows } from '../support/audit.js';
import { commitBulk, hashingDone, importBulk, previewBulk, uploadBulk, UPLOAD, usersOf, type UserRow } from '../support/bulk-upload.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, institutionSignIn, platformIdOf } from '../support/institution.js';
import { BulkRepository } from '../../src/permanent/bulk/bulk.repository.js';
import { SealedText } from '../../src/secrets/sealed-text.js';
import { PASSWORD_QUEUE_PURPOSE } from '../../src/permanent/bulk/bulk-uploads.service.js';
import { verifyPassword } from '../../src/security/password-hash.js';
import { unitOfWorkRunner } from '../../src/db/unit-of-work.js';

const HEADER = 'Username,First Name,Last Name,Email,Venue,Role,Password';
/** anna exists (see storedAnna); carl is new. */
const FIXTURE = [HEADER, 'anna,Anne,,anna@new.example,Hall B,,Secret-Pass1', 'carl,Carl,Holm,carl@uni.example,,,Carl-Pass12', ''].join(
  '\r\n',
);
const DEFAULTS = { 'default-role': 'Student', 'default-clientId': 'INST-1' };

type Seen = Pick<UserRow, 'username' | 'first_name' | 'last_name' | 'email' | 'venue' | 'role' | 'client_id' | 'title'>;
const seen = (u: UserRow): Seen => ({
  username: u.username,
  first_name: u.first_name,
  last_name: u.last_name,
  email: u.email,
  venue: u.venue,
  role: u.role,
  client_id: u.client_id,
  title: u.title,
});
const annaBefore: Seen = {
  username: 'anna',
  first_name: 'Anna',
  last_name: 'Berg',
  email: 'anna@uni.example',
  venue: null,
  role: 'Candidate',
  client_id: null,
  title: 'Ms',
};
const carl: Seen = {
  username: 'carl',
  first_name: 'Carl',
  last_name: 'Holm',
  email: 'carl@uni.example',
  venue: null,
  role: 'Student',
  client_id: 'INST-1',
  title: null,
};

describe('Bulk upload of permanent users (seed 004): options, rows, commit and the hashing job', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let platformId: string;
  let cookie: string;

  let annaHash: string;
  // One world and one admin session for the file: each test starts from no permanent users (scrypt is slow by design).
  before(async () => {
    world = await startWorld();
    platformId = await platformIdOf(world);
    await adminAccount(world, platformId);
    cookie = (await institutionSignIn(world, 'exam-office')).cookie;
    annaHash = await hashPassword('Old-Passw0rd');
  });
  beforeEach(async () => {
    for (const table of [
      'permanent_password_queue',
      'permanent_password_handouts',
      'imports',
      'permanent_import_options',
      'permanent_users',
      'audit_entries',
    ]) {
      await world.examgate.sequelize.query(`DELETE FROM ${table}`);
    }
  });

  /** anna, stored before the upload, with the password Old-Passw0rd. */
  const storedAnna = async () => {
    const now = new Date();
    await world.examgate.sequelize.query(
      `INSERT INTO permanent_users (id, platform_id, username, username_key, title, first_name, last_name, email, role, eligible,
         password_hash, password_pending, password_weak, must_change_password, created_at, updated_at)
       VALUES (:id, :platformId, 'anna', 'anna', 'Ms', 'Anna', 'Berg', 'anna@uni.example', 'Candidate', :yes, :hash, :no, :no, :no, :now, :now)`,
      { replacements: { id: randomUUID(), platformId, hash: annaHash, yes: true, no: false, now } },
    );
  };

  const matrix: Array<[string, string, Seen[], boolean]> = [
    ['add-new', 'none', [annaBefore, carl], false],
    [
      'add-all',
      'none',
      [annaBefore, { ...carl, username: 'anna2', first_name: 'Anne', last_name: null, email: 'anna@new.example', venue: 'Hall B' }, carl],
      false,
    ],
    ['add-update', 'none', [annaBefore, carl], false],
    ['add-update', 'override', [{ ...annaBefore, first_name: 'Anne', email: 'anna@new.example', venue: 'Hall B' }, carl], true],
    [
      'add-update',
      'override-defaults',
      [{ ...annaBefore, first_name: 'Anne', email: 'anna@new.example', venue: 'Hall B', role: 'Student', client_id: 'INST-1' }, carl],
      true,
    ],
    ['add-update', 'fill', [{ ...annaBefore, venue: 'Hall B', client_id: 'INST-1' }, carl], false],
    ['update-only', 'none', [annaBefore], false],
    ['update-only', 'override', [{ ...annaBefore, first_name: 'Anne', email: 'anna@new.example', venue: 'Hall B' }], true],
    [
      'update-only',
      'override-defaults',
      [{ ...annaBefore, first_name: 'Anne', email: 'anna@new.example', venue: 'Hall B', role: 'Student', client_id: 'INST-1' }],
      true,
    ],
    ['update-only', 'fill', [{ ...annaBefore, venue: 'Hall B', client_id: 'INST-1' }], false],
  ];
  for (const [uploadType, existingDetails, expected, annaNewPassword] of matrix) {
    it(`when the upload type is ${uploadType} with existing details "${existingDetails}", then exactly the expected users are stored`, async () => {
      await storedAnna();
      const preview = await previewBulk(world, cookie, FIXTURE, { uploadType, existingDetails, ...DEFAULTS });
      if (preview.text.includes('id="nothing-to-do"')) {
        expect(expected, 'only a file that changes nothing has nothing to import').to.deep.equal([annaBefore]);
      } else {
        expect((await commitBulk(world, cookie, preview)).status).to.equal(303);
      }

      const users = await usersOf(world, platformId);
      expect(users.map(seen)).to.deep.equal(expected);
      const anna = users.find((u) => u.username === 'anna')!;
      expect(Boolean(anna.password_pending), 'anna waits for a new hash exactly when the file replaced her password').to.equal(
        annaNewPassword,
      );
      expect(anna.password_hash === annaHash).to.equal(!annaNewPassword);
      for (const added of users.filter((u) => u.username !== 'anna')) {
        expect(Boolean(added.password_pending), `${added.username} waits for the hashing job`).to.equal(true);
        expect(added.password_hash).to.equal(null);
      }
    });
  }

  it('when rows break the rules, then each is rejected with its line, column and reason, and no password is stored in clear', async () => {
    const csv = [
      'Username,Email,Eligible,Deleted,Password,Phone',
      'good.one,good@uni.example,yes,no,Strong-Pass1,',
      'bad#name,x@uni.example,,,,',
      'no.mail,not-an-address,,,,',
      'two.mails,a@b,,,,',
      'GOOD.ONE,dup@uni.example,,,,',
      'flag,f@uni.example,maybe,,,',
      'del,d@uni.example,,perhaps,,',
      `long.phone,l@uni.example,,,,${'9'.repeat(51)}`,
      'weak.one,w@uni.example,TRUE,0,password,',
      '',
    ].join('\r\n');
    const preview = await previewBulk(world, cookie, csv);
    expect(preview.status).to.equal(200);
    const text = preview.text.replace(/&quot;/g, '"');
    expect(text).to.contain('"#" is not allowed in a username');
    expect(text).to.contain('"not-an-address" is not an e-mail address');
    expect(text).to.contain('"a@b" is not an e-mail address');
    expect(text).to.contain('"good.one" is also on line 2.');
    expect(text).to.contain('"maybe" is not yes or no');
    expect(text).to.contain('"perhaps" is not yes or no');
    expect(text).to.contain('is 51 characters long; at most 50.');
    expect(text).to.contain('2 to add').and.contain('7 rejected');
    expect(text).to.contain('password from the file (weak: kept, flagged)');
    const stored = await world.examgate.sequelize.query<{ lines: string; payload: string }>('SELECT lines, payload FROM imports', {
      type: QueryTypes.SELECT,
    });
    expect(JSON.stringify(stored)).not.to.contain('Strong-Pass1').and.not.to.contain('"password"');
    await commitBulk(world, cookie, preview);
    const users = await usersOf(world, platformId);
    expect(users.map((u) => [u.username, Boolean(u.password_weak), Boolean(u.must_change_password), Boolean(u.eligible)])).to.deep.equal([
      ['good.one', false, false, true],
      ['weak.one', true, true, true],
    ]);
  });

  it('when a row says Deleted = yes, then it deletes the user only with Allow deletes; otherwise it is reported and nothing changes', async () => {
    await storedAnna();
    const csv = 'Username,Deleted,Venue\r\nanna,yes,Hall Z\r\nnew.one,yes,\r\n';
    const without = await previewBulk(world, cookie, csv, { uploadType: 'add-update', existingDetails: 'override' });
    expect(without.text).to.contain('Deleted = yes is not applied: Allow deletes is off. Nothing changed.');
    expect(without.text).to.contain('marked Deleted: not added').and.contain('id="nothing-to-do"');
    expect((await usersOf(world, platformId)).map((u) => [u.username, u.deleted_at, u.venue])).to.deep.equal([['anna', null, null]]);

    const withDeletes = await previewBulk(world, cookie, csv, {
      uploadType: 'add-update',
      existingDetails: 'override',
      allowDeletes: 'on',
    });
    expect(withDeletes.text).to.contain('will be deleted (Allow deletes is on)');
    expect((await commitBulk(world, cookie, withDeletes)).status).to.equal(303);
    const [anna, ...others] = await usersOf(world, platformId);
    expect(anna!.deleted_at).not.to.equal(null);
    expect(others).to.deep.equal([]);
    expect(await world.examgate.permanentUsers.verify('anna', 'Old-Passw0rd')).to.equal(null);
    const trail = await auditRows(world, "entity_type = 'permanent-user'");
    expect(trail.map((e) => e.action)).to.deep.equal(['delete']);

    // Deleted = no with Allow deletes undeletes.
    const back = await previewBulk(world, cookie, 'Username,Deleted\r\nanna,no\r\n', {
      uploadType: 'update-only',
      existingDetails: 'override',
      allowDeletes: 'on',
    });
    expect(back.text).to.contain('undeleted');
    await commitBulk(world, cookie, back);
    expect((await usersOf(world, platformId))[0]!.deleted_at).to.equal(null);
  });

  it('when Force password change is weak, none or all, then exactly those new users must change it at their next sign-in', async () => {
    const csv = 'Username,Password\r\nstrong,Strong-Pass1\r\nweak,weak\r\n';
    const flags = async () => (await usersOf(world, platformId)).map((u) => [u.username, Boolean(u.must_change_password)]);
    for (const [forceChange, expected] of [
      [
        'weak',
        [
          ['strong', false],
          ['weak', true],
        ],
      ],
      [
        'none',
        [
          ['strong', false],
          ['weak', false],
        ],
      ],
      [
        'all',
        [
          ['strong', true],
          ['weak', true],
        ],
      ],
    ] as const) {
      await world.examgate.sequelize.query('DELETE FROM permanent_password_queue');
      await world.examgate.sequelize.query('DELETE FROM permanent_users');
      await importBulk(world, cookie, csv, { forceChange });
      expect(await flags(), forceChange).to.deep.equal(expected);
    }
  });

  it('when the file has no password and the form says it is required, then the row is rejected; with a common password every new user gets it', async () => {
    const csv = 'Username,Email,Password\r\nann,ann@uni.example,\r\nbo,bo@uni.example,File-Pass12\r\n';
    const required = await previewBulk(world, cookie, csv, { newPassword: 'file' });
    expect(required.text).to.contain('New user password says it is required in the file');
    expect(required.text).to.contain('1 to add').and.contain('1 rejected');

    const common = await previewBulk(world, cookie, csv, { newPassword: 'file', commonPassword: 'Common-Pass9' });
    expect(common.text).to.contain('2 to add').and.contain('a common password is set for every new user');
    expect(common.text).to.contain('E-mail registration details: not requested.');
    // The runner waits while the pending state is checked: at the tests' hash cost the job would otherwise win the race.
    await world.examgate.jobs.stop();
    try {
      await commitBulk(world, cookie, common);
      expect(await world.examgate.permanentUsers.verify('ann', 'Common-Pass9'), 'pending: no sign-in yet').to.equal(null);
    } finally {
      world.examgate.jobs.start();
    }
    await hashingDone(world, platformId);
    expect((await world.examgate.permanentUsers.verify('ann', 'Common-Pass9'))?.username).to.equal('ann');
    expect((await world.examgate.permanentUsers.verify('bo', 'Common-Pass9'))?.username).to.equal('bo');
    expect(await world.examgate.permanentUsers.verify('bo', 'File-Pass12')).to.equal(null);
    const options = await world.examgate.sequelize.query<{ options: string }>('SELECT options FROM permanent_import_options', {
      type: QueryTypes.SELECT,
    });
    expect(JSON.stringify(options)).not.to.contain('Common-Pass9');
  });

  it('when passwords are generated with e-mail requested, then the user with an address is e-mailed, the admin downloads the other’s once, and after the job they sign in', async () => {
    const preview = await previewBulk(world, cookie, 'Username,Email\r\ngen.one,g1@uni.example\r\ngen.two,\r\n', {
      emailRegistration: 'on',
    });
    expect(preview.text).to.contain(
      'E-mail registration details: requested. Each new user with an e-mail address is sent their username and password',
    );
    expect(preview.text).to.contain('password generated');
    // The runner waits until the pending state has been checked (the tests hash fast enough to win that race).
    await world.examgate.jobs.stop();
    const committed = await commitBulk(world, cookie, preview).catch((err: unknown) => {
      world.examgate.jobs.start();
      throw err;
    });
    const done = await request(world.url).get(String(committed.headers.location)).set('cookie', cookie);
    expect(done.text).to.contain('E-mail registration details: requested');
    const summaryPath = preview.path.replace(/\/imports\/.*$/, '');
    const summary = await request(world.url).get(summaryPath).set('cookie', cookie);
    expect(summary.text).to.contain('1 password was generated for users who are not e-mailed theirs.');
    const download = await request(world.url)
      .post(`${summaryPath}/generated-passwords.csv`)
      .set('cookie', cookie)
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(summary.text)![1] });
    expect(download.status).to.equal(200);
    const lines = download.text.replace('\ufeff', '').trim().split('\r\n');
    expect(lines[0]).to.equal('Username,Password,E-mail');
    const [, first] = lines[1]!.split(',');
    expect(first).to.match(/^[A-Za-z2-9]{14}$/);
    const again = await request(world.url)
      .post(`${summaryPath}/generated-passwords.csv`)
      .set('cookie', cookie)
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(summary.text)![1] });
    expect(again.status).to.equal(410);

    // gen.one's password went into the e-mail (sealed in the outbox), so the download holds gen.two's only.
    expect(lines.map((l) => l.split(',')[0])).to.deep.equal(['Username', 'gen.two']);
    const mails = await world.examgate.sequelize.query<{ purpose: string; recipient: string; body_sealed: string; platform_id: string }>(
      "SELECT purpose, recipient, body_sealed, platform_id FROM mail_outbox WHERE purpose = 'registration'",
      { type: QueryTypes.SELECT },
    );
    expect(mails.map((m) => [m.purpose, m.recipient, m.platform_id])).to.deep.equal([['registration', 'g1@uni.example', platformId]]);
    expect(mails[0]!.body_sealed).not.to.contain('Password:');
    const user = lines.find((l) => l.startsWith('gen.two,'))!.split(',')[1]!;
    try {
      expect(await world.examgate.permanentUsers.verify('gen.two', user), 'pending').to.equal(null);
    } finally {
      world.examgate.jobs.start();
    }
    await hashingDone(world, platformId);
    expect((await world.examgate.permanentUsers.verify('gen.two', user))?.username).to.equal('gen.two');
    const status = await request(world.url).get(`${UPLOAD}/hashing/status`).set('cookie', cookie);
    expect(status.body).to.deep.include({ queued: 0 });
    expect(status.body.job).to.include({ status: 'succeeded', done: 2, total: 2 });
    const trail = await auditRows(world, "action = 'download-generated-passwords'");
    expect(trail).to.have.length(1);
    trail.forEach((e) => expect(e.raw).not.to.contain(user));
  });

  /** The report CSV's lines, without its BOM and header. */
  const reportLinesOf = async (preview: { path: string }) => {
    const csv = await request(world.url).get(`${preview.path}/report.csv`).set('cookie', cookie);
    return csv.text.replace('\ufeff', '').trim().split('\r\n').slice(1);
  };
  /** Committed in the request (not as a job), so the users are there when it answers. */
  const commitInRequest = async (preview: { path: string; text: string }) => {
    world.examgate.imports.settings.jobRows = 10_000;
    try {
      return await commitBulk(world, cookie, preview);
    } finally {
      world.examgate.imports.settings.jobRows = world.config.IMPORT_JOB_ROWS;
    }
  };

  it('when a file of several parts adds all and its first row clashes, then the number skips a username of a later part, and the report lists every line in file order', async () => {
    await storedAnna();
    const rows = ['Username,First Name', 'anna,Anne'];
    for (let i = 0; i < 2500; i += 1) {
      rows.push(`u${String(i).padStart(4, '0')},User`);
      if (i % 100 === 50) {
        rows.push(`bad name ${i},Spaced`);
      }
    }
    rows.push('anna2,Second', '');
    const preview = await previewBulk(world, cookie, rows.join('\r\n'), { uploadType: 'add-all' });
    // anna2 is the file's own (its last row, three parts later), so the clashing anna becomes anna3.
    expect(preview.text).to.contain('&quot;anna&quot; is taken: added as &quot;anna3&quot;');
    const lines = await reportLinesOf(preview);
    expect(lines.map((l) => Number(l.split(',')[0]))).to.deep.equal(Array.from({ length: rows.length - 2 }, (_, i) => i + 2));
    expect(lines.filter((l) => l.includes(',rejected,'))).to.have.length(25);

    expect((await commitInRequest(preview)).status).to.equal(303);
    const users = await usersOf(world, platformId);
    expect(users).to.have.length(1 + 1 + 2500 + 1);
    expect(users.filter((u) => u.username.startsWith('anna')).map((u) => [u.username, u.first_name])).to.deep.equal([
      ['anna', 'Anna'],
      ['anna2', 'Second'],
      ['anna3', 'Anne'],
    ]);
  });

  it('when most rows of a big file fail the reader, then the parts end on rejections too, the report lists every line in file order, and the good rows are added', async () => {
    const rows = ['Username,First Name'];
    const good: string[] = [];
    for (let i = 0; i < 2600; i += 1) {
      if (i % 13 === 0) {
        good.push(`ok${String(i).padStart(4, '0')}`);
        rows.push(`${good[good.length - 1]},Good`);
      } else {
        rows.push(`bad name ${i},Spaced`);
      }
    }
    rows.push('');
    const preview = await previewBulk(world, cookie, rows.join('\r\n'), {});
    const lines = await reportLinesOf(preview);
    expect(lines.map((l) => Number(l.split(',')[0]))).to.deep.equal(Array.from({ length: 2600 }, (_, i) => i + 2));
    expect(lines.filter((l) => l.includes(',rejected,'))).to.have.length(2600 - good.length);
    expect((await commitInRequest(preview)).status).to.equal(303);
    const users = await usersOf(world, platformId);
    expect(users.filter((u) => u.username.startsWith('ok')).map((u) => u.username)).to.deep.equal(good);
  });

  it('when passwords are generated for more users than one commit step and no e-mail is requested, then the download lists every generated one in file order, each strong and distinct, and they sign in', async () => {
    const names = Array.from({ length: 1203 }, (_, i) => `gen${String(i + 1).padStart(4, '0')}`);
    const rows = names.map((name, i) => `${name},${i % 2 === 0 ? `${name}@uni.example` : ''},`);
    const file = ['Username,Email,Password', ...rows, 'given,given@uni.example,Given-Pass12', ''].join('\r\n');
    const preview = await previewBulk(world, cookie, file, {});
    const committed = await commitBulk(world, cookie, preview);
    const done = await request(world.url).get(String(committed.headers.location)).set('cookie', cookie);
    expect(done.status).to.equal(200);
    const summaryPath = preview.path.replace(/\/imports\/.*$/, '');
    const summary = await request(world.url).get(summaryPath).set('cookie', cookie);
    const download = await request(world.url)
      .post(`${summaryPath}/generated-passwords.csv`)
      .set('cookie', cookie)
      .type('form')
      .send({ _csrf: /name="_csrf" value="([^"]+)"/.exec(summary.text)![1] });
    expect(download.status).to.equal(200);
    const lines = download.text.replace('\ufeff', '').trim().split('\r\n');
    expect(lines[0]).to.equal('Username,Password,E-mail');
    const cells = lines.slice(1).map((l) => l.split(','));
    // The user whose password came from the file is not in the download.
    expect(cells.map((c) => c[0])).to.deep.equal(names);
    expect(cells.map((c) => c[2])).to.deep.equal(names.map((name, i) => (i % 2 === 0 ? `${name}@uni.example` : '')));
    const passwords = cells.map((c) => c[1]!);
    passwords.forEach((p) =>
      expect(p)
        .to.match(/^[A-Za-z2-9]{14}$/)
        .and.match(/[A-Z]/)
        .and.match(/[0-9]/),
    );
    expect(new Set(passwords).size).to.equal(passwords.length);
    await hashingDone(world, platformId);
    expect((await world.examgate.permanentUsers.verify('gen1203', passwords[1202]!))?.username).to.equal('gen1203');
    expect((await world.examgate.permanentUsers.verify('gen0001', passwords[0]!))?.username).to.equal('gen0001');
    expect(await world.examgate.permanentUsers.verify('gen0001', passwords[1]!)).to.equal(null);
  });

  it('when the options do not hold, then the form comes back with a message per field; another platform’s upload is 404', async () => {
    const bad = await uploadBulk(world, cookie, 'Username\r\nx\r\n', { uploadType: 'everything', forceChange: '' });
    expect(bad.status).to.equal(400);
    expect(bad.text).to.contain('Choose one of the Upload type options').and.contain('Choose one of the Force password change options');
    const common = await uploadBulk(world, cookie, 'Username\r\nx\r\n', {
      uploadType: 'update-only',
      existingDetails: 'override',
      commonPassword: 'Xx-123456',
    });
    expect(common.status).to.equal(400);
    expect(common.text).to.contain('The common password is for new users');

    const preview = await previewBulk(world, cookie, 'Username\r\nwalled\r\n');
    const other = await platformIdOf(world, world.otherLms);
    await adminAccount(world, other, 'other-office');
    const otherCookie = (await institutionSignIn(world, 'other-office')).cookie;
    for (const path of [preview.path, preview.path.replace(/\/imports\/.*$/, ''), `${preview.path}/report.csv`]) {
      expect((await request(world.url).get(path).set('cookie', otherCookie)).status, path).to.equal(404);
    }
  });

  it('when the platform’s users change after the preview, then the commit is refused and nothing of the file is written', async () => {
    const preview = await previewBulk(world, cookie, 'Username,Password\r\nfirst,Strong-Pass1\r\nanna,Strong-Pass1\r\n');
    await storedAnna();
    const refused = await commitBulk(world, cookie, preview);
    expect(refused.status).to.equal(409);
    expect(refused.text).to.contain('Nothing was imported');
    expect((await usersOf(world, platformId)).map((u) => u.username)).to.deep.equal(['anna']);
    const queued = await world.examgate.sequelize.query('SELECT * FROM permanent_password_queue', { type: QueryTypes.SELECT });
    expect(queued).to.deep.equal([]);
  });

  it('when the sample file is downloaded and uploaded as it is, then its two users preview as additions', async () => {
    const sample = await request(world.url).get(`${UPLOAD}/sample.csv`).set('cookie', cookie);
    expect(sample.headers['content-disposition']).to.contain('permanent-users-sample.csv');
    expect(sample.text).to.contain(
      'Client ID,Username,Title,First Name,Last Name,Email,Role,Phone,Password,Deleted,Eligible,Venue,Booking Status',
    );
    const preview = await previewBulk(world, cookie, sample.text);
    expect(preview.text).to.contain('2 to add').and.contain('0 rejected');
  });

  it('when a hashing run dies before its batch commits, then the next run hashes everything still queued, and a replaced entry keeps the newer password', async () => {
    await world.examgate.jobs.stop();
    try {
      await importBulk(world, cookie, 'Username,Password\r\nh1,First-Pass1\r\nh2,First-Pass2\r\nh3,First-Pass3\r\n');
      const repository = new BulkRepository(world.examgate.sequelize);
      const seal = new SealedText(world.config.secretKeys, PASSWORD_QUEUE_PURPOSE);
      const queued = await repository.nextQueued(platformId, 10);
      expect(queued).to.have.length(3);
      const [h1, h2] = (await usersOf(world, platformId)).map((u) => u.id);
      // A run that hashed h1 and crashed before its transaction committed: nothing of it is written.
      await world.examgate.sequelize
        .transaction(async (transaction) => {
          const entry = queued.find((q) => q.userId === h1)!;
          await world.examgate.sequelize.query('DELETE FROM permanent_password_queue WHERE user_id = :id', {
            replacements: { id: entry.userId },
            transaction,
          });
          throw new Error('killed');
        })
        .catch(() => undefined);
      expect(await repository.queuedCount(platformId)).to.equal(3);
      // h2's entry is replaced by a later upload before the old one's hash is stored: the stale hash is not written.
      const stale = queued.find((q) => q.userId === h2)!;
      await world.examgate.sequelize.query('UPDATE permanent_password_queue SET sealed = :sealed WHERE user_id = :id', {
        replacements: { id: h2, sealed: seal.seal('Second-Pass2') },
      });
      const inUnit = unitOfWorkRunner(world.examgate.sequelize);
      expect(await inUnit((unit) => repository.storeHash(h2!, stale.sealed, 'scrypt$stale', unit))).to.equal(false);
    } finally {
      world.examgate.jobs.start();
    }
    await hashingDone(world, platformId);
    const users = await usersOf(world, platformId);
    expect(users.map((u) => [u.username, Boolean(u.password_pending)])).to.deep.equal([
      ['h1', false],
      ['h2', false],
      ['h3', false],
    ]);
    expect(await verifyPassword('First-Pass1', users[0]!.password_hash!)).to.equal(true);
    expect(await verifyPassword('Second-Pass2', users[1]!.password_hash!)).to.equal(true);
    expect(await new BulkRepository(world.examgate.sequelize).queuedCount(platformId)).to.equal(0);
  });
});
