import { expect } from 'chai';
import { TEST_SETUP, resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf, type CourseSession } from '../support/course-session.js';
import { auditOfExam } from '../support/audit.js';
import { candidatesPath, oneTimeRowsOf, shownCredentials } from '../support/one-time.js';
import { wireDomain } from '../../src/domain.js';
import { createLogger } from '../../src/logger.js';

describe('One-time credentials: shown after activation, to the course staff only; username, new password, verify', () => {
  let world: TestWorld;
  let n = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  const verify = (username: string, password: string) => world.examgate.oneTimeUsers.verify(username, password);

  async function testWithUsers(count: number, activate = true) {
    n += 1;
    const context = { id: `one-time-credentials-${n}`, title: 'Physics' };
    world.lms.setRoster(context.id, []);
    const teacher: CourseSession = await instructorOf(world, context);
    const examId = await createExam(teacher, { title: 'Optics' });
    const page = candidatesPath(examId);
    await teacher.post(`${page}/one-time/generate`, { count: String(count) }, page);
    if (activate) {
      await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    }
    const rows = await oneTimeRowsOf(world, examId);
    return { teacher, examId, page, rows, context };
  }

  it('when the test is a draft, then no username or password is on the page or the edit form, and changing them is refused', async () => {
    const { teacher, page, rows } = await testWithUsers(2, false);
    const list = await teacher.get(`${page}?source=one-time`);
    expect(list.body).to.contain('Usernames and passwords appear in the list once the test is activated.');
    expect(list.body).to.contain('after activation');
    expect(shownCredentials(list.body)).to.have.length(0);
    const edit = await teacher.get(`${page}/${rows[0]!.id}/edit`);
    for (const row of rows) {
      expect(list.body).not.to.contain(row.username!);
      expect(edit.body).not.to.contain(row.username!);
    }
    expect(edit.body).to.contain('appear here once the test is activated');
    const renamed = await teacher.post(`${page}/one-time/${rows[0]!.id}/username`, { username: 'early' }, page);
    expect(renamed.response.status).to.equal(409);
    expect(renamed.body).to.contain('appear, and can be changed, once the test is activated');
    expect((await teacher.get(`${page}/one-time/${rows[0]!.id}/password`)).response.status).to.equal(409);
  });

  it('when the test is active, then its staff see each username and password, and they sign in (verify); wrong ones do not', async () => {
    const { teacher, examId, page, rows } = await testWithUsers(3);
    const shown = shownCredentials((await teacher.get(`${page}?source=one-time`)).body);
    expect(shown.map((s) => s.username).sort()).to.deep.equal(rows.map((r) => r.username).sort());
    for (const { username, password } of shown) {
      expect(password).to.match(/^[a-hj-km-np-z2-9]{14}$/);
      expect(
        rows.some((r) => r.password_sealed!.includes(password)),
        'stored sealed, not in clear',
      ).to.equal(false);
      const identity = await verify(username, password);
      expect(identity).to.include({ examId, candidateId: rows.find((r) => r.username === username)!.id });
      expect(identity!.platformId).to.be.a('string').and.not.equal('');
      expect(await verify(` ${username.toUpperCase()} `, password.toUpperCase()), 'case and spaces forgiven').to.deep.equal(identity);
    }
    const [first] = shown;
    expect(await verify(first!.username, `${first!.password}x`)).to.equal(null);
    expect(await verify(first!.username, '')).to.equal(null);
    expect(await verify('ot-nobody00', first!.password), 'an unknown user answers the same null').to.equal(null);
    expect(await verify(shown[1]!.username, first!.password), "another user's password").to.equal(null);
  });

  it('when the test is closed, then its staff still see the credentials (to reprint a slip); deleted, its accounts are gone', async () => {
    const { teacher, examId, page } = await testWithUsers(1);
    await teacher.post(`/app/exams/${examId}/close`, {}, `/app/exams/${examId}/close`);
    const [shown] = shownCredentials((await teacher.get(page)).body);
    expect(shown).to.have.property('username');
    await teacher.post(`/app/exams/${examId}/delete`, {}, `/app/exams/${examId}/delete`);
    const [left] = await world.examgate.sequelize.query('SELECT COUNT(*) AS n FROM one_time_users WHERE exam_id = :examId', {
      replacements: { examId },
    });
    expect(Number((left as Array<{ n: number | string }>)[0]!.n)).to.equal(0);
    expect(await verify(shown!.username, shown!.password)).to.equal(null);
  });

  it('when staff of another course open the test, then its candidates and credentials are 404', async () => {
    const { examId, page, rows } = await testWithUsers(1);
    const stranger = await instructorOf(world, { id: 'one-time-elsewhere', title: 'History' }, { user: { sub: 'teacher-x' } });
    const id = rows[0]!.id;
    for (const path of [page, `${page}/${id}/edit`, `${page}/one-time/${id}/password`]) {
      const result = await stranger.get(path);
      expect(result.response.status, path).to.equal(404);
      expect(result.body, path).not.to.contain(rows[0]!.username!);
    }
    const posted = await stranger.post(`${page}/one-time/generate`, { count: '1' }, '/app/exams/new');
    expect(posted.response.status).to.equal(404);
    expect(await oneTimeRowsOf(world, examId)).to.have.length(1);
  });

  it('when a username is changed, then the seed rules and installation-wide uniqueness hold, and only the new one signs in', async () => {
    const { teacher, examId, page, rows } = await testWithUsers(2);
    const [a, b] = rows;
    const edit = `${page}/${a!.id}/edit`;
    const password = shownCredentials((await teacher.get(page)).body).find((s) => s.username === a!.username)!.password;
    const refused = await teacher.post(`${page}/one-time/${a!.id}/username`, { username: 'anna#berg' }, edit);
    expect(refused.response.status).to.equal(400);
    expect(refused.body).to.contain('&quot;#&quot; is not allowed in a username');
    expect(refused.body).to.contain('id="error-summary"').and.contain('href="#username"').and.contain('aria-invalid="true"');
    expect((await teacher.post(`${page}/one-time/${a!.id}/username`, { username: 'x'.repeat(501) }, edit)).body).to.contain(
      'at most 500 characters',
    );
    const taken = await teacher.post(`${page}/one-time/${a!.id}/username`, { username: b!.username!.toUpperCase() }, edit);
    expect(taken.body).to.contain('is already taken');

    const saved = await teacher.post(`${page}/one-time/${a!.id}/username`, { username: 'Ærlig.Ånd@skole-1' }, edit);
    expect(saved.body).to.contain('Username saved');
    expect(await verify(a!.username!, password)).to.equal(null);
    expect(await verify('ærlig.ånd@skole-1', password)).to.include({ candidateId: a!.id });
    const entry = (await auditOfExam(world, examId)).find((e) => e.action === 'username-change');
    expect(entry).to.include({ entity_id: a!.id, actor_kind: 'lms-user' });
    expect(entry!.changes).to.deep.equal({ username: { from: a!.username, to: 'Ærlig.Ånd@skole-1' } });
  });

  it('when a password is regenerated after the confirmation, then the old one is dead at once and the trail holds no password', async () => {
    const { teacher, examId, page, rows } = await testWithUsers(1);
    const [{ username, password: old }] = shownCredentials((await teacher.get(page)).body) as [{ username: string; password: string }];
    const confirm = await teacher.get(`${page}/one-time/${rows[0]!.id}/password`);
    expect(confirm.body).to.contain('New password for C-0001?').and.contain('stop working at once');
    const done = await teacher.post(`${page}/one-time/${rows[0]!.id}/password`, {}, `${page}/one-time/${rows[0]!.id}/password`);
    expect(done.body).to.contain('New password made: the old one no longer signs in.');
    const [{ password: fresh }] = shownCredentials(done.body) as [{ username: string; password: string }];
    expect(fresh).not.to.equal(old);
    expect(await verify(username, old)).to.equal(null);
    expect(await verify(username, fresh)).to.include({ candidateId: rows[0]!.id });
    const entries = await auditOfExam(world, examId);
    expect(entries.map((e) => e.action)).to.include('password-regenerate');
    for (const entry of entries) {
      expect(entry.raw).not.to.contain(old).and.not.to.contain(fresh);
    }
    expect(entries.filter((e) => e.action === 'add').map((e) => e.changes.source)).to.deep.equal([{ from: null, to: 'one-time' }]);
  });

  it('when SECRET_KEY is rotated, then start-up re-seals the passwords under the new secret and they still sign in', async () => {
    const { teacher, page } = await testWithUsers(1);
    const [{ username, password }] = shownCredentials((await teacher.get(page)).body) as [{ username: string; password: string }];
    const rotated = { ...world.config, secretKeys: ['a-new-secret-of-enough-length-for-sealing', world.config.secretKeys[0]] as const };
    const next = wireDomain(rotated, world.examgate.sequelize, world.examgate.platforms, world.examgate.audit, createLogger(world.config));
    // Earlier tests of this file left their users too: every one was under the old secret.
    const report = await next.oneTimeUsers.reseal();
    expect(report).to.deep.include({ what: 'one-time passwords', unreadable: 0 });
    expect(report.resealed).to.equal(report.total).and.be.at.least(1);
    expect(await next.oneTimeUsers.verify(username, password)).to.not.equal(null);
    expect(await next.oneTimeUsers.reseal(), 'nothing left under the old secret').to.deep.include({ resealed: 0, unreadable: 0 });
    // The running examgate knows only the old secret now: the row is under the new one.
    expect(await verify(username, password)).to.equal(null);
  });

  it('when a username or password changes, then the onCredentialsChanged hook hears of that candidate, after the change committed', async () => {
    const { examId, rows, context } = await testWithUsers(1);
    const heard: Array<{ candidateId: string; username: string | null }> = [];
    const domain = wireDomain(
      world.config,
      world.examgate.sequelize,
      world.examgate.platforms,
      world.examgate.audit,
      createLogger(world.config),
      {
        onCredentialsChanged: async (candidateId) => {
          heard.push({ candidateId, username: (await oneTimeRowsOf(world, examId))[0]!.username });
        },
      },
    );
    const platformId = String(
      await world.examgate.sequelize
        .query('SELECT c.platform_id FROM exams e JOIN courses c ON c.id = e.course_id WHERE e.id = :examId', {
          replacements: { examId },
          plain: true,
        })
        .then((row) => row?.platform_id),
    );
    const exam = await domain.exams.get({ platformId, contextId: context.id, audience: 'staff' }, examId);
    await domain.oneTimeUsers.changeUsername(exam, rows[0]!.id, 'heard.one', TEST_SETUP);
    await domain.oneTimeUsers.regeneratePassword(exam, rows[0]!.id, TEST_SETUP);
    await domain.oneTimeUsers.changeUsername(exam, rows[0]!.id, 'heard.one', TEST_SETUP);
    expect(heard).to.deep.equal([
      { candidateId: rows[0]!.id, username: 'heard.one' },
      { candidateId: rows[0]!.id, username: 'heard.one' },
    ]);
  });
});
