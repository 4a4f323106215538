import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { auditOfExam } from '../support/audit.js';
import { slipsOf, testWithOneTimeUsers } from '../support/handout.js';
import { candidatesPath } from '../support/one-time.js';
import { tokenOf } from '../support/ways-in.js';

describe('Regenerate on demand: a new password, entry code or direct link for one candidate, the old one dead at once', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  const details = (examId: string, id: string) => `/app/exams/${examId}/handout/${id}`;
  const slipOf = async (teacher: Awaited<ReturnType<typeof testWithOneTimeUsers>>['teacher'], examId: string, id: string) =>
    slipsOf((await teacher.get(`/app/exams/${examId}/slips?candidate=${id}`)).body)[0]!;

  it('when staff open a candidate from the list, then their login details show with a fresh slip one link away', async () => {
    const { teacher, examId, rows } = await testWithOneTimeUsers(world, 2);
    const list = await teacher.get(candidatesPath(examId));
    expect(list.body)
      .to.contain(`href="${details(examId, rows[0]!.id)}"`)
      .and.contain(`href="/app/exams/${examId}/slips"`);
    const page = await teacher.get(details(examId, rows[0]!.id));
    expect(page.response.status).to.equal(200);
    expect(page.body).to.contain('<h1>Login details of C-0001</h1>').and.contain(rows[0]!.username!);
    expect(page.body).not.to.contain(rows[1]!.username!);
    expect(page.body).to.contain(`href="/app/exams/${examId}/slips?candidate=${rows[0]!.id}">Print a fresh slip for this candidate`);
  });

  it('when a new password is made after the confirmation, then the old one no longer signs in, the new one does, and the trail says so without it', async () => {
    const { teacher, examId, rows } = await testWithOneTimeUsers(world, 1);
    const id = rows[0]!.id;
    const before = await slipOf(teacher, examId, id);
    const confirm = await teacher.get(`${details(examId, id)}/new-password`);
    expect(confirm.body).to.contain('New password for C-0001?').and.contain('the current one stops working at once');
    const done = await teacher.post(`${details(examId, id)}/new-password`, {}, `${details(examId, id)}/new-password`);
    expect(done.url).to.equal(`${world.url}${details(examId, id)}?done=new-password`);
    expect(done.body).to.contain('role="status">New password made: the old one no longer signs in.');
    expect(done.body).to.contain(`/slips?candidate=${id}">Print a fresh slip for this candidate`);
    const after = await slipOf(teacher, examId, id);
    expect(after.password).not.to.equal(before.password);
    expect(after.code).to.equal(before.code);
    expect(await world.examgate.oneTimeUsers.verify(before.username!, before.password!)).to.equal(null);
    expect(await world.examgate.oneTimeUsers.verify(after.username!, after.password!)).to.include({ candidateId: id });
    const entries = await auditOfExam(world, examId);
    expect(entries.filter((e) => e.action === 'password-regenerate').map((e) => e.entity_id)).to.deep.equal([id]);
    expect(JSON.stringify(entries)).not.to.contain(before.password!).and.not.to.contain(after.password!);
  });

  for (const kind of ['code', 'link'] as const) {
    it(`when a new ${kind === 'code' ? 'entry code' : 'direct link'} is made, then the old one says withdrawn, the new one opens the test, and the other way in is untouched`, async () => {
      const { teacher, examId, rows } = await testWithOneTimeUsers(world, 2);
      const id = rows[0]!.id;
      const before = await slipOf(teacher, examId, id);
      const neighbour = await slipOf(teacher, examId, rows[1]!.id);
      const done = await teacher.post(`${details(examId, id)}/new-${kind}`, {}, `${details(examId, id)}/new-${kind}`);
      expect(done.body).to.contain(kind === 'code' ? 'New entry code made' : 'New direct link made');
      const after = await slipOf(teacher, examId, id);
      const resolve = (slip: typeof after) =>
        kind === 'code' ? world.examgate.waysIn.resolveCode(slip.code!) : world.examgate.waysIn.resolveLink(tokenOf(slip.link!));
      expect(after[kind]).not.to.equal(before[kind]);
      expect(await resolve(before)).to.include({ ok: false, reason: 'revoked' });
      expect(await resolve(after)).to.include({ ok: true });
      const other = kind === 'code' ? 'link' : 'code';
      expect(after[other], `the ${other} stays`).to.equal(before[other]);
      expect(await slipOf(teacher, examId, rows[1]!.id), 'another candidate keeps theirs').to.deep.equal(neighbour);
      const entries = (await auditOfExam(world, examId)).filter((e) => e.action === `reissue-${kind}`);
      expect(entries.map((e) => [e.entity_type, e.entity_id, e.label])).to.deep.equal([['way-in', id, 'C-0001']]);
    });
  }

  it('when a new way in cannot be made, then staff are told why before any confirmation: not a one-time user, closed test, withdrawn candidate', async () => {
    const { teacher, examId, rows } = await testWithOneTimeUsers(world, 2);
    await teacher.post(candidatesPath(examId), { candidateId: 'M-1' });
    const manual = await world.examgate.sequelize.query<{ id: string }>(
      "SELECT id FROM candidates WHERE exam_id = :examId AND candidate_id = 'M-1'",
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    const notOneTime = await teacher.get(`${details(examId, manual[0]!.id)}/new-password`);
    expect(notOneTime.response.status).to.equal(404);
    expect((await teacher.get(details(examId, manual[0]!.id))).body).not.to.contain('new-password');

    await teacher.post(`${candidatesPath(examId)}/${rows[1]!.id}/withdraw`);
    const withdrawn = await teacher.get(`${details(examId, rows[1]!.id)}/new-link`);
    expect(withdrawn.response.status).to.equal(409);
    expect(withdrawn.body).to.contain('C-0002 is withdrawn: restore them on the candidates page first.');

    await teacher.post(`/app/exams/${examId}/close`, {}, `/app/exams/${examId}/close`);
    const closed = await teacher.get(`${details(examId, rows[0]!.id)}/new-code`);
    expect(closed.response.status).to.equal(409);
    expect(closed.body).to.contain('only while the test is active. This one is closed.');
    const posted = await teacher.post(`${details(examId, rows[0]!.id)}/new-code`);
    expect(posted.response.status).to.equal(409);
    expect(
      (await teacher.get(`${details(examId, rows[0]!.id)}/new-password`)).response.status,
      'a password can still be reprinted',
    ).to.equal(200);
  });
});
