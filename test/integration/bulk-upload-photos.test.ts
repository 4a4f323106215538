import { expect } from 'chai';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { QueryTypes } from 'sequelize';
import request from 'supertest';
import { commitBulk, hashingDone, uploadBulkFile, usersOf } from '../support/bulk-upload.js';
import { createExam, instructorOf, learnerLaunch } from '../support/course-session.js';
import { slipsOf } from '../support/handout.js';
import { startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, csrfIn, institutionSignIn, platformIdOf } from '../support/institution.js';
import { JPEG, PNG, unicodePathField, writeZip, type ZipWriterEntry } from '../support/zip-writer.js';

const CSV = ['Username,First Name,Last Name', 'anna,Anna,Berg', 'bob,Bob,Lind', 'carl,Carl,Holm', 'dora,Dora,Ek', 'eve,Eve,Sand', ''].join(
  '\r\n',
);
const ANNA = JPEG(3000);
const BOB = PNG(2000);
const sha = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const PHOTO_MAX = 2 * 1024 * 1024;

/** anna.jpg and bob.png are good, zed.jpg is extra, dora.jpg is a GIF, eve.png is too large; carl has none. */
const goodZip = () =>
  writeZip([
    { name: 'users.csv', data: CSV },
    { name: 'photos/', data: '', method: 'store' },
    { name: 'photos/anna.jpg', data: ANNA },
    { name: 'photos/bob.png', data: BOB, method: 'store' },
    { name: 'photos/zed.jpg', data: JPEG(500) },
    { name: 'photos/dora.jpg', data: Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(300, 1)]) },
    // Random bytes: they do not pack, so this is a big photo, not a bomb.
    { name: 'photos/eve.png', data: Buffer.concat([PNG(16), randomBytes(PHOTO_MAX)]) },
    { name: '__MACOSX/photos/._anna.jpg', data: 'resource fork' },
  ]);

