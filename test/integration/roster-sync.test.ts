import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ROLE_LEARNER } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf, type CourseSession } from '../support/course-session.js';
import { buildInstructor, buildLearners, candidatesOf, settledSync } from '../support/roster.js';

describe('Roster sync through NRPS', () => {
  let world: TestWorld;
  let courseNumber = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(async () => {
    await resetLaunchState(world);
    world.lms.failNrps(null);
    world.lms.stallNrps(null);
    world.otherLms.stallTokenEndpoint(false);
  });

  /** A fresh course with `roster`, a test in it, and the first sync (which opening the test starts) settled. */
  async function courseWithTest(roster: ReturnType<typeof buildLearners>, examForm: Record<string, string> = {}) {
    courseNumber += 1;
    const contextId = `roster-${courseNumber}`;
    world.lms.setRoster(contextId, roster);
    const teacher = await instructorOf(world, { id: contextId, title: `Course ${courseNumber}` });
    const examId = await createExam(teacher, examForm);
    const firstSync = await settledSync(world, examId);
    return { contextId, teacher, examId, firstSync };
  }

  async function syncNow(teacher: CourseSession, examId: string) {
    const started = await teacher.post(`/app/exams/${examId}/roster-sync`, {}, `/app/exams/${examId}/candidates`);
    expect(started.response.status, started.body).to.equal(200);
    return settledSync(world, examId);
  }

  /** Roster pages of one course requested since the log had `count` entries (other tests' syncs may still be running). */
  const nrpsPagesSince = (count: number, contextId: string) =>
    world.lms.requestLog.slice(count).filter((r) => r.path.startsWith(`/nrps/${contextId}/`)).length;

  for (const size of [0, 1, 250, 5000]) {
    it(`when the course has ${size} learners, then every page is read and each learner becomes a candidate up to the cap`, async function () {
      this.timeout(120_000);
      const before = world.lms.requestLog.length;
      const { contextId, examId, firstSync } = await courseWithTest(buildLearners(size));
      expect(firstSync.status, firstSync.error ?? '').to.equal('succeeded');
      // A test holds at most 1500 candidates: a bigger course is read in full and the rest is reported.
      const added = Math.min(size, 1500);
      expect(JSON.parse(firstSync.result!)).to.include({ members: size, added, overCap: size - added, withdrawn: 0 });
      const candidates = await candidatesOf(world, examId);
      expect(candidates).to.have.length(added);
      expect(candidates.every((c) => c.source === 'roster' && c.status === 'active')).to.equal(true);
      // Pages of 1000 were asked for (NRPS_PAGE_SIZE); an empty roster is still one page.
      expect(nrpsPagesSince(before, contextId)).to.equal(Math.max(1, Math.ceil(size / 1000)));
    });
  }

  it('when the LMS pages by 50 whatever is asked (Canvas), then every Link rel="next" is still followed', async () => {
    courseNumber += 1;
    const contextId = `roster-canvas-${courseNumber}`;
    world.lms.setRoster(contextId, buildLearners(120));
    world.lms.capNrpsPageSize(50);
    try {
      const before = world.lms.requestLog.length;
      const teacher = await instructorOf(world, { id: contextId });
      const examId = await createExam(teacher);
      await settledSync(world, examId);
      expect(await candidatesOf(world, examId)).to.have.length(120);
      expect(nrpsPagesSince(before, contextId)).to.equal(3);
    } finally {
      world.lms.capNrpsPageSize(null);
    }
  });

  it('when the roster has instructors and learners, then only learners are taken unless every role is asked for', async () => {
    const roster = [
      ...buildLearners(3),
      buildInstructor('t-1'),
      { user_id: 'ta-1', roles: ['http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant'] },
    ];
    const learnersOnly = await courseWithTest(roster);
    expect((await candidatesOf(world, learnersOnly.examId)).map((c) => c.lms_user_id)).to.have.members(['u-1', 'u-2', 'u-3']);
    const everyone = await courseWithTest(roster, { rosterRoles: 'all' });
    expect(await candidatesOf(world, everyone.examId)).to.have.length(5);
  });

  it('when the roster changes, then re-sync adds newcomers, withdraws leavers and inactive members, restores returners and keeps manual edits', async () => {
    const { contextId, teacher, examId } = await courseWithTest(buildLearners(4));
    // Manual edits: u-1 gets a new candidate ID, extra time and a room; u-2 is withdrawn by hand.
    const page = await teacher.get(`/app/exams/${examId}/candidates?q=u-1`);
    const u1 = /candidates\/([0-9a-f-]{36})\/edit/.exec(page.body)![1]!;
    const edit = await teacher.post(
      `/app/exams/${examId}/candidates/${u1}`,
      { candidateId: 'Seat 17', extraTimeMinutes: '25', room: 'B-12' },
      `/app/exams/${examId}/candidates/${u1}/edit`,
    );
    expect(edit.response.status, edit.body).to.equal(200);
    const u2 = /candidates\/([0-9a-f-]{36})\/edit/.exec((await teacher.get(`/app/exams/${examId}/candidates?q=u-2`)).body)![1]!;
    await teacher.post(`/app/exams/${examId}/candidates/${u2}/withdraw`, {}, `/app/exams/${examId}/candidates`);

    const [l1, l2, , l4] = buildLearners(4);
    world.lms.setRoster(contextId, [l1!, l2!, { ...l4!, status: 'Inactive' }, ...buildLearners(2, 10)]);
    const second = await syncNow(teacher, examId);
    expect(second.status, second.error ?? '').to.equal('succeeded');
    expect(JSON.parse(second.result!)).to.include({ added: 2, withdrawn: 2, restored: 0 });

    const byUser = new Map((await candidatesOf(world, examId)).map((c) => [c.lms_user_id, c]));
    expect(byUser.get('u-1')).to.include({ candidate_id: 'Seat 17', extra_time_minutes: 25, room: 'B-12', status: 'active' });
    expect(byUser.get('u-2')).to.include({ status: 'withdrawn', withdrawn_reason: 'manual' });
    expect(byUser.get('u-3')).to.include({ status: 'withdrawn', withdrawn_reason: 'left_course' });
    expect(byUser.get('u-4')).to.include({ status: 'withdrawn', withdrawn_reason: 'inactive' });
    expect(byUser.get('u-10')).to.include({ status: 'active', source: 'roster' });
    expect(byUser.size).to.equal(6);

    // u-3 comes back: restored by the sync; u-2 stays withdrawn because staff withdrew them.
    world.lms.setRoster(contextId, [...buildLearners(4), ...buildLearners(2, 10)]);
    const third = await syncNow(teacher, examId);
    expect(JSON.parse(third.result!)).to.include({ added: 0, restored: 2, withdrawn: 0 });
    const after = new Map((await candidatesOf(world, examId)).map((c) => [c.lms_user_id, c]));
    expect(after.get('u-3')).to.include({ status: 'active', withdrawn_reason: null });
    expect(after.get('u-4')).to.include({ status: 'active' });
    expect(after.get('u-2')).to.include({ status: 'withdrawn', withdrawn_reason: 'manual' });
  });

  it('when nothing changed in the LMS, then a re-sync writes no candidate row', async () => {
    const { teacher, examId } = await courseWithTest(buildLearners(30));
    const before = await candidatesOf(world, examId);
    const again = await syncNow(teacher, examId);
    expect(JSON.parse(again.result!)).to.include({ members: 30, added: 0, withdrawn: 0, restored: 0, updated: 0 });
    expect(await candidatesOf(world, examId)).to.deep.equal(before);
  });

  it('when NRPS fails midway, then the job fails with what happened and the previous list is intact', async () => {
    const { contextId, teacher, examId } = await courseWithTest(buildLearners(5));
    const before = await candidatesOf(world, examId);
    world.lms.setRoster(contextId, buildLearners(2500));
    world.lms.failNrps(503, { afterPages: 2 });
    const failed = await syncNow(teacher, examId);
    expect(failed.status).to.equal('failed');
    expect(failed.error).to.equal("The LMS's roster service answered HTTP 503 on page 3; nothing was changed.");
    expect(await candidatesOf(world, examId)).to.deep.equal(before);
    const page = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(page.body).to.contain('The last roster sync failed: The LMS&#39;s roster service answered HTTP 503 on page 3');
  });

  it('when the LMS stops answering midway, then the sync times out, says so and changes nothing', async () => {
    const { contextId, teacher, examId } = await courseWithTest(buildLearners(5));
    const before = await candidatesOf(world, examId);
    world.lms.setRoster(contextId, buildLearners(2500));
    world.lms.stallNrps(2);
    const failed = await syncNow(teacher, examId);
    expect(failed.status).to.equal('failed');
    // The test configuration allows 2 s per page (config/test.json; 20 s by default).
    expect(failed.error).to.equal("The LMS's roster service did not answer within 2 s (page 3); nothing was changed. Try again later.");
    expect(await candidatesOf(world, examId)).to.deep.equal(before);
  });

  it("when one LMS's token endpoint never answers, then that sync fails with a timeout while another course's sync goes on", async function () {
    this.timeout(30_000);
    courseNumber += 1;
    const hungContext = `roster-hung-token-${courseNumber}`;
    world.otherLms.setRoster(hungContext, buildLearners(3));
    const hungTeacher = await instructorOf(world, { id: hungContext }, { lms: world.otherLms });
    world.otherLms.stallTokenEndpoint(true);
    world.examgate.serviceTokens.forget();
    const hungExam = await createExam(hungTeacher);
    const jobOf = async (examId: string) =>
      (
        await world.examgate.sequelize.query<{ status: string; error: string | null }>(
          `SELECT status, error FROM jobs WHERE kind = 'roster-sync' AND subject_id = :examId ORDER BY created_at DESC`,
          { replacements: { examId }, type: QueryTypes.SELECT },
        )
      )[0];
    const { examId: fineExam, firstSync } = await courseWithTest(buildLearners(4));
    expect(firstSync.status, firstSync.error ?? '').to.equal('succeeded');
    expect(await candidatesOf(world, fineExam)).to.have.length(4);
    expect((await jobOf(hungExam))?.status, 'the hung sync was still waiting for its token').to.be.oneOf(['queued', 'running']);

    const failed = await settledSync(world, hungExam);
    expect(failed.status).to.equal('failed');
    // The test configuration allows the token endpoint 2 s (config/test.json; 10 s by default).
    expect(failed.error).to.equal("The LMS's token endpoint did not answer within 2 s. Nothing was changed. Try again later.");
    expect(await candidatesOf(world, hungExam)).to.have.length(0);
  });

  for (const status of [400, 401, 500]) {
    it(`when the LMS answers the roster request with ${status}, then the instructor is told which setting to enable`, async () => {
      const { teacher, examId } = await courseWithTest(buildLearners(2));
      world.lms.failNrps(status);
      const failed = await syncNow(teacher, examId);
      expect(failed.status).to.equal('failed');
      expect(failed.error).to.contain(`HTTP ${status}`);
      expect(failed.error).to.contain('IMS LTI Names and Role Provisioning');
      expect(failed.error).to.contain('Can retrieve user data associated with the context');
    });
  }

  it('when no launch from the course offered the roster service, then the instructor is told to enable it', async () => {
    courseNumber += 1;
    const teacher = await instructorOf(world, { id: `no-nrps-${courseNumber}` }, { services: { nrps: false, ags: false } });
    const examId = await createExam(teacher);
    const failed = await settledSync(world, examId);
    expect(failed.status).to.equal('failed');
    expect(failed.error).to.contain('did not offer its roster service');
  });

  it('when roster data is hostile, then it is stored safely and shown escaped', async () => {
    const longName = 'N'.repeat(600);
    const roster = [
      { user_id: 'h-1', roles: [ROLE_LEARNER], name: '<script>alert(1)</script>' },
      { user_id: 'h-2', roles: [ROLE_LEARNER] },
      { user_id: 'h-3', roles: [ROLE_LEARNER], name: longName },
      { user_id: 'h-1', roles: [ROLE_LEARNER], name: 'Duplicate of h-1' },
      { user_id: '', roles: [ROLE_LEARNER], name: 'No id' },
      { user_id: 'h-4', roles: [ROLE_LEARNER], name: 'Ze\u0301nobe\u0000 Gramme' },
    ];
    const { teacher, examId, firstSync } = await courseWithTest(roster, { candidateIdPolicy: 'full_name' });
    expect(JSON.parse(firstSync.result!)).to.include({ added: 4, ignored: 2, fellBack: 1 });
    const byUser = new Map((await candidatesOf(world, examId)).map((c) => [c.lms_user_id, c]));
    expect(byUser.get('h-1')!.candidate_id).to.equal('<script>alert(1)</script>');
    expect(byUser.get('h-2')!.candidate_id, 'no name: LMS id instead').to.equal('h-2');
    expect(byUser.get('h-3')!.candidate_id).to.have.length(500);
    expect(byUser.get('h-3')!.name).to.have.length(600);
    expect(byUser.get('h-4')!.candidate_id, 'NFC, control characters removed').to.equal('Z\u00e9nobe  Gramme');
    const page = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(page.body).not.to.contain('<script>alert(1)</script>');
    expect(page.body).to.contain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('when IDs come from e-mail, SIS id or anonymous numbers, then each policy is followed and clashes get a suffix', async () => {
    const twins = [
      { user_id: 'p-1', roles: [ROLE_LEARNER], email: 'same@example.edu', lis_person_sourcedid: 'S-1' },
      { user_id: 'p-2', roles: [ROLE_LEARNER], email: 'same@example.edu' },
    ];
    const byEmail = await courseWithTest(twins, { candidateIdPolicy: 'email' });
    expect((await candidatesOf(world, byEmail.examId)).map((c) => c.candidate_id)).to.deep.equal([
      'same@example.edu',
      'same@example.edu (2)',
    ]);
    const bySis = await courseWithTest(twins, { candidateIdPolicy: 'sis_id' });
    expect((await candidatesOf(world, bySis.examId)).map((c) => c.candidate_id)).to.deep.equal(['S-1', 'p-2']);
    const anonymous = await courseWithTest(buildLearners(3), { candidateIdPolicy: 'anonymous' });
    expect((await candidatesOf(world, anonymous.examId)).map((c) => c.candidate_id)).to.deep.equal(['0001', '0002', '0003']);
  });

  it('when the course has more learners than the cap, then 1500 are added and the rest are reported', async function () {
    this.timeout(60_000);
    const { teacher, examId, firstSync } = await courseWithTest(buildLearners(1510));
    expect(JSON.parse(firstSync.result!)).to.include({ added: 1500, overCap: 10 });
    const page = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(page.body).to.contain('1500 of 1500');
    expect(page.body).to.contain('10 not added because the test is full');
    const add = await teacher.post(`/app/exams/${examId}/candidates`, { candidateId: 'walk-in' }, `/app/exams/${examId}/candidates`);
    expect(add.response.status).to.equal(400);
    expect(add.body).to.contain('A test holds at most 1500 candidates. No more fit; you tried to add 1.');
  });

  it('when a scheduled sync failed, then the schedule waits a whole interval before asking the LMS again', async () => {
    const { examId } = await courseWithTest(buildLearners(1));
    // As if the last sync was three hours ago.
    const old = new Date(Date.now() - 3 * 3_600_000);
    await world.examgate.sequelize.query('UPDATE exams SET roster_synced_at = :old WHERE id = :examId', { replacements: { examId, old } });
    await world.examgate.sequelize.query('UPDATE jobs SET created_at = :old WHERE subject_id = :examId', { replacements: { examId, old } });
    world.lms.failNrps(401);
    expect(await world.examgate.roster.tick()).to.include(examId);
    expect((await settledSync(world, examId)).status).to.equal('failed');
    expect(await world.examgate.roster.tick(new Date(Date.now() + 60_000)), 'a minute later').not.to.include(examId);
    expect(await world.examgate.roster.tick(new Date(Date.now() + 2 * 3_600_000)), 'an interval later').to.include(examId);
    await settledSync(world, examId);
  });

  it('when the schedule runs, then tests whose roster is stale are synced and fresh ones are left alone', async () => {
    const { contextId, examId } = await courseWithTest(buildLearners(2));
    world.lms.setRoster(contextId, buildLearners(3));
    expect(await world.examgate.roster.tick(new Date(Date.now() - 3_600_000))).not.to.include(examId);
    expect(await world.examgate.roster.tick(new Date(Date.now() + 2 * 3_600_000))).to.include(examId);
    await settledSync(world, examId);
    expect(await candidatesOf(world, examId)).to.have.length(3);
  });
});
