import { expect } from 'chai';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, instructorOf, learnerLaunch, placeExam, pressStart, type CourseSession } from '../support/course-session.js';
import { buildLearners, candidatesOf, settledSync } from '../support/roster.js';

const HOUR = 3_600_000;
const wallTime = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString().slice(0, 16);

describe('Student launch into the lobby of their test', () => {
  let world: TestWorld;
  let n = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  /** A course with an active test placed at resource link `rl-<n>`. */
  async function placedTest(form: Record<string, string> = {}, roster = buildLearners(0), activate = true) {
    n += 1;
    const context = { id: `lobby-${n}`, title: 'Physics' };
    world.lms.setRoster(context.id, roster);
    const teacher: CourseSession = await instructorOf(world, context);
    const examId = await createExam(teacher, { title: 'Physics final', durationMinutes: '60', ...form });
    await settledSync(world, examId);
    if (activate) {
      await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    }
    const custom = await placeExam(world, teacher, examId, context);
    const link = { context, resourceLink: { id: `rl-${n}`, title: 'Final' }, custom };
    return { teacher, examId, link };
  }

  it('when a learner on the roster launches the link, then they land in that test’s lobby as their candidate with Start', async () => {
    const { examId, link } = await placedTest({ candidateIdPolicy: 'sis_id' }, buildLearners(3));
    const result = await learnerLaunch(world, { sub: 'u-2', name: 'Learner 2' }, link);
    expect(result.landing.status, result.landing.body).to.equal(200);
    expect(result.landing.url).to.equal(`${world.url}/app`);
    expect(result.landing.body).to.contain('<h1>Physics final</h1>');
    expect(result.landing.body).to.contain('Candidate ID: <strong>sis-2</strong>');
    expect(result.landing.body).to.contain('data-state="open"');
    expect(result.landing.body).to.contain('>Start</button>');
    expect(await candidatesOf(world, examId)).to.have.length(3);
  });

  it('when a learner who is not yet a candidate launches and the test allows it, then they are added on the spot with the ID policy', async () => {
    const { examId, link } = await placedTest({ candidateIdPolicy: 'email' });
    const result = await learnerLaunch(world, { sub: 'late-1', name: 'Late Comer', email: 'late@example.edu' }, link);
    expect(result.landing.body).to.contain('Candidate ID: <strong>late@example.edu</strong>');
    const [candidate] = await candidatesOf(world, examId);
    expect(candidate).to.include({ lms_user_id: 'late-1', source: 'roster', status: 'active' });
  });

  it('when two learners added on the spot would share an ID, then the second one gets a numbered ID', async () => {
    const { examId, link } = await placedTest({ candidateIdPolicy: 'full_name' });
    for (const sub of ['twin-a', 'twin-b', 'twin-c']) {
      await learnerLaunch(world, { sub, name: 'Sam 50%_Twin' }, link);
    }
    expect((await candidatesOf(world, examId)).map((c) => c.candidate_id)).to.deep.equal([
      'Sam 50%_Twin',
      'Sam 50%_Twin (2)',
      'Sam 50%_Twin (3)',
    ]);
  });

  it('when the first launches of a new course arrive together, then every one lands (no race on the course record)', async () => {
    const context = { id: `burst-${Date.now()}` };
    const results = await Promise.all(Array.from({ length: 16 }, (_, i) => learnerLaunch(world, { sub: `burst-${i}` }, { context })));
    expect(results.map((r) => r.landing.status)).to.deep.equal(Array(16).fill(200));
  });

  it('when a placed test’s first learners arrive together, then each becomes exactly one candidate', async () => {
    const { examId, link } = await placedTest();
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => learnerLaunch(world, { sub: `rush-${i % 6}` }, link)));
    expect(results.every((r) => r.landing.body.includes('data-state="open"'))).to.equal(true);
    expect(await candidatesOf(world, examId)).to.have.length(6);
  });

  it('when the test does not add learners on launch, then a stranger is told they are not a candidate and what to do', async () => {
    const { examId, link } = await placedTest({ enrolOnLaunch: '' });
    const result = await learnerLaunch(world, { sub: 'stranger' }, link);
    expect(result.landing.body).to.contain('data-state="not_candidate"');
    expect(result.landing.body).to.contain('Ask your instructor to add you, or to sync the course roster.');
    expect(await candidatesOf(world, examId)).to.have.length(0);
  });

  it('when a learner shares a display name with a candidate, then they are still matched by sub only', async () => {
    const { examId, link } = await placedTest({ enrolOnLaunch: '' }, buildLearners(1));
    const impostor = await learnerLaunch(world, { sub: 'someone-else', name: 'Learner 1' }, link);
    expect(impostor.landing.body).to.contain('data-state="not_candidate"');
    expect(await candidatesOf(world, examId)).to.have.length(1);
  });

  it('when the window has not opened, then the lobby says when it opens, in the test’s time zone', async () => {
    const { link } = await placedTest({ opensAt: wallTime(48 * HOUR), timeZone: 'UTC' });
    const result = await learnerLaunch(world, { sub: 'early' }, link);
    expect(result.landing.body).to.contain('data-state="not_open"');
    expect(result.landing.body).to.contain('(UTC)');
    expect(result.landing.body).not.to.contain('>Start</button>');
  });

  it('when the test is still a draft, then the lobby says it is not open yet', async () => {
    const { link } = await placedTest({}, buildLearners(0), false);
    const result = await learnerLaunch(world, { sub: 'eager' }, link);
    expect(result.landing.body).to.contain('data-state="not_open"');
  });

  it('when the window has closed, then the lobby says so; extra time keeps it open for those who have it', async () => {
    const { teacher, examId, link } = await placedTest(
      { opensAt: wallTime(-3 * HOUR), closesAt: wallTime(-HOUR / 2), timeZone: 'UTC' },
      buildLearners(2),
    );
    const closed = await learnerLaunch(world, { sub: 'u-1' }, link);
    expect(closed.landing.body).to.contain('data-state="closed"');

    const page = await teacher.get(`/app/exams/${examId}/candidates?q=u-2`);
    const u2 = /candidates\/([0-9a-f-]{36})\/edit/.exec(page.body)![1]!;
    await teacher.post(`/app/exams/${examId}/candidates/${u2}`, { extraTimeMinutes: '60' }, `/app/exams/${examId}/candidates/${u2}/edit`);
    const extended = await learnerLaunch(world, { sub: 'u-2' }, link);
    expect(extended.landing.body).to.contain('data-state="open"');
    expect(extended.landing.body).to.contain('60 minutes + 60 minutes extra time = 120 minutes');
  });

  it('when the window closes before the time allowed would run out, then the lobby warns before Start', async () => {
    const { link } = await placedTest({ opensAt: wallTime(-HOUR), closesAt: wallTime(HOUR / 2), timeZone: 'UTC', durationMinutes: '60' });
    const result = await learnerLaunch(world, { sub: 'hurried' }, link);
    expect(result.landing.body).to.contain('data-state="open"');
    expect(result.landing.body).to.contain('The test closes before your full time is up if you start now.');
  });

  it('when a candidate is withdrawn while their lobby is open, then Start is refused and the lobby says why', async () => {
    const { teacher, examId, link } = await placedTest({}, buildLearners(1));
    const lobby = await learnerLaunch(world, { sub: 'u-1' }, link);
    expect(lobby.landing.body).to.contain('data-state="open"');
    const page = await teacher.get(`/app/exams/${examId}/candidates`);
    const id = /candidates\/([0-9a-f-]{36})\/edit/.exec(page.body)![1]!;
    await teacher.post(`/app/exams/${examId}/candidates/${id}/withdraw`, {}, `/app/exams/${examId}/candidates`);

    const start = await pressStart(world, lobby.browser, lobby.landing.body);
    expect(start.response.status).to.equal(409);
    expect(start.body).to.contain('You have been withdrawn from this test.');
    const again = await learnerLaunch(world, { sub: 'u-1' }, link);
    expect(again.landing.body).to.contain('data-state="withdrawn"');
    expect(again.landing.body).not.to.contain('>Start</button>');
  });

  it('when one test is placed at two resource links, then both open it', async () => {
    const { teacher, examId, link } = await placedTest();
    const custom = await placeExam(world, teacher, examId, link.context);
    for (const resourceLink of [link.resourceLink, { id: `${link.resourceLink.id}-second`, title: 'Again' }]) {
      const result = await learnerLaunch(world, { sub: 'twice' }, { ...link, resourceLink, custom });
      expect(result.landing.body).to.contain('<h1>Physics final</h1>');
    }
    const rows = await world.examgate.sequelize.query('SELECT resource_link_id FROM exam_resource_links WHERE exam_id = :examId', {
      replacements: { examId },
      type: 'SELECT',
    });
    expect(rows).to.have.length(2);
  });

  it('when a link of course A is launched from course B (copied course or edited custom parameter), then it opens no test', async () => {
    const { link } = await placedTest();
    const result = await learnerLaunch(
      world,
      { sub: 'copycat' },
      { ...link, context: { id: 'another-course' }, resourceLink: { id: 'copied-link' } },
    );
    expect(result.landing.body).to.contain('does not lead to a test yet');
  });

  it('when staff open the lobby, then they are refused and never become candidates', async () => {
    const { examId, link } = await placedTest();
    const teacher = await instructorOf(world, link.context, { resourceLink: link.resourceLink, custom: link.custom });
    const lobby = await teacher.get('/app/lobby');
    expect(lobby.response.status).to.equal(403);
    expect(lobby.body).to.contain('Staff manage it from the test’s page.');
    expect(await candidatesOf(world, examId)).to.have.length(0);
  });

  it('when another test is placed in the same activity, then its launches open the new test', async () => {
    const { teacher, link } = await placedTest();
    const second = await createExam(teacher, { title: 'Physics resit' });
    await teacher.post(`/app/exams/${second}/activate`, {}, `/app/exams/${second}`);
    const custom = await placeExam(world, teacher, second, link.context);
    const result = await learnerLaunch(world, { sub: 'resitter' }, { ...link, custom });
    expect(result.landing.body).to.contain('<h1>Physics resit</h1>');
  });

  it('when the test is full, then a learner who would be added on the spot is told it is full', async function () {
    this.timeout(60_000);
    const { link } = await placedTest({}, buildLearners(1500));
    const result = await learnerLaunch(world, { sub: 'one-too-many' }, link);
    expect(result.landing.body).to.contain('data-state="full"');
    expect(result.landing.body).to.contain('the most candidates a test can hold (1500)');
  });

  it('when an instructor launches the placed link, then they land on the test’s page, not the lobby', async () => {
    const { examId, link } = await placedTest();
    const result = await instructorOf(world, link.context, { resourceLink: link.resourceLink, custom: link.custom });
    expect(result.landing.url).to.equal(`${world.url}/app/exams/${examId}`);
  });
});
