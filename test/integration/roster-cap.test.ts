import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { auditOfExam } from '../support/audit.js';
import { createExam, instructorOf, type CourseSession } from '../support/course-session.js';
import { buildLearners, candidatesOf, settledSync } from '../support/roster.js';

describe('Roster sync at the cap: freed seats and who is left out', () => {
  let world: TestWorld;
  let courseNumber = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  async function syncNow(teacher: CourseSession, examId: string) {
    const started = await teacher.post(`/app/exams/${examId}/roster-sync`, {}, `/app/exams/${examId}/candidates`);
    expect(started.response.status, started.body).to.equal(200);
    const job = await settledSync(world, examId);
    expect(job.status, job.error ?? '').to.equal('succeeded');
    return JSON.parse(job.result!) as Record<string, number>;
  }

  /** A test capped at `cap` (the cap is 1500 in production; a small one keeps the course small), synced with `roster`. */
  async function cappedTest(cap: number, roster: ReturnType<typeof buildLearners>) {
    courseNumber += 1;
    const contextId = `roster-cap-${courseNumber}`;
    world.lms.setRoster(contextId, []);
    const teacher = await instructorOf(
      world,
      { id: contextId, title: `Capped ${courseNumber}` },
      { user: { sub: 'teacher-cap', name: 'Ada Lovelace' } },
    );
    const examId = await createExam(teacher);
    await settledSync(world, examId);
    await world.examgate.sequelize.query('UPDATE exams SET max_candidates = :cap WHERE id = :examId', { replacements: { cap, examId } });
    world.lms.setRoster(contextId, roster);
    const first = await syncNow(teacher, examId);
    return { contextId, teacher, examId, first };
  }

  const leftOutOf = async (examId: string) =>
    (
      await world.examgate.sequelize.query<{ lms_user_id: string }>(
        'SELECT lms_user_id FROM roster_left_out WHERE exam_id = :examId ORDER BY position',
        { replacements: { examId }, type: QueryTypes.SELECT },
      )
    ).map((row) => row.lms_user_id);
  const activeOf = async (examId: string) =>
    (await candidatesOf(world, examId)).filter((c) => c.status === 'active').map((c) => c.lms_user_id);

  it('when 3 candidates leave a full test and 2 learners join, then one sync withdraws 3 and fills the 3 seats, and Sync now after it is a no-op', async () => {
    const { contextId, teacher, examId, first } = await cappedTest(10, buildLearners(15));
    expect(first).to.include({ members: 15, added: 10, overCap: 5 });
    expect(await leftOutOf(examId)).to.deep.equal(['u-11', 'u-12', 'u-13', 'u-14', 'u-15']);

    const [l1, l2, l3, ...rest] = buildLearners(15);
    world.lms.setRoster(contextId, [
      { ...l1!, status: 'Inactive' },
      { ...l2!, status: 'Inactive' },
      { ...l3!, status: 'Deleted' },
      ...rest,
      ...buildLearners(2, 16),
    ]);
    const second = await syncNow(teacher, examId);
    expect(second).to.include({ withdrawn: 3, added: 3, overCap: 4 });
    // Those left out longest take the freed seats; the newcomers queue behind the rest.
    expect(await activeOf(examId)).to.have.members(['u-4', 'u-5', 'u-6', 'u-7', 'u-8', 'u-9', 'u-10', 'u-11', 'u-12', 'u-13']);
    expect(await leftOutOf(examId)).to.deep.equal(['u-14', 'u-15', 'u-16', 'u-17']);

    const before = await candidatesOf(world, examId);
    const third = await syncNow(teacher, examId);
    expect(third).to.include({ added: 0, withdrawn: 0, restored: 0, updated: 0, overCap: 4 });
    expect(await candidatesOf(world, examId)).to.deep.equal(before);
    expect(await leftOutOf(examId)).to.deep.equal(['u-14', 'u-15', 'u-16', 'u-17']);
  });

  it('when the test is full, then the page names who is left out, and the instructor adds a chosen one in place of another, audited', async () => {
    const { teacher, examId } = await cappedTest(3, buildLearners(5));
    const page = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(page.body).to.contain('Left out because the test is full');
    expect(page.body).to.contain('2 course members are not a candidate because the test holds at most 3');
    expect(page.body).to.match(/Learner 5<\/td>\s*<td>u-5<\/td>\s*<td>learner5@example.edu<\/td>/);

    const replaced = (await candidatesOf(world, examId)).find((c) => c.lms_user_id === 'u-2')!;
    const chosen = await teacher.post(
      `/app/exams/${examId}/candidates/left-out`,
      { userId: 'u-5', inPlaceOf: replaced.candidate_id },
      `/app/exams/${examId}/candidates`,
    );
    expect(chosen.response.status, chosen.body).to.equal(200);
    const byUser = new Map((await candidatesOf(world, examId)).map((c) => [c.lms_user_id, c]));
    expect(byUser.get('u-5')).to.include({ status: 'active', source: 'roster', name: 'Learner 5' });
    expect(byUser.get('u-2')).to.include({ status: 'withdrawn', withdrawn_reason: 'manual' });
    expect(await leftOutOf(examId)).to.deep.equal(['u-4']);

    const entries = (await auditOfExam(world, examId)).filter((e) => e.entity_type === 'candidate' && e.via === 'page');
    expect(entries.map((e) => [e.action, e.actor_sub])).to.deep.equal([
      ['withdraw', 'teacher-cap'],
      ['add', 'teacher-cap'],
    ]);
    expect(entries[1]!.changes.lmsUserId).to.deep.equal({ from: null, to: 'u-5' });

    // The sync keeps the instructor's choice: u-2 stays withdrawn, u-4 keeps waiting.
    const again = await syncNow(teacher, examId);
    expect(again).to.include({ added: 0, restored: 0, withdrawn: 0, overCap: 1 });
    expect(await activeOf(examId)).to.have.members(['u-1', 'u-3', 'u-5']);
  });

  it('when the choice is not valid, then the page says why and nothing changes', async () => {
    const { teacher, examId } = await cappedTest(2, buildLearners(4));
    const before = await candidatesOf(world, examId);
    const post = (form: Record<string, string>) =>
      teacher.post(`/app/exams/${examId}/candidates/left-out`, form, `/app/exams/${examId}/candidates`);

    const full = await post({ userId: 'u-3', inPlaceOf: '' });
    expect(full.response.status).to.equal(400);
    expect(full.body).to.contain('The test is full (2 candidates). Give the candidate ID of the one to withdraw');
    const unknownCandidate = await post({ userId: 'u-3', inPlaceOf: 'nobody-here' });
    expect(unknownCandidate.response.status).to.equal(400);
    expect(unknownCandidate.body).to.contain('&quot;nobody-here&quot; is not the candidate ID of an active candidate of this test');
    const notLeftOut = await post({ userId: 'u-1', inPlaceOf: before[1]!.candidate_id });
    expect(notLeftOut.response.status).to.equal(400);
    expect(notLeftOut.body).to.contain('This member is no longer on the list of those left out');

    expect(await candidatesOf(world, examId)).to.deep.equal(before);
    expect(await leftOutOf(examId)).to.deep.equal(['u-3', 'u-4']);
    expect((await auditOfExam(world, examId)).filter((e) => e.via === 'page' && e.entity_type === 'candidate')).to.deep.equal([]);
  });

  it('when a seat is free, then a left-out member is added without replacing anyone', async () => {
    const { teacher, examId } = await cappedTest(2, buildLearners(3));
    await world.examgate.sequelize.query('UPDATE exams SET max_candidates = 3 WHERE id = :examId', { replacements: { examId } });
    const page = await teacher.get(`/app/exams/${examId}/candidates`);
    expect(page.body).not.to.contain('In place of candidate ID');
    const added = await teacher.post(`/app/exams/${examId}/candidates/left-out`, { userId: 'u-3' }, `/app/exams/${examId}/candidates`);
    expect(added.response.status, added.body).to.equal(200);
    expect(await activeOf(examId)).to.have.members(['u-1', 'u-2', 'u-3']);
    expect(added.body).not.to.contain('Left out because the test is full');
  });
});
