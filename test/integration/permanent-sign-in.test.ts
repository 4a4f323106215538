import { expect } from 'chai';
import request from 'supertest';
import { auditRows } from '../support/audit.js';
import { createExam, csrfOf, instructorOf, type CourseSession } from '../support/course-session.js';
import { newBrowser, resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { platformIdOf, userInput } from '../support/institution.js';

const PASSWORD = 'Anna-Pass1';

/** Permanent users as candidates: added from a test's candidates page, signed in at /login, one session for all their tests. */
describe('Permanent users as candidates', () => {
  let world: TestWorld;
  let platformId: string;
  let n = 0;
  beforeEach(async function () {
    this.timeout(60_000);
    world = await startWorld();
    await resetLaunchState(world);
    platformId = await platformIdOf(world);
  });

  async function permanent(username: string, details = {}) {
    const { user } = await world.examgate.permanentUsers.create(
      platformId,
      userInput(username, details),
      { kind: 'chosen', password: PASSWORD },
      TEST_SETUP,
    );
    return user;
  }

  /** Posts the add form of a test's permanent-users page, with every chosen user id (a repeated field). */
  async function addTo(teacher: CourseSession, examId: string, userIds: string[], policy = 'name') {
    const page = await teacher.get(`/app/exams/${examId}/candidates/permanent`);
    const body = new URLSearchParams([
      ['_csrf', csrfOf(page.body)],
      ['policy', policy],
      ...userIds.map((id) => ['users', id] as [string, string]),
    ]);
    return teacher.browser.follow(`${world.url}/app/exams/${examId}/candidates/permanent`, {
      method: 'POST',
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  async function testWith(teacher: CourseSession, title: string, userIds: string[], policy = 'name') {
    const examId = await createExam(teacher, { title });
    return { examId, added: await addTo(teacher, examId, userIds, policy) };
  }

  const signIn = (browser: ReturnType<typeof newBrowser>, username: string, password = PASSWORD) =>
    browser.follow(`${world.url}/login`, { method: 'POST', form: { username, password }, headers: { 'sec-fetch-site': 'same-origin' } });

  it('when staff add a permanent user to two tests, then one sign-in shows both on the dashboard, each lobby opens, and a finished one is in the archive', async () => {
    n += 1;
    const anna = await permanent('anna.berg');
    const teacher = await instructorOf(world, { id: `perm-course-${n}` });
    const search = await teacher.get(`/app/exams/${await createExam(teacher, { title: 'Scratch' })}/candidates/permanent?q=berg`);
    expect(search.body).to.contain('1 permanent user matching').and.contain('anna.berg');
    const first = await testWith(teacher, 'Chemistry', [anna.id]);
    expect(first.added.url).to.contain('done=permanent-added');
    expect(first.added.body).to.contain('Anna Berg');
    const second = await testWith(teacher, 'Biology', [anna.id], 'anonymous');
    expect(second.added.body).to.contain('C-0001');

    const browser = newBrowser();
    const landed = await signIn(browser, 'ANNA.BERG');
    expect(new URL(landed.url).pathname).to.equal('/my');
    expect(landed.body).to.contain('Chemistry').and.contain('Biology');
    for (const examId of [first.examId, second.examId]) {
      const lobby = await browser.follow(`${world.url}/my/tests/${examId}`);
      expect(lobby.response.status, examId).to.equal(200);
    }
    await world.examgate.sequelize.query("UPDATE candidates SET attempt_state = 'finished', finished_at = :now WHERE exam_id = :examId", {
      replacements: { examId: first.examId, now: new Date() },
    });
    const archive = await browser.follow(`${world.url}/my/archive`);
    expect(archive.body).to.contain(`href="/my/tests/${first.examId}"`).and.not.contain(`href="/my/tests/${second.examId}"`);

    const userPage = await world.examgate.permanentUsers.candidacies(platformId, anna.id);
    expect(userPage.map((t) => t.examTitle).sort()).to.deep.equal(['Biology', 'Chemistry']);
    const [signedIn] = await auditRows(world, "entity_type = 'sign-in' AND action = 'succeeded'");
    expect(signedIn!.changes.way).to.deep.equal({ from: null, to: 'permanent' });
  });

  it('when another candidate’s test is asked for, or the user is deleted, then 404 and 401 as for everyone else', async () => {
    n += 1;
    const anna = await permanent('anna');
    const bob = await permanent('bob');
    const teacher = await instructorOf(world, { id: `perm-course-${n}` });
    await testWith(teacher, 'Mine', [anna.id]);
    const theirs = await testWith(teacher, 'Theirs', [bob.id]);
    const browser = newBrowser();
    await signIn(browser, 'anna');
    expect((await browser.follow(`${world.url}/my/tests/${theirs.examId}`)).response.status).to.equal(404);
    await world.examgate.permanentUsers.setDeleted(platformId, anna.id, true, TEST_SETUP);
    const refused = await request(world.url)
      .post('/login')
      .set('sec-fetch-site', 'same-origin')
      .type('form')
      .send({ username: 'anna', password: PASSWORD });
    expect(refused.status).to.equal(401);
    expect(refused.text).to.contain('The username or password is not right.');
  });

  it('when an admin sets a new password or deletes the user, then every session they had ends; one of another user lives on', async () => {
    n += 1;
    const anna = await permanent('anna');
    const bob = await permanent('bob');
    const teacher = await instructorOf(world, { id: `perm-course-${n}` });
    await testWith(teacher, 'Chemistry', [anna.id, bob.id]);
    const [first, second, bobs] = [newBrowser(), newBrowser(), newBrowser()];
    for (const [browser, who] of [
      [first, 'anna'],
      [second, 'anna'],
      [bobs, 'bob'],
    ] as const) {
      expect(new URL((await signIn(browser, who)).url).pathname, who).to.equal('/my');
    }
    await world.examgate.permanentUsers.resetPassword(platformId, anna.id, { kind: 'generate' }, false, TEST_SETUP);
    for (const browser of [first, second]) {
      expect(new URL((await browser.follow(`${world.url}/my`)).url).pathname).to.equal('/login');
    }
    expect(new URL((await bobs.follow(`${world.url}/my`)).url).pathname, 'another user').to.equal('/my');

    await world.examgate.permanentUsers.setDeleted(platformId, bob.id, true, TEST_SETUP);
    expect(new URL((await bobs.follow(`${world.url}/my`)).url).pathname, 'deleted').to.equal('/login');
  });

  it('when the user must change their password, then every page leads to the change first; a weak one is refused naming what it lacks', async () => {
    n += 1;
    const anna = await permanent('anna');
    const teacher = await instructorOf(world, { id: `perm-course-${n}` });
    const { examId } = await testWith(teacher, 'Forced', [anna.id]);
    await world.examgate.permanentUsers.resetPassword(platformId, anna.id, { kind: 'chosen', password: PASSWORD }, true, TEST_SETUP);
    const browser = newBrowser();
    const landed = await signIn(browser, 'anna');
    expect(new URL(landed.url).pathname).to.equal('/my/password');
    expect((await browser.follow(`${world.url}/my/tests/${examId}`)).url).to.equal(`${world.url}/my/password`);
    const page = await browser.follow(`${world.url}/my/password`);
    const weak = await browser.follow(`${world.url}/my/password`, {
      method: 'POST',
      form: { _csrf: csrfOf(page.body), password: 'weakpass', again: 'weakpass' },
    });
    expect(weak.response.status).to.equal(400);
    expect(weak.body).to.contain('The password needs an upper-case letter, a digit.');
    const changed = await browser.follow(`${world.url}/my/password`, {
      method: 'POST',
      form: { _csrf: csrfOf(page.body), password: 'New-Pass22', again: 'New-Pass22' },
    });
    expect(new URL(changed.url).pathname).to.equal('/my');
    expect(changed.body).to.contain('Forced');
    expect(await world.examgate.permanentUsers.verify('anna', PASSWORD)).to.equal(null);
    expect((await world.examgate.permanentUsers.verify('anna', 'New-Pass22'))?.mustChangePassword).to.equal(false);
  });

  it('when staff add users past the cap, or a user of another platform, or one already on the test, then nothing is added and the page says why', async () => {
    n += 1;
    const anna = await permanent('anna');
    const other = await world.examgate.permanentUsers.create(
      await platformIdOf(world, world.otherLms),
      userInput('stranger'),
      { kind: 'generate' },
      TEST_SETUP,
    );
    const teacher = await instructorOf(world, { id: `perm-course-${n}` });
    const foreign = await testWith(teacher, 'Walls', [other.user.id]);
    expect(foreign.added.response.status).to.equal(400);
    expect(foreign.added.body).to.contain('is not a current permanent user of this platform');
    const { examId } = await testWith(teacher, 'Twice', [anna.id]);
    const again = await addTo(teacher, examId, [anna.id]);
    expect(again.response.status).to.equal(400);
    expect(again.body).to.contain('Already candidates of this test: anna.');
    const capped = await createExam(teacher, { title: 'Tiny' });
    await world.examgate.sequelize.query('UPDATE exams SET max_candidates = 1 WHERE id = :capped', { replacements: { capped } });
    const bob = await permanent('bob');
    const over = await addTo(teacher, capped, [anna.id, bob.id]);
    expect(over.response.status, over.body.slice(0, 300)).to.equal(409);
    expect(await world.examgate.permanentUsers.candidacies(platformId, bob.id)).to.have.length(0);
  });

  it('when two staff pages add the same permanent users to a test at the same moment, then one adds them and the other says they are already candidates', async () => {
    n += 1;
    const anna = await permanent('anna.race');
    const bob = await permanent('bob.race');
    const teacher = await instructorOf(world, { id: `perm-course-${n}` });
    const examId = await createExam(teacher, { title: 'Race' });
    // Anonymous IDs, so the candidate-ID check cannot be what stops the second: only the check of
    // the users themselves, made again under the test's lock.
    const both = await Promise.all([
      addTo(teacher, examId, [anna.id, bob.id], 'anonymous'),
      addTo(teacher, examId, [bob.id, anna.id], 'anonymous'),
    ]);
    const statuses = both.map((page) => page.response.status).sort();
    expect(statuses, both.map((page) => page.body.slice(0, 200)).join('\n')).to.deep.equal([200, 400]);
    expect(both.find((page) => page.response.status === 400)!.body).to.contain('Already candidates of this test:');
    for (const user of [anna, bob]) {
      expect(await world.examgate.permanentUsers.candidacies(platformId, user.id)).to.have.length(1);
    }
  });
});
