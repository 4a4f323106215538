import { expect } from 'chai';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { auditOfExam, parseCsv } from '../support/audit.js';
import { createExam, instructorOf, learnerLaunch, placeExam, type CourseSession } from '../support/course-session.js';
import { buildLearners, settledSync } from '../support/roster.js';

describe('Audit trail of candidates', () => {
  let world: TestWorld;
  let n = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  async function courseWithTest(roster = buildLearners(0), form: Record<string, string> = {}) {
    n += 1;
    const context = { id: `audit-candidates-${n}`, title: 'Biology' };
    world.lms.setRoster(context.id, roster);
    const teacher: CourseSession = await instructorOf(world, context, { user: { sub: 'teacher-c', name: 'Barbara McClintock' } });
    const examId = await createExam(teacher, { title: 'Genetics', ...form });
    await settledSync(world, examId);
    return { context, teacher, examId };
  }

  const candidateEntries = async (examId: string) => (await auditOfExam(world, examId)).filter((e) => e.entity_type === 'candidate');
  const idOf = async (examId: string, candidateId: string) =>
    String(
      (
        await world.examgate.sequelize.query(`SELECT id FROM candidates WHERE exam_id = :examId AND candidate_id = :candidateId`, {
          replacements: { examId, candidateId },
          plain: true,
        })
      )?.id,
    );

  it('when an instructor adds, edits, withdraws and restores a candidate, then each writes one entry with only the changed fields', async () => {
    const { teacher, examId } = await courseWithTest();
    const page = `/app/exams/${examId}/candidates`;
    await teacher.post(page, { candidateId: 'K-1', extraTimeMinutes: '10', room: '' }, page);
    const id = await idOf(examId, 'K-1');
    await teacher.post(`${page}/${id}`, { candidateId: 'K-1', extraTimeMinutes: '25', building: '', room: '' }, `${page}/${id}/edit`);
    await teacher.post(`${page}/${id}/withdraw`, {}, page);
    await teacher.post(`${page}/${id}/restore`, {}, page);

    const entries = await candidateEntries(examId);
    expect(entries.map((e) => e.action)).to.deep.equal(['add', 'edit', 'withdraw', 'restore']);
    for (const entry of entries) {
      expect(entry).to.include({ actor_kind: 'lms-user', actor_sub: 'teacher-c', via: 'page', entity_id: id, exam_id: examId });
    }
    expect(entries[0]!.changes).to.deep.include({ candidateId: { from: null, to: 'K-1' }, extraTimeMinutes: { from: null, to: 10 } });
    expect(entries[0]!.changes.source).to.deep.equal({ from: null, to: 'manual' });
    expect(entries[1]!.changes).to.deep.equal({ extraTimeMinutes: { from: 10, to: 25 } });
    expect(entries[2]!.changes).to.deep.equal({
      status: { from: 'active', to: 'withdrawn' },
      withdrawnReason: { from: null, to: 'manual' },
    });
    expect(entries[3]!.changes).to.deep.equal({
      status: { from: 'withdrawn', to: 'active' },
      withdrawnReason: { from: 'manual', to: null },
    });
  });

  it('when adding or editing a candidate is refused, then no entry is written', async () => {
    const { teacher, examId } = await courseWithTest();
    const page = `/app/exams/${examId}/candidates`;
    await teacher.post(page, { candidateId: 'A' }, page);
    await teacher.post(page, { candidateId: 'B' }, page);
    expect((await teacher.post(page, { candidateId: 'A' }, page)).response.status).to.equal(400);
    expect((await teacher.post(page, { candidateId: '' }, page)).response.status).to.equal(400);
    const b = await idOf(examId, 'B');
    expect((await teacher.post(`${page}/${b}`, { candidateId: 'A' }, `${page}/${b}/edit`)).response.status).to.equal(400);
    expect((await teacher.post(`${page}/${b}`, { extraTimeMinutes: '-3' }, `${page}/${b}/edit`)).response.status).to.equal(400);
    expect((await candidateEntries(examId)).map((e) => e.label)).to.deep.equal(['A', 'B']);
  });

  it('when the roster is synced, then each added or withdrawn learner has one roster-sync entry, and a re-sync without change writes none', async () => {
    const { context, teacher, examId } = await courseWithTest(buildLearners(3));
    const first = await candidateEntries(examId);
    expect(first).to.have.length(3);
    for (const entry of first) {
      expect(entry).to.include({ actor_kind: 'system', via: 'roster-sync', action: 'add' });
    }
    expect(first.map((e) => e.changes.lmsUserId?.to)).to.have.members(['u-1', 'u-2', 'u-3']);

    const syncNow = async () => {
      await teacher.post(`/app/exams/${examId}/roster-sync`, {}, `/app/exams/${examId}/candidates`);
      const job = await settledSync(world, examId);
      expect(job.status, job.error ?? '').to.equal('succeeded');
    };
    await syncNow();
    expect(await candidateEntries(examId)).to.have.length(3);

    const [one, two] = buildLearners(2);
    world.lms.setRoster(context.id, [one!, { ...two!, name: 'Learner Two' }]);
    await syncNow();
    const later = (await candidateEntries(examId)).slice(3);
    expect(later.map((e) => e.action)).to.have.members(['withdraw', 'refresh']);
    const withdrawn = later.find((e) => e.action === 'withdraw')!;
    expect(withdrawn.changes).to.deep.equal({
      status: { from: 'active', to: 'withdrawn' },
      withdrawnReason: { from: null, to: 'left_course' },
    });
    expect(later.find((e) => e.action === 'refresh')!.changes).to.deep.equal({ name: { from: 'Learner 2', to: 'Learner Two' } });
  });

  it('when a learner is added on launch, then the entry names them and their platform, via enrol on launch', async () => {
    const { context, teacher, examId } = await courseWithTest();
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const custom = await placeExam(world, teacher, examId, context);
    await learnerLaunch(world, { sub: 'walk-in', name: 'Walk In' }, { context, resourceLink: { id: `audit-rl-${n}` }, custom });
    const [entry, ...more] = await candidateEntries(examId);
    expect(more).to.have.length(0);
    expect(entry).to.include({
      action: 'add',
      actor_kind: 'lms-user',
      actor_sub: 'walk-in',
      actor_name: 'Walk In',
      via: 'enrol-on-launch',
    });
    const platform = await world.examgate.platforms.findByIssuerAndClientId(world.lms.issuer, world.lms.clientId);
    expect(entry!.actor_platform_id).to.equal(platform!.id);
    // A second launch of the same learner changes nothing and records nothing.
    await learnerLaunch(world, { sub: 'walk-in', name: 'Walk In' }, { context, resourceLink: { id: `audit-rl-${n}` }, custom });
    expect(await candidateEntries(examId)).to.have.length(1);
  });

  it('when the History is downloaded, then it is UTF-8 CSV with a BOM, every entry one row newest first, and formula cells neutralised', async () => {
    const { teacher, examId } = await courseWithTest(buildLearners(0), { timeZone: 'Asia/Tokyo' });
    const page = `/app/exams/${examId}/candidates`;
    for (const candidateId of ['=HYPERLINK("http://evil.example","x")', '+1', '-2', '@SUM(A1)', 'Ünïcødé, "quoted"']) {
      const added = await teacher.post(page, { candidateId }, page);
      expect(added.response.status, candidateId).to.equal(200);
    }
    const download = await teacher.browser.request(`${world.url}/app/exams/${examId}/history/download`);
    expect(download.status).to.equal(200);
    expect(download.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect(download.headers.get('content-disposition')).to.match(/^attachment; filename="test-history-/);
    const bytes = Buffer.from(await download.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const rows = parseCsv(bytes.toString('utf8').slice(1));
    expect(rows[0]).to.deep.equal(['Time', 'Time (UTC)', 'Who', 'How', 'Entity', 'Entity id', 'Name', 'Action', 'Changes']);
    const body = rows.slice(1);
    expect(body).to.have.length(6);
    expect(body.map((r) => r[6])).to.deep.equal([
      'Ünïcødé, "quoted"',
      "'@SUM(A1)",
      "'-2",
      "'+1",
      `'=HYPERLINK("http://evil.example","x")`,
      'Genetics',
    ]);
    for (const row of body) {
      expect(row[0]).to.contain('(Asia/Tokyo)');
      expect(row[2]).to.equal('Barbara McClintock (LMS user teacher-c)');
      expect(row[3]).to.equal('examgate page');
      for (const cell of row) {
        expect(cell).not.to.match(/^[=+\-@\t\r]/);
      }
    }
  });
});
