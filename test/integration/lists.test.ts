import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ROLE_INSTRUCTOR } from '../../src/lms-sim/index.js';
import { auditRows } from '../support/audit.js';
import { createExam, csrfOf, instructorOf, launchSession, type CourseSession } from '../support/course-session.js';
import { resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { adminAccount, asAdmin, institutionSignIn, platformIdOf, userInput } from '../support/institution.js';

/** Lists of permanent users, through HTTP with the simulated LMS: owner, colleagues, walls, adding to a test. */
describe('Lists of permanent users', () => {
  let world: TestWorld;
  let platformId: string;
  let owner: CourseSession;
  beforeEach(async function () {
    this.timeout(60_000);
    world = await startWorld();
    await resetLaunchState(world);
    platformId = await platformIdOf(world);
    owner = await instructorOf(world, { id: 'course-1' });
  });

  const colleague = (sub: string, name: string, lms = world.lms) =>
    launchSession(world, {
      user: { sub, name, email: `${sub}@uni.example` },
      roles: [ROLE_INSTRUCTOR],
      context: { id: `course-${sub}` },
      lms,
    });

  async function user(username: string, details: Record<string, unknown> = {}, on = platformId) {
    const { user: created } = await world.examgate.permanentUsers.create(
      on,
      userInput(username, details),
      { kind: 'generate' },
      TEST_SETUP,
    );
    return created;
  }

  /** Posts a form with repeated fields, with the CSRF token of `formPage`. */
  async function postForm(session: CourseSession, path: string, fields: Array<[string, string]>, formPage: string) {
    const page = await session.get(formPage);
    const body = new URLSearchParams([['_csrf', csrfOf(page.body)], ...fields]);
    return session.browser.follow(`${world.url}${path}`, {
      method: 'POST',
      body: body.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
  }

  async function listWith(session: CourseSession, name: string, userIds: string[]) {
    const created = await session.post('/app/lists', { name }, '/app/lists');
    const id = /\/app\/lists\/([0-9a-f-]{36})\?done=created$/.exec(created.url)?.[1];
    expect(id, created.body.slice(0, 400)).to.be.a('string');
    if (userIds.length) {
      const added = await postForm(
        session,
        `/app/lists/${id}/members`,
        userIds.map((u) => ['users', u]),
        `/app/lists/${id}/add`,
      );
      expect(added.url).to.contain('done=members-added');
    }
    return id!;
  }

  const candidatesOf = (examId: string) =>
    world.examgate.sequelize.query<{ candidate_id: string; permanent_user_id: string | null; source: string }>(
      'SELECT candidate_id, permanent_user_id, source FROM candidates WHERE exam_id = :examId ORDER BY candidate_id',
      { replacements: { examId }, type: QueryTypes.SELECT },
    );

  it('when an owner builds a list and adds it to a test, then deleted, not-eligible and present users are counted apart and the rest join all at once, audited', async () => {
    const anna = await user('anna', { firstName: 'Anna', lastName: 'Berg' });
    const bob = await user('bob', { firstName: 'Bob', lastName: 'Deleted' });
    const carl = await user('carl', { firstName: 'Carl', lastName: 'Ineligible', eligible: false });
    const dora = await user('dora', { firstName: 'Dora', lastName: 'Present' });
    const emil = await user('emil', { firstName: 'Emil', lastName: 'Nord' });
    const listId = await listWith(owner, 'Resit, spring', [anna.id, bob.id, carl.id, dora.id, emil.id]);
    await world.examgate.permanentUsers.setDeleted(platformId, bob.id, true, TEST_SETUP);

    const page = await owner.get(`/app/lists/${listId}`);
    expect(page.body).to.contain('5 members').and.contain('deleted: not added to tests').and.contain('not eligible: not added to tests');
    const searched = await owner.get(`/app/lists/${listId}?q=nord`);
    expect(searched.body).to.contain('1 member matching').and.contain('emil').and.not.contain('data-member="anna"');

    const examId = await createExam(owner, { title: 'Biology resit' });
    const single = await postForm(
      owner,
      `/app/exams/${examId}/candidates/permanent`,
      [['users', dora.id]],
      `/app/exams/${examId}/candidates/permanent`,
    );
    expect(single.url).to.contain('done=permanent-added');
    const candidatesPage = await owner.get(`/app/exams/${examId}/candidates`);
    expect(candidatesPage.body).to.contain(`/app/exams/${examId}/candidates/lists`).and.contain('href="/app/lists"');

    const preview = await owner.get(`/app/exams/${examId}/candidates/lists?list=${listId}`);
    expect(preview.response.status).to.equal(200);
    expect(preview.body).to.contain('<strong>2</strong> will be added').and.contain('1 already candidates of this test');
    expect(preview.body).to.contain('2 cannot be added (1 deleted, 1 not eligible)');
    expect(preview.body).to.contain('The test has 1 active candidate of at most 1500; after adding, 3.');

    const added = await postForm(
      owner,
      `/app/exams/${examId}/candidates/lists`,
      [
        ['list', listId],
        ['policy', 'anonymous'],
      ],
      `/app/exams/${examId}/candidates/lists?list=${listId}`,
    );
    expect(added.url).to.contain('done=list-added');
    expect(added.body).to.contain('The list’s members are added as candidates');
    const rows = await candidatesOf(examId);
    expect(rows.map((r) => r.candidate_id)).to.deep.equal(['C-0001', 'C-0002', 'Dora Present']);
    expect(rows.map((r) => r.permanent_user_id).sort()).to.deep.equal([anna.id, dora.id, emil.id].sort());
    expect(rows.every((r) => r.source === 'permanent')).to.equal(true);
    const trail = await auditRows(world, "entity_type = 'permanent-list' AND action = 'add-to-test'");
    expect(trail).to.have.length(1);
    expect(trail[0]!).to.include({ exam_id: examId, actor_sub: 'teacher-1', label: 'Resit, spring' });
    expect(trail[0]!.changes.added).to.deep.equal({ from: null, to: 2 });

    const again = await postForm(owner, `/app/exams/${examId}/candidates/lists`, [['list', listId]], `/app/exams/${examId}/candidates`);
    expect(again.response.status).to.equal(400);
    expect(again.body).to.contain('Nobody on “Resit, spring” can be added: 3 already a candidate, 1 deleted, 1 not eligible.');
    expect(await candidatesOf(examId)).to.have.length(3);
  });

  it('when the list does not fit under the cap, or a name is taken on the test, then nothing is added and the page says why', async () => {
    const users = [
      await user('u1', { firstName: 'Ann', lastName: 'One' }),
      await user('u2', { firstName: 'Ben', lastName: 'Two' }),
      await user('u3', { firstName: 'Cid', lastName: 'Three' }),
    ];
    const listId = await listWith(
      owner,
      'Three',
      users.map((u) => u.id),
    );
    const examId = await createExam(owner, { title: 'Small' });
    await world.examgate.sequelize.query('UPDATE exams SET max_candidates = 2 WHERE id = :examId', { replacements: { examId } });
    const preview = await owner.get(`/app/exams/${examId}/candidates/lists?list=${listId}`);
    expect(preview.body).to.contain('of at most 2: 2 more fit, so this list cannot be added whole').and.not.contain('name="policy"');
    const refused = await postForm(owner, `/app/exams/${examId}/candidates/lists`, [['list', listId]], `/app/exams/${examId}/candidates`);
    expect(refused.response.status).to.equal(409);
    expect(refused.body).to.contain('A test holds at most 2 candidates. Only 2 more fit; you tried to add 3. Nothing was added.');
    expect(await candidatesOf(examId)).to.have.length(0);

    await world.examgate.sequelize.query('UPDATE exams SET max_candidates = 1500 WHERE id = :examId', { replacements: { examId } });
    const manual = await owner.post(`/app/exams/${examId}/candidates`, { candidateId: 'Ben Two' }, `/app/exams/${examId}/candidates`);
    expect(manual.response.status).to.be.below(400);
    const clash = await postForm(
      owner,
      `/app/exams/${examId}/candidates/lists`,
      [
        ['list', listId],
        ['policy', 'name'],
      ],
      `/app/exams/${examId}/candidates`,
    );
    expect(clash.response.status).to.equal(400);
    expect(clash.body).to.contain('Candidate ID &quot;Ben Two&quot; is already used on this test. Nothing was added.');
    expect((await candidatesOf(examId)).map((r) => r.candidate_id)).to.deep.equal(['Ben Two']);
    expect(await auditRows(world, "entity_type = 'permanent-list' AND action = 'add-to-test'")).to.have.length(0);
  });

  it('when a list is shared, then the named colleague can use but not change it; others, and another platform, get 404', async () => {
    const anna = await user('anna');
    const ada = await colleague('teacher-2', 'Ada Lovelace');
    const stranger = await colleague('teacher-3', 'Stan Stranger');
    const foreign = await colleague('teacher-1', 'Grace Elsewhere', world.otherLms);
    const listId = await listWith(owner, 'Shared one', [anna.id]);

    for (const [who, session] of [
      ['stranger', stranger],
      ['colleague before sharing', ada],
      ['other platform, same sub', foreign],
    ] as const) {
      expect((await session.get(`/app/lists/${listId}`)).response.status, who).to.equal(404);
      const post = await postForm(session, `/app/lists/${listId}/name`, [['name', 'Mine now']], '/app/lists');
      expect(post.response.status, who).to.equal(404);
      const examId = await createExam(session, { title: `Test of ${who}` });
      expect((await session.get(`/app/exams/${examId}/candidates/lists?list=${listId}`)).response.status, who).to.equal(404);
    }

    const search = await owner.get(`/app/lists/${listId}/sharing?q=lovelace`);
    expect(search.body)
      .to.contain('1 colleague matching')
      .and.contain('Ada Lovelace (teacher-2@uni.example)')
      .and.not.contain('Grace Elsewhere');
    const unknown = await postForm(
      owner,
      `/app/lists/${listId}/sharing`,
      [
        ['withAll', 'named'],
        ['add', 'never-launched'],
      ],
      `/app/lists/${listId}/sharing`,
    );
    expect(unknown.response.status).to.equal(400);
    expect(unknown.body).to.contain('Only colleagues of this platform who have opened examgate can be chosen');
    const shared = await postForm(
      owner,
      `/app/lists/${listId}/sharing`,
      [
        ['withAll', 'named'],
        ['add', 'teacher-2'],
      ],
      `/app/lists/${listId}/sharing`,
    );
    expect(shared.url).to.contain('done=shared');
    expect(shared.body).to.contain('Ada Lovelace');

    const index = await ada.get('/app/lists');
    expect(index.body).to.contain('Shared with you').and.contain('Shared one').and.contain('Grace Hopper');
    const readOnly = await ada.get(`/app/lists/${listId}`);
    expect(readOnly.response.status).to.equal(200);
    expect(readOnly.body).to.contain('This list is shared with you').and.not.contain(`/app/lists/${listId}/delete`);
    for (const path of ['add', 'sharing', 'delete']) {
      const refused = await ada.get(`/app/lists/${listId}/${path}`);
      expect(refused.response.status, path).to.equal(403);
      expect(refused.body).to.contain('only its owner (Grace Hopper) can change it');
    }
    expect((await postForm(ada, `/app/lists/${listId}/delete`, [], '/app/lists')).response.status).to.equal(403);
    expect((await postForm(ada, `/app/lists/${listId}/members/remove`, [['members', anna.id]], '/app/lists')).response.status).to.equal(
      403,
    );
    const adaExam = await createExam(ada, { title: 'Ada’s test' });
    const used = await postForm(ada, `/app/exams/${adaExam}/candidates/lists`, [['list', listId]], `/app/exams/${adaExam}/candidates`);
    expect(used.url).to.contain('done=list-added');
    expect((await candidatesOf(adaExam)).map((r) => r.candidate_id)).to.deep.equal(['Anna Berg']);

    expect((await stranger.get(`/app/lists/${listId}`)).response.status).to.equal(404);
    await postForm(
      owner,
      `/app/lists/${listId}/sharing`,
      [
        ['withAll', 'all'],
        ['remove', 'teacher-2'],
      ],
      `/app/lists/${listId}/sharing`,
    );
    expect((await stranger.get(`/app/lists/${listId}`)).body).to.contain('This list is shared with you');
    expect((await ada.get(`/app/lists/${listId}`)).response.status, 'every instructor includes Ada').to.equal(200);
    expect((await foreign.get(`/app/lists/${listId}`)).response.status, 'every instructor of this platform only').to.equal(404);
    const trail = await auditRows(world, "entity_type = 'permanent-list' AND action = 'share'");
    expect(trail.map((e) => e.changes)).to.deep.equal([
      { sharedWith: { from: 0, to: 1 } },
      { sharedWithAll: { from: false, to: true }, sharedWith: { from: 1, to: 0 } },
    ]);
  });

  it('when an owner adds another platform’s user, renames, removes members and deletes, then each is checked, said and audited', async () => {
    const anna = await user('anna');
    const other = await user('otto', {}, await platformIdOf(world, world.otherLms));
    const listId = await listWith(owner, 'Tidy', []);
    const foreignAdd = await postForm(owner, `/app/lists/${listId}/members`, [['users', other.id]], `/app/lists/${listId}/add`);
    expect(foreignAdd.url).to.contain('done=members-none');
    const none = await postForm(owner, `/app/lists/${listId}/members`, [], `/app/lists/${listId}/add`);
    expect(none.response.status).to.equal(400);
    expect(none.body).to.contain('Choose at least one permanent user to add to the list.').and.contain('id="error-summary"');
    await postForm(owner, `/app/lists/${listId}/members`, [['users', anna.id]], `/app/lists/${listId}/add`);
    const blank = await postForm(owner, `/app/lists/${listId}/name`, [['name', '   ']], `/app/lists/${listId}`);
    expect(blank.response.status).to.equal(400);
    expect(blank.body).to.contain('Give the list a name');
    const renamed = await postForm(owner, `/app/lists/${listId}/name`, [['name', 'Tidied']], `/app/lists/${listId}`);
    expect(renamed.body).to.contain('List renamed.').and.contain('<h1>Tidied</h1>');
    const removed = await postForm(owner, `/app/lists/${listId}/members/remove`, [['members', anna.id]], `/app/lists/${listId}`);
    expect(removed.body).to.contain('Members taken off the list').and.contain('0 members');
    const confirm = await owner.get(`/app/lists/${listId}/delete`);
    expect(confirm.body).to.contain('Delete the list “Tidied”?');
    const deleted = await postForm(owner, `/app/lists/${listId}/delete`, [], `/app/lists/${listId}/delete`);
    expect(deleted.url).to.match(/\/app\/lists\?done=deleted$/);
    expect(deleted.body).to.contain('List deleted.').and.contain('You have no lists yet.');
    expect((await owner.get(`/app/lists/${listId}`)).response.status).to.equal(404);
    expect(await world.examgate.permanentUsers.get(platformId, anna.id)).to.include({ username: 'anna' });
    const actions = (await auditRows(world, "entity_type = 'permanent-list'")).map((e) => e.action);
    expect(actions).to.deep.equal(['create', 'add-members', 'rename', 'remove-members', 'delete']);
    const noCsrf = await owner.browser.follow(`${world.url}/app/lists`, { method: 'POST', form: { name: 'No token' } });
    expect(noCsrf.response.status).to.equal(403);
  });

  it('when an institution admin opens Lists, then they see and may change the platform’s lists; another platform’s admin sees none', async () => {
    const anna = await user('anna');
    const listId = await listWith(owner, 'Teacher list', [anna.id]);
    await adminAccount(world, platformId);
    const admin = asAdmin(world, (await institutionSignIn(world, 'exam-office')).cookie);
    const index = await admin.get('/institution/lists');
    expect(index.status).to.equal(200);
    expect(index.text).to.contain('Other lists of this platform').and.contain('Teacher list').and.contain('href="/institution/lists"');
    const created = await admin.post('/institution/lists', { name: 'Office list' }, '/institution/lists');
    expect(created.status).to.equal(303);
    const renamed = await admin.post(`/institution/lists/${listId}/name`, { name: 'Renamed by office' }, `/institution/lists/${listId}`);
    expect(renamed.status).to.equal(303);
    const [entry] = await auditRows(world, "entity_type = 'permanent-list' AND action = 'rename'");
    expect(entry).to.include({ actor_kind: 'platform-admin', actor_ref: 'exam-office' });
    expect((await owner.get(`/app/lists/${listId}`)).body).to.contain('Renamed by office');

    const otherPlatform = await platformIdOf(world, world.otherLms);
    await adminAccount(world, otherPlatform, 'other-office');
    const otherAdmin = asAdmin(world, (await institutionSignIn(world, 'other-office')).cookie);
    expect((await otherAdmin.get(`/institution/lists/${listId}`)).status).to.equal(404);
    expect((await otherAdmin.post(`/institution/lists/${listId}/delete`, {}, '/institution/lists')).status).to.equal(404);
    expect((await otherAdmin.get('/institution/lists')).text).not.to.contain('Renamed by office');
    expect((await asAdmin(world, '').get('/institution/lists')).status).to.equal(303);
  });
});
