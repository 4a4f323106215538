import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import type { Exam } from '../../src/exams/exam.js';
import { unitOfWorkRunner } from '../../src/db/unit-of-work.js';
import type { SsoRow } from '../../src/candidates/sso-row.schema.js';
import type { SsoMatchField } from '../../src/platforms/platform.js';
import { LMS_IDENTITY } from '../../src/platforms/sso-setup.js';
import type { SimulatedLms, LmsUser } from '../../src/lms-sim/index.js';
import { auditOfExam } from '../support/audit.js';
import { resetLaunchState, startWorld, TEST_SETUP, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf, learnerLaunch, placeExam } from '../support/course-session.js';
import { buildLearners, settledSync } from '../support/roster.js';

interface SsoCandidateRow {
  candidate_id: string;
  source: string;
  lms_user_id: string | null;
  email: string | null;
  extra_time_minutes: number;
  building: string | null;
  room: string | null;
  sso_auth_type: string | null;
  sso_user_id: string | null;
}

describe('SSO candidates: import into a test, then the first LMS launch lands in its lobby as that candidate', () => {
  let world: TestWorld;
  let n = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(async () => {
    await resetLaunchState(world);
    // A platform's settings outlive a test (only a new file resets the world's platforms).
    await matchOn('sub');
  });

  const platformOf = async (lms: SimulatedLms) => (await world.examgate.platforms.findByIssuerAndClientId(lms.issuer, lms.clientId))!;
  const matchOn = async (field: SsoMatchField, lms = world.lms) =>
    world.examgate.platforms.setSsoMatchField((await platformOf(lms)).id, field, TEST_SETUP);

  /** An active test of a new course, placed at a link, that adds no learner on launch (so a match can only come from the import). */
  async function placedTest(lms = world.lms) {
    n += 1;
    const context = { id: `sso-${n}`, title: 'Chemistry' };
    lms.setRoster(context.id, []);
    const teacher = await instructorOf(world, context, { lms });
    const examId = await createExam(teacher, { title: 'Chemistry final', durationMinutes: '60', enrolOnLaunch: '' });
    await settledSync(world, examId);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const custom = await placeExam(world, teacher, examId, context, lms);
    return { teacher, examId, link: { context, resourceLink: { id: `sso-rl-${n}`, title: 'Final' }, custom, lms } };
  }

  // Before the engine's pages: the kind's plan and commit straight against the database (they need only the test's id and cap).
  const target = (examId: string, authType = LMS_IDENTITY) => ({
    exam: { id: examId, maxCandidates: 1500 } as Exam,
    platformId: '',
    authType: { id: authType, label: 'x' },
  });
  const lines = (rows: SsoRow[]) => rows.map((row, i) => ({ line: i + 2, row }));
  const row = (
    candidateId: string,
    ssoUserId: string,
    extraTimeMinutes = 0,
    building: string | null = null,
    room: string | null = null,
  ) => ({
    candidateId,
    ssoUserId,
    extraTimeMinutes,
    building,
    room,
  });
  async function importRows(examId: string, rows: SsoRow[], authType = LMS_IDENTITY) {
    const sso = world.examgate.ssoCandidates;
    const plan = await sso.plan(target(examId, authType), lines(rows));
    await unitOfWorkRunner(world.examgate.sequelize)((unit) => sso.commit(target(examId, authType), plan.planned, unit, TEST_SETUP));
    return plan;
  }
  const stored = (examId: string) =>
    world.examgate.sequelize.query<SsoCandidateRow>(
      `SELECT candidate_id, source, lms_user_id, email, extra_time_minutes, building, room, sso_auth_type, sso_user_id
         FROM candidates WHERE exam_id = :examId ORDER BY candidate_id`,
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
  const launch = (user: LmsUser, link: Awaited<ReturnType<typeof placedTest>>['link']) => learnerLaunch(world, user, link);

  it('when a file is committed, then its rows are SSO candidates with their seat; the same file again changes nothing; a new seat updates', async () => {
    const { examId } = await placedTest();
    const first = await importRows(examId, [row('K-1', 'u-100', 15, 'Main', 'A1'), row('K-2', 'u-200', 0, null, 'B2')]);
    expect(first.planned.map((p) => p.plan)).to.deep.equal(['add', 'add']);
    expect(await stored(examId)).to.deep.equal([
      {
        candidate_id: 'K-1',
        source: 'sso',
        lms_user_id: null,
        email: null,
        extra_time_minutes: 15,
        building: 'Main',
        room: 'A1',
        sso_auth_type: 'lms',
        sso_user_id: 'u-100',
      },
      {
        candidate_id: 'K-2',
        source: 'sso',
        lms_user_id: null,
        email: null,
        extra_time_minutes: 0,
        building: null,
        room: 'B2',
        sso_auth_type: 'lms',
        sso_user_id: 'u-200',
      },
    ]);
    const again = await importRows(examId, [row('K-1', 'u-100', 15, 'Main', 'A1'), row('K-2', 'u-200', 0, null, 'B2')]);
    expect(again.planned.map((p) => p.plan)).to.deep.equal(['skip', 'skip']);
    const moved = await importRows(examId, [row('K-2', 'u-200', 30, 'Annex', 'B2')]);
    expect(moved.planned.map((p) => [p.plan, p.note])).to.deep.equal([['update', 'extra time 0 → 30 min, building (none) → Annex']]);
    expect((await stored(examId))[1]).to.include({ extra_time_minutes: 30, building: 'Annex', room: 'B2' });
    const trail = (await auditOfExam(world, examId)).filter((e) => e.entity_type === 'candidate');
    expect(trail.map((e) => e.action)).to.deep.equal(['add', 'add', 'edit']);
    expect(trail[0]!.changes).to.deep.include({
      source: { from: null, to: 'sso' },
      ssoUserId: { from: null, to: 'u-100' },
      ssoAuthType: { from: null, to: 'lms' },
    });
  });

  it('when the test changed between preview and commit, then the commit writes nothing and says so', async () => {
    const { examId } = await placedTest();
    const sso = world.examgate.ssoCandidates;
    const plan = await sso.plan(target(examId), lines([row('K-1', 'u-1'), row('K-2', 'u-2')]));
    await importRows(examId, [row('K-2', 'someone-else')]);
    let refused: unknown = null;
    await unitOfWorkRunner(world.examgate.sequelize)((unit) => sso.commit(target(examId), plan.planned, unit, TEST_SETUP)).catch(
      (err: unknown) => {
        refused = err;
      },
    );
    expect(String(refused)).to.contain(
      'The test’s candidates changed since the preview (line 3: Candidate ID "K-2" is already used on this test',
    );
    expect((await stored(examId)).map((c) => c.candidate_id)).to.deep.equal(['K-2']);
  });

  it('when an SSO-imported learner first launches (matched on the LMS user id), then they land in the lobby as that candidate with their extra time, linked from then on', async () => {
    const { examId, link } = await placedTest();
    await importRows(examId, [row('Cand-7', 'lms-sub-7', 20, 'Main', 'A1')]);
    const first = await launch({ sub: 'lms-sub-7', name: 'Ada Lovelace', email: 'ada@uni.example' }, link);
    expect(first.landing.status, first.landing.body).to.equal(200);
    expect(first.landing.body).to.contain('<h1>Chemistry final</h1>');
    expect(first.landing.body).to.contain('Candidate ID: <strong>Cand-7</strong>');
    expect(first.landing.body).to.contain('60 minutes + 20 minutes extra time = 80 minutes');
    expect(first.landing.body).to.contain('data-state="open"');
    expect(await stored(examId)).to.deep.equal([
      {
        candidate_id: 'Cand-7',
        source: 'sso',
        lms_user_id: 'lms-sub-7',
        email: 'ada@uni.example',
        extra_time_minutes: 20,
        building: 'Main',
        room: 'A1',
        sso_auth_type: 'lms',
        sso_user_id: 'lms-sub-7',
      },
    ]);
    const again = await launch({ sub: 'lms-sub-7' }, link);
    expect(again.landing.body).to.contain('Candidate ID: <strong>Cand-7</strong>');
    const linked = (await auditOfExam(world, examId)).find((e) => e.action === 'link');
    expect(linked).to.include({ actor_kind: 'lms-user', via: 'launch' });
    expect(linked!.changes).to.deep.include({ lmsUserId: { from: null, to: 'lms-sub-7' } });
  });

  it('when the platform matches on the SIS id or the e-mail, then the launch’s lis person_sourcedid or e-mail (any letter case) finds the candidate, and sub does not', async () => {
    const { examId, link } = await placedTest();
    await importRows(examId, [row('By-SIS', 'S-123'), row('By-mail', 'Grace.Hopper@Uni.example', 5)]);
    await matchOn('sis_id');
    const subOnly = await launch({ sub: 'S-123' }, link);
    expect(subOnly.landing.body).to.contain('data-state="not_candidate"');
    const bySis = await launch({ sub: 'sis-learner', sisId: 'S-123' }, link);
    expect(bySis.landing.body).to.contain('Candidate ID: <strong>By-SIS</strong>');
    const wrongCase = await launch({ sub: 'sis-other', sisId: 's-123' }, link);
    expect(wrongCase.landing.body).to.contain('data-state="not_candidate"');
    await matchOn('email');
    const byMail = await launch({ sub: 'mail-learner', email: 'grace.hopper@uni.example' }, link);
    expect(byMail.landing.body).to.contain('Candidate ID: <strong>By-mail</strong>');
    expect((await stored(examId)).map((c) => [c.candidate_id, c.lms_user_id])).to.deep.equal([
      ['By-SIS', 'sis-learner'],
      ['By-mail', 'mail-learner'],
    ]);
  });

  it('when a launch only shares a display name, comes for another course or platform, or the candidate is linked or of another SSO setup, then it never matches', async () => {
    const { examId, link } = await placedTest();
    const setup = await world.examgate.ssoSetups.register((await platformOf(world.lms)).id, 'Feide', TEST_SETUP);
    await importRows(examId, [row('Named', 'Ada Lovelace'), row('Taken', 'taken-sub'), row('Mine', 'shared-sub')]);
    await importRows(examId, [row('Feide-1', 'feide-user')], setup.id);
    const byName = await launch({ sub: 'someone', name: 'Ada Lovelace' }, link);
    expect(byName.landing.body).to.contain('data-state="not_candidate"');
    const viaSetup = await launch({ sub: 'feide-user' }, link);
    expect(viaSetup.landing.body).to.contain('data-state="not_candidate"');
    await launch({ sub: 'taken-sub' }, link);
    await matchOn('email');
    const sameMail = await launch({ sub: 'intruder', email: 'taken-sub' }, link);
    expect(sameMail.landing.body).to.contain('data-state="not_candidate"');
    await matchOn('sub');

    const otherCourse = await placedTest();
    const wrongCourse = await launch({ sub: 'shared-sub' }, otherCourse.link);
    expect(wrongCourse.landing.body).to.contain('data-state="not_candidate"');
    const otherPlatform = await placedTest(world.otherLms);
    const wrongPlatform = await launch({ sub: 'shared-sub' }, otherPlatform.link);
    expect(wrongPlatform.landing.body).to.contain('data-state="not_candidate"');
    expect((await stored(examId)).map((c) => [c.candidate_id, c.lms_user_id])).to.deep.equal([
      ['Feide-1', null],
      ['Mine', null],
      ['Named', null],
      ['Taken', 'taken-sub'],
    ]);
    expect(await stored(otherCourse.examId)).to.deep.equal([]);
    expect(await stored(otherPlatform.examId)).to.deep.equal([]);

    // The setup is how Feide-1 is recognised: it stays while they do.
    const platformId = (await platformOf(world.lms)).id;
    let refusal: Error | null = null;
    await world.examgate.ssoSetups.remove(platformId, setup.id, TEST_SETUP).catch((err: Error) => (refusal = err));
    expect(refusal, 'removing a setup in use').to.be.an('error');
    expect(refusal!.message).to.equal(
      '"Feide" was not removed: 1 candidate was imported with it, and it is how they are recognised. Remove those candidates (or their tests) first.',
    );
    expect((await world.examgate.ssoSetups.list(platformId)).map((s) => s.id)).to.include(setup.id);
    await world.examgate.sequelize.query('DELETE FROM candidates WHERE sso_auth_type = :id', { replacements: { id: setup.id } });
    await world.examgate.ssoSetups.remove(platformId, setup.id, TEST_SETUP);
    expect((await world.examgate.ssoSetups.list(platformId)).map((s) => s.id)).to.not.include(setup.id);
  });
  it('when the roster is synced after an SSO import, then a member matching an SSO candidate gets no second candidate, and their launch lands as the SSO one', async () => {
    const { teacher, examId, link } = await placedTest();
    await importRows(examId, [row('Seat-1', 'learner1@EXAMPLE.edu', 45)]);
    await matchOn('email');
    world.lms.setRoster(link.context.id, buildLearners(2));
    await teacher.post(`/app/exams/${examId}/roster-sync`, {}, `/app/exams/${examId}/candidates`);
    await settledSync(world, examId);
    expect((await stored(examId)).map((c) => [c.candidate_id, c.source, c.lms_user_id, c.email])).to.deep.equal([
      ['Seat-1', 'sso', null, 'learner1@example.edu'],
      ['u-2', 'roster', 'u-2', 'learner2@example.edu'],
    ]);
    const lobby = await launch({ sub: 'u-1', email: 'learner1@example.edu' }, link);
    expect(lobby.landing.body).to.contain('Candidate ID: <strong>Seat-1</strong>').and.contain('60 minutes + 45 minutes extra time');
    await teacher.post(`/app/exams/${examId}/roster-sync`, {}, `/app/exams/${examId}/candidates`);
    await settledSync(world, examId);
    expect((await stored(examId)).map((c) => [c.candidate_id, c.lms_user_id])).to.deep.equal([
      ['Seat-1', 'u-1'],
      ['u-2', 'u-2'],
    ]);
  });
});