describe('Bulk upload from a ZIP with candidate photos', function () {
  this.timeout(120_000);
  let world: TestWorld;
  let platformId: string;
  let cookie: string;

  before(async () => {
    world = await startWorld();
    platformId = await platformIdOf(world);
    await adminAccount(world, platformId);
    cookie = (await institutionSignIn(world, 'exam-office')).cookie;
  });
  beforeEach(async () => {
    for (const table of [
      'candidates',
      'exams',
      'permanent_user_photos',
      'permanent_upload_photos',
      'permanent_password_queue',
      'permanent_password_handouts',
      'imports',
      'permanent_import_options',
      'permanent_users',
      'audit_entries',
    ]) {
      await world.examgate.sequelize.query(`DELETE FROM ${table}`).catch((err: { parent?: { message?: string } }) => {
        throw new Error(`${table}: ${err.parent?.message}`);
      });
    }
  });

  // The hashing job a commit queues must not run into the next test's cleanup.
  afterEach(() => hashingDone(world, platformId));

  const rows = (sql: string) => world.examgate.sequelize.query<Record<string, unknown>>(sql, { type: QueryTypes.SELECT });
  const stored = () =>
    world.examgate.sequelize.query<{ username: string; content_type: string; sha256: string; size: number }>(
      `SELECT u.username, p.content_type, p.sha256, p.size FROM permanent_user_photos p JOIN permanent_users u ON u.id = p.user_id
        ORDER BY u.username`,
      { type: QueryTypes.SELECT },
    );
  const preview = async (zip: Buffer, fields: Record<string, string> = {}) => {
    const posted = await uploadBulkFile(world, cookie, zip, fields);
    expect(posted.status, posted.text.slice(0, 800)).to.equal(303);
    const path = String(posted.headers.location);
    return { path, text: (await request(world.url).get(path).set('cookie', cookie)).text };
  };
  const refusedWith = async (zip: Buffer, message: string) => {
    const posted = await uploadBulkFile(world, cookie, zip);
    expect(posted.status).to.equal(400);
    expect(posted.text).to.contain('id="error-summary"').and.contain(message);
    // Nothing of a refused ZIP is kept: no preview, no staged photo, no user.
    expect(await rows('SELECT id FROM imports')).to.have.length(0);
    expect(await rows('SELECT entry FROM permanent_upload_photos')).to.have.length(0);
    expect(await usersOf(world, platformId)).to.have.length(0);
  };

  it('when a ZIP holds the CSV and photos, then the preview says per entry what is stored, extra or refused, and the commit stores the good ones with their users', async () => {
    const shown = await preview(goodZip());
    expect(shown.text).to.contain('Read from the ZIP: users.csv.');
    expect(shown.text).to.contain('Photos to store: 2').and.contain('Extra photos (no such username in the file): 1');
    expect(shown.text).to.contain('Files refused: 2').and.contain('Users in the file without a photo: 3');
    expect(shown.text).to.match(/photos\/dora\.jpg<\/code><\/td><td>refused<\/td><td>not a JPEG or PNG photo: its bytes are a GIF image/);
    expect(shown.text).to.match(
      /photos\/eve\.png<\/code><\/td><td>refused<\/td><td>is 2 MB \(2097168 bytes\); a photo may be at most 2 MB \(2097152 bytes\)/,
    );
    expect(shown.text).to.match(/photos\/zed\.jpg<\/code><\/td><td>extra<\/td>/);
    expect(shown.text).to.match(/photos\/anna\.jpg<\/code><\/td><td>stored<\/td><td>for anna \(line 2, added\)/);
    expect(shown.text).not.to.contain('__MACOSX');
    // Before the commit, nothing is stored on any user.
    expect(await stored()).to.have.length(0);

    const committed = await commitBulk(world, cookie, shown);
    expect(committed.status).to.equal(303);
    expect(await stored()).to.deep.equal([
      { username: 'anna', content_type: 'image/jpeg', sha256: sha(ANNA), size: ANNA.length },
      { username: 'bob', content_type: 'image/png', sha256: sha(BOB), size: BOB.length },
    ]);
    expect(await rows('SELECT entry FROM permanent_upload_photos')).to.have.length(0);
    const trail = await rows("SELECT changes FROM audit_entries WHERE action = 'store-photos'");
    expect(trail.map((t) => (JSON.parse(String(t.changes)) as { photos: unknown }).photos)).to.deep.equal([{ from: null, to: 2 }]);

    const anna = (await usersOf(world, platformId)).find((u) => u.username === 'anna')!;
    const page = await request(world.url).get(`/institution/users/${anna.id}`).set('cookie', cookie);
    expect(page.text).to.contain(`<img src="/institution/users/${anna.id}/photo" alt="Photo of Anna Berg"`);
    const photo = await request(world.url).get(`/institution/users/${anna.id}/photo`).set('cookie', cookie).buffer(true);
    expect(photo.status).to.equal(200);
    expect(photo.headers['content-type']).to.equal('image/jpeg');
    expect(photo.headers['cache-control']).to.match(/^private/);
    expect(photo.headers['x-content-type-options']).to.equal('nosniff');
    expect(Number(photo.headers['content-length'])).to.equal(ANNA.length);
    const carl = (await usersOf(world, platformId)).find((u) => u.username === 'carl')!;
    expect((await request(world.url).get(`/institution/users/${carl.id}/photo`).set('cookie', cookie)).status).to.equal(404);
  });

  it('when the same ZIP comes again to update users, then the same photos are unchanged and a new one replaces the old, audited', async () => {
    await commitBulk(world, cookie, await preview(goodZip()));
    const newAnna = JPEG(4000);
    const again = await preview(
      writeZip([
        { name: 'list/users.csv', data: CSV },
        { name: 'photos/anna.jpeg', data: newAnna },
        { name: 'photos/bob.png', data: BOB },
      ]),
      { uploadType: 'add-update' },
    );
    expect(again.text).to.contain('Photos to store: 1').and.contain('Photos unchanged (stored already): 1');
    expect(again.text).to.contain('photo replaced');
    expect((await commitBulk(world, cookie, again)).status).to.equal(303);
    expect((await stored()).map((p) => [p.username, p.sha256])).to.deep.equal([
      ['anna', sha(newAnna)],
      ['bob', sha(BOB)],
    ]);
    const trail = await rows("SELECT changes FROM audit_entries WHERE entity_type = 'permanent-user' AND action = 'update'");
    expect(trail.map((t) => JSON.parse(String(t.changes)) as { photo?: { from: string; to: string } })).to.deep.include({
      photo: { from: sha(ANNA), to: sha(newAnna) },
    });
  });

  it('when a second ZIP is sent to the same upload’s options, then it is refused and the first preview still commits its own photos', async () => {
    const first = await preview(goodZip());
    const optionsPath = first.path.replace(/\/imports\/[^/]+$/, '');
    const page = await request(world.url).get('/institution/users/upload').set('cookie', cookie);
    const again = await request(world.url)
      .post(`${optionsPath}/import`)
      .set('cookie', cookie)
      .field('_csrf', csrfIn(page.text))
      .attach(
        'file',
        writeZip([
          { name: 'users.csv', data: CSV },
          { name: 'photos/anna.jpg', data: JPEG(999) },
        ]),
        {
          filename: 'again.zip',
          contentType: 'application/zip',
        },
      );
    expect(again.status).to.equal(400);
    expect(again.text).to.contain('This upload has its ZIP already');
    expect((await commitBulk(world, cookie, first)).status).to.equal(303);
    expect((await stored()).map((p) => [p.username, p.sha256])).to.deep.equal([
      ['anna', sha(ANNA)],
      ['bob', sha(BOB)],
    ]);
  });

  it('when a ZIP preview expires uncommitted, then housekeeping drops its staged photos (and keeps a fresh preview’s)', async () => {
    await preview(goodZip());
    const fresh = await preview(goodZip());
    const [first] = await rows('SELECT target_id FROM imports ORDER BY created_at LIMIT 1');
    await world.examgate.sequelize.query('UPDATE permanent_upload_photos SET staged_at = :old WHERE options_id = :id', {
      replacements: { old: new Date(Date.now() - 2 * 60 * 60_000), id: first!.target_id },
    });
    await world.examgate.forgetExpiredPhotos();
    const left = await rows('SELECT DISTINCT options_id FROM permanent_upload_photos');
    expect(left).to.have.length(1);
    expect(left[0]!.options_id).to.not.equal(first!.target_id);
    expect((await commitBulk(world, cookie, fresh)).status).to.equal(303);
    expect(await stored()).to.have.length(2);
  });

  it('when the commit runs as a job, then the photos are stored with the users by the job', async () => {
    world.examgate.imports.settings.jobRows = 0;
    try {
      const committed = await commitBulk(world, cookie, await preview(goodZip()));
      expect(committed.status).to.equal(303);
      const deadline = Date.now() + 30_000;
      for (;;) {
        const [found] = await rows('SELECT status, error FROM imports');
        if (found?.status !== 'queued') {
          expect(found, 'the job committed').to.deep.equal({ status: 'committed', error: null });
          break;
        }
        expect(Date.now(), 'the job committed').to.be.lessThan(deadline);
        world.examgate.jobs.nudge();
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect((await stored()).map((p) => p.username)).to.deep.equal(['anna', 'bob']);
      expect(await rows('SELECT entry FROM permanent_upload_photos')).to.have.length(0);
    } finally {
      world.examgate.imports.settings.jobRows = world.config.IMPORT_JOB_ROWS;
    }
  });

  it('when what is stored changed before the commit, then the commit is refused and no photo is written', async () => {
    const shown = await preview(goodZip());
    const now = new Date();
    await world.examgate.sequelize.query(
      `INSERT INTO permanent_users (id, platform_id, username, username_key, eligible, password_pending, password_weak, must_change_password, created_at, updated_at)
       VALUES (:id, :platformId, 'anna', 'anna', :yes, :no, :no, :no, :now, :now)`,
      { replacements: { id: randomUUID(), platformId, yes: true, no: false, now } },
    );
    const committed = await commitBulk(world, cookie, shown);
    expect(committed.status).to.equal(409);
    expect(await stored()).to.have.length(0);
    expect((await usersOf(world, platformId)).map((u) => u.username)).to.deep.equal(['anna']);
  });

  const refusals: Array<[string, ZipWriterEntry[], string]> = [
    [
      'a path that climbs out',
      [
        { name: 'users.csv', data: CSV },
        { name: 'photos/../../etc/anna.jpg', data: JPEG() },
      ],
      '&quot;photos/../../etc/anna.jpg&quot; climbs out',
    ],
    [
      'an absolute path',
      [
        { name: 'users.csv', data: CSV },
        { name: '/photos/anna.jpg', data: JPEG() },
      ],
      'is an absolute path',
    ],
    [
      'a backslash',
      [
        { name: 'users.csv', data: CSV },
        { name: 'photos\\anna.jpg', data: JPEG() },
      ],
      'uses a backslash',
    ],
    [
      'two CSVs',
      [
        { name: 'users.csv', data: CSV },
        { name: 'more/users-2.csv', data: CSV },
      ],
      'The ZIP holds 2 CSV files (&quot;users.csv&quot;, &quot;more/users-2.csv&quot;)',
    ],
    ['no CSV', [{ name: 'photos/anna.jpg', data: JPEG() }], 'The ZIP holds no CSV file'],
    [
      'an encrypted entry',
      [
        { name: 'users.csv', data: CSV },
        { name: 'photos/anna.jpg', data: JPEG(), flags: 1 },
      ],
      '&quot;photos/anna.jpg&quot; is encrypted',
    ],
    [
      'a bomb that understates its size',
      [
        { name: 'users.csv', data: CSV },
        { name: 'photos/anna.jpg', data: Buffer.concat([JPEG(), Buffer.alloc(20_000_000)]), declaredSize: 1000 },
      ],
      '&quot;photos/anna.jpg&quot; unpacks to something else than its header says (1000 bytes)',
    ],
    [
      'a bomb that says its size',
      [
        { name: 'users.csv', data: CSV },
        { name: 'photos/anna.jpg', data: Buffer.alloc(50_000_000) },
      ],
      'times its packed size (at most 100): that is a ZIP bomb',
    ],
  ];
  for (const [what, entries, message] of refusals) {
    it(`when the ZIP has ${what}, then the whole upload is refused naming the entry, and nothing is kept`, async () => {
      await refusedWith(writeZip(entries), message);
    });
  }

  it('when the ZIP’s CSV turns out unreadable after its first thousands of rows, then the upload is refused naming the line, nothing of it is kept, and the same ZIP with the CSV mended previews', async () => {
    const users = Array.from({ length: 2500 }, (_, i) => `user${i},First${i},Last${i}`);
    const broken = ['Username,First Name,Last Name', 'anna,Anna,Berg', ...users, 'zed,"never closed,Ek', ''].join('\r\n');
    const entries = (csv: string): ZipWriterEntry[] => [
      { name: 'users.csv', data: Buffer.from(csv) },
      { name: 'photos/anna.jpg', data: JPEG() },
    ];
    const parts = async () => (await rows('SELECT import_id FROM import_parts')).length;
    const before = await parts();
    // Parts of the lines and payload were stored before the quote was found: they go with the transaction.
    await refusedWith(writeZip(entries(broken)), 'Line 2503: a quote (&quot;) opens a value that is never closed');
    expect(await parts()).to.equal(before);

    const mended = await preview(writeZip(entries(broken.replace('"never closed', 'Zed'))));
    expect(mended.text).to.contain('Photos to store: 1').and.contain('Users in the file without a photo: 2501');
  });

  it('when a ZIP made on Windows names photos in code page 437 (with or without the Unicode Path field), then they are stored on jürgen and åsa', async () => {
    const jurgen = Buffer.concat([Buffer.from('photos/j'), Buffer.from([0x81]), Buffer.from('rgen.jpg')]);
    const asa = Buffer.concat([Buffer.from('photos/'), Buffer.from([0x86]), Buffer.from('sa.png')]);
    const JURGEN = JPEG(1500);
    const shown = await preview(
      writeZip([
        { name: 'users.csv', data: 'Username,First Name,Last Name\r\njürgen,Jürgen,Öberg\r\nåsa,Åsa,Lund\r\n', utf8: false },
        { name: 'photos/jürgen.jpg', nameBytes: jurgen, utf8: false, data: JURGEN },
        { name: 'photos/åsa.png', nameBytes: asa, utf8: false, data: BOB, extra: unicodePathField('photos/åsa.png', asa) },
      ]),
    );
    expect(shown.text).to.contain('Photos to store: 2').and.contain('Files refused: 0');
    expect(shown.text).to.match(/photos\/jürgen\.jpg<\/code><\/td><td>stored<\/td><td>for jürgen \(line 2, added\)/);
    await commitBulk(world, cookie, shown);
    // Compared as a map: the databases sort "å" differently (bytes in SQLite, the collation in PostgreSQL).
    expect(new Map((await stored()).map((p) => [p.username, p.sha256]))).to.deep.equal(
      new Map([
        ['jürgen', sha(JURGEN)],
        ['åsa', sha(BOB)],
      ]),
    );
  });

  it('when an entry’s name is marked UTF-8 but is not, then the upload is refused naming the entry, and nothing is kept', async () => {
    const jurgen = Buffer.concat([Buffer.from('photos/j'), Buffer.from([0x81]), Buffer.from('rgen.jpg')]);
    await refusedWith(
      writeZip([
        { name: 'users.csv', data: CSV },
        { name: 'photos/jürgen.jpg', nameBytes: jurgen, data: JPEG() },
      ]),
      'entry 2, &quot;photos/j\ufffdrgen.jpg&quot; is marked as having a UTF-8 name, but the name’s bytes are not UTF-8',
    );
  });

  it('when the bytes only start like a ZIP, then the upload is refused as not a readable ZIP', async () => {
    await refusedWith(Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(200)]), 'not a readable ZIP archive');
  });

  it('when staff open a permanent candidate, then only that course’s staff see the photo, and another platform’s admin gets 404', async () => {
    await commitBulk(world, cookie, await preview(goodZip()));
    const anna = (await usersOf(world, platformId)).find((u) => u.username === 'anna')!;
    const teacher = await instructorOf(world, { id: 'course-photos', title: 'Photos 101' });
    const examId = await createExam(teacher, { title: 'Proctored final' });
    const added = await teacher.post(
      `/app/exams/${examId}/candidates/permanent`,
      { users: anna.id },
      `/app/exams/${examId}/candidates/permanent`,
    );
    expect(added.url).to.contain('done=permanent-added');
    const [candidate] = await world.examgate.sequelize.query<{ id: string }>('SELECT id FROM candidates WHERE exam_id = :examId', {
      replacements: { examId },
      type: QueryTypes.SELECT,
    });
    const photoPath = `/app/exams/${examId}/candidates/${candidate!.id}/photo`;

    const edit = await teacher.get(`/app/exams/${examId}/candidates/${candidate!.id}/edit`);
    expect(edit.body).to.contain(`<img src="${photoPath}?v=${sha(ANNA).slice(0, 16)}"`);
    const photo = await teacher.get(photoPath);
    expect(photo.response.status).to.equal(200);
    expect(photo.response.headers.get('content-type')).to.equal('image/jpeg');
    expect(photo.response.headers.get('cache-control')).to.match(/^private/);
    expect(photo.response.headers.get('x-content-type-options')).to.equal('nosniff');

    const learner = await learnerLaunch(
      world,
      { sub: 'student-7', name: 'Sam Student' },
      { context: { id: 'course-photos', title: 'Photos 101' } },
    );
    expect((await learner.get(photoPath)).response.status).to.be.oneOf([403, 404]);
    const stranger = await instructorOf(world, { id: 'course-elsewhere', title: 'Other course' });
    expect((await stranger.get(photoPath)).response.status).to.equal(404);
    const foreign = await instructorOf(world, { id: 'course-photos', title: 'Photos 101' }, { lms: world.otherLms });
    expect((await foreign.get(photoPath)).response.status).to.equal(404);

    const otherPlatform = await platformIdOf(world, world.otherLms);
    await adminAccount(world, otherPlatform, 'other-office');
    const otherCookie = (await institutionSignIn(world, 'other-office')).cookie;
    expect((await request(world.url).get(`/institution/users/${anna.id}/photo`).set('cookie', otherCookie)).status).to.equal(404);
    expect((await request(world.url).get(`/institution/users/${anna.id}/photo`)).status).to.not.equal(200);
  });

  /** anna and bob (with photos), carl (without) as candidates of a fresh active test of a course, and one added by hand. */
  async function proctoredTest(course = { id: 'course-proctored', title: 'Proctoring 101' }) {
    await commitBulk(world, cookie, await preview(goodZip()));
    const users = await usersOf(world, platformId);
    const teacher = await instructorOf(world, course);
    const examId = await createExam(teacher, { title: 'Proctored final' });
    const page = `/app/exams/${examId}/candidates/permanent`;
    for (const name of ['anna', 'bob', 'carl']) {
      await teacher.post(page, { users: users.find((u) => u.username === name)!.id }, page);
    }
    await teacher.post(`/app/exams/${examId}/candidates`, { candidateId: 'walk-in-1' }, `/app/exams/${examId}/candidates`);
    await teacher.post(`/app/exams/${examId}/activate`);
    const candidates = await world.examgate.sequelize.query<{ id: string; candidate_id: string }>(
      'SELECT id, candidate_id FROM candidates WHERE exam_id = :examId',
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    const idOf = (label: string) => candidates.find((c) => c.candidate_id === label)!.id;
    return { teacher, examId, anna: idOf('Anna Berg'), bob: idOf('Bob Lind'), carl: idOf('Carl Holm'), walkIn: idOf('walk-in-1') };
  }

  /** The SQL statements that read candidate photos while `work` runs (to show a page reads them once, not per candidate). */
  async function photoReadsDuring(work: () => Promise<unknown>): Promise<number> {
    let reads = 0;
    // Sequelize's types leave out the statement a query ran (`sql`, set by the dialect once it ran).
    const hook = (_options: unknown, query: object) => {
      const sql = (query as { sql?: unknown }).sql;
      reads += typeof sql === 'string' && /(FROM|JOIN) permanent_user_photos/.test(sql) ? 1 : 0;
    };
    world.examgate.sequelize.addHook('afterQuery', 'count-photo-reads', hook);
    try {
      await work();
    } finally {
      world.examgate.sequelize.removeHook('afterQuery', 'count-photo-reads');
    }
    return reads;
  }

  const thumbnails = (html: string) => [...html.matchAll(/<img class="photo-thumb" src="([^"]+)" alt="([^"]+)"([^>]*)>/g)];

  it('when staff list the candidates, then those with a photo have a lazy thumbnail named for them, read in one query, and staff may hide them', async () => {
    const { teacher, examId, anna, bob } = await proctoredTest();
    let list = '';
    const reads = await photoReadsDuring(async () => {
      list = (await teacher.get(`/app/exams/${examId}/candidates`)).body;
    });
    expect(reads, 'one read of the photos for the whole page').to.equal(1);
    expect(list).to.contain('<th scope="col">Photo</th>');
    const shown = thumbnails(list);
    expect(shown.map(([, src, alt]) => [src, alt])).to.have.deep.members([
      [`/app/exams/${examId}/candidates/${anna}/photo?v=${sha(ANNA).slice(0, 16)}`, 'Photo of Anna Berg'],
      [`/app/exams/${examId}/candidates/${bob}/photo?v=${sha(BOB).slice(0, 16)}`, 'Photo of Bob Lind'],
    ]);
    for (const [, , , rest] of shown) {
      expect(rest).to.contain('loading="lazy"').and.contain('width="42" height="54"');
    }

    const hidden = await teacher.get(`/app/exams/${examId}/candidates?photos=hide`);
    expect(thumbnails(hidden.body)).to.have.length(0);
    expect(hidden.body).not.to.contain('<th scope="col">Photo</th>');
    expect(hidden.body).to.contain('Photos are hidden').and.contain('<input type="hidden" name="photos" value="hide">');
    expect(list).to.contain('photos=hide">Hide photos</a>');
  });

  it('when a test has no candidate with a photo, then its list has no photo column and no photo read', async () => {
    const teacher = await instructorOf(world, { id: 'course-no-photos', title: 'No photos' });
    const examId = await createExam(teacher, { title: 'Plain test' });
    await teacher.post(`/app/exams/${examId}/candidates`, { candidateId: 'walk-in-1' }, `/app/exams/${examId}/candidates`);
    let list = '';
    expect(await photoReadsDuring(async () => (list = (await teacher.get(`/app/exams/${examId}/candidates`)).body))).to.equal(0);
    expect(list).not.to.contain('<th scope="col">Photo</th>').and.not.to.contain('Hide photos');
  });

  it('when a thumbnail is fetched, then it is private, tagged with its hash, 304 when the browser has it, and 404 from any other course or test', async () => {
    const { teacher, examId, anna, carl, walkIn } = await proctoredTest();
    const versioned = `/app/exams/${examId}/candidates/${anna}/photo?v=${sha(ANNA).slice(0, 16)}`;
    const photo = await teacher.browser.request(`${world.url}${versioned}`);
    expect(photo.status).to.equal(200);
    expect(Buffer.from(await photo.arrayBuffer()).equals(ANNA)).to.equal(true);
    expect(photo.headers.get('cache-control')).to.equal('private, max-age=86400');
    expect(photo.headers.get('etag')).to.equal(`"${sha(ANNA)}"`);
    expect(photo.headers.get('x-content-type-options')).to.equal('nosniff');

    let again: Response | undefined;
    const reads = await photoReadsDuring(async () => {
      again = await teacher.browser.request(`${world.url}${versioned}`, { headers: { 'if-none-match': `"${sha(ANNA)}"` } });
    });
    expect(again!.status).to.equal(304);
    expect((await again!.arrayBuffer()).byteLength).to.equal(0);
    expect(reads, 'the hash alone is read for a 304').to.equal(1);
    const stale = await teacher.browser.request(`${world.url}${versioned}`, { headers: { 'if-none-match': '"an-older-photo"' } });
    expect(stale.status).to.equal(200);
    // An address without the photo's hash (or with an old one) is kept for minutes only.
    const plain = await teacher.browser.request(`${world.url}/app/exams/${examId}/candidates/${anna}/photo?v=0000000000000000`);
    expect(plain.headers.get('cache-control')).to.equal('private, max-age=300');

    expect((await teacher.get(`/app/exams/${examId}/candidates/${carl}/photo`)).response.status).to.equal(404);
    expect((await teacher.get(`/app/exams/${examId}/candidates/${walkIn}/photo`)).response.status).to.equal(404);
    const stranger = await instructorOf(world, { id: 'course-elsewhere', title: 'Other course' });
    expect((await stranger.get(versioned)).response.status).to.equal(404);
    // The stranger's own test with anna's candidate in its address: the candidate is not of that test.
    const strangersExam = await createExam(stranger, { title: 'Their test' });
    expect((await stranger.get(`/app/exams/${strangersExam}/candidates/${anna}/photo`)).response.status).to.equal(404);
    const foreign = await instructorOf(world, { id: 'course-proctored', title: 'Proctoring 101' }, { lms: world.otherLms });
    expect((await foreign.get(versioned)).response.status).to.equal(404);
    expect((await request(world.url).get(versioned)).status).to.not.equal(200);
  });

  it('when staff print the slips and the invigilator sheet, then each candidate with a photo has it by address (one read), and the page prints without them on request', async () => {
    const { teacher, examId, anna, bob, carl, walkIn } = await proctoredTest();
    let slipsPage = '';
    const reads = await photoReadsDuring(async () => {
      slipsPage = (await teacher.get(`/app/exams/${examId}/slips`)).body;
    });
    expect(reads).to.equal(1);
    const slips = slipsOf(slipsPage);
    const photoOfSlip = (id: string) => thumbnails(slips.find((slip) => slip.id === id)!.html).map(([, src, alt]) => [src, alt]);
    expect(photoOfSlip(anna)).to.deep.equal([
      [`/app/exams/${examId}/candidates/${anna}/photo?v=${sha(ANNA).slice(0, 16)}`, 'Photo of Anna Berg'],
    ]);
    expect(photoOfSlip(bob)).to.have.length(1);
    expect(photoOfSlip(carl)).to.deep.equal([]);
    expect(photoOfSlip(walkIn)).to.deep.equal([]);
    expect(slipsPage).not.to.contain('data:image');
    expect(slipsPage).to.contain('id="photo-progress" role="status"').and.contain('href="?photos=hide">print without photos</a>');
    const single = (await teacher.get(`/app/exams/${examId}/slips?layout=single`)).body;
    expect(single).to.contain('href="?layout=single&amp;photos=hide">print without photos</a>');

    const without = (await teacher.get(`/app/exams/${examId}/slips?photos=hide`)).body;
    expect(thumbnails(without)).to.have.length(0);
    expect(slipsOf(without)).to.have.length(4);
    expect(without)
      .to.contain('href="?layout=single&amp;photos=hide">one slip per page instead</a>')
      .and.contain('href="?">with photos</a>');

    let sheet = '';
    expect(await photoReadsDuring(async () => (sheet = (await teacher.get(`/app/exams/${examId}/invigilator-sheet`)).body))).to.equal(1);
    expect(sheet).to.contain('<th scope="col" class="photo">Photo</th>');
    expect(thumbnails(sheet).map(([, , alt]) => alt)).to.have.members(['Photo of Anna Berg', 'Photo of Bob Lind']);
    expect(thumbnails((await teacher.get(`/app/exams/${examId}/invigilator-sheet?photos=hide`)).body)).to.have.length(0);

    // One candidate's fresh slip reads that candidate's photo only.
    const one = (await teacher.get(`/app/exams/${examId}/slips?candidate=${bob}`)).body;
    expect(thumbnails(one).map(([, , alt]) => alt)).to.deep.equal(['Photo of Bob Lind']);
  });

  it('when a CSV without photos is uploaded, then nothing about photos shows and csrf still guards the form', async () => {
    const page = await request(world.url).get('/institution/users/upload').set('cookie', cookie);
    expect(page.text).to.contain('accept=".csv,.txt,.tsv,text/csv,.zip,application/zip"').and.contain('photos/&lt;username&gt;.jpg');
    const posted = await request(world.url)
      .post('/institution/users/upload/import')
      .set('cookie', cookie)
      .field('_csrf', csrfIn(page.text))
      .field('uploadType', 'add-new')
      .field('newPassword', 'create')
      .field('existingDetails', 'none')
      .field('forceChange', 'weak')
      .attach('file', Buffer.from(CSV), { filename: 'users.csv', contentType: 'text/csv' });
    expect(posted.status).to.equal(303);
    const shown = await request(world.url).get(String(posted.headers.location)).set('cookie', cookie);
    expect(shown.text).not.to.contain('attachments-heading');
  });
});
