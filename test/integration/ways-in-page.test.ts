import { expect } from 'chai';
import { QueryTypes } from 'sequelize';
import { ROLE_LEARNER } from '../../src/lms-sim/index.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { buildExamForm, createExam, instructorOf, launchSession } from '../support/course-session.js';
import { auditOfExam } from '../support/audit.js';
import { WayInRepository } from '../../src/access/way-in.repository.js';
import { WaysIn } from '../../src/access/ways-in.service.js';
import { formatEntryCode } from '../../src/access/entry-code.js';
import { createLogger } from '../../src/logger.js';
import { SealedText } from '../../src/secrets/sealed-text.js';
import { courseWithTest, openWaysIn, postCode, postLink, tokenOf, waysInRows } from '../support/ways-in.js';

describe('Direct links and entry codes: the staff page', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  const liveCount = async (examId: string) => {
    const rows = await world.examgate.sequelize.query<{ kind: string; n: number | string }>(
      'SELECT kind, COUNT(*) AS n FROM ways_in WHERE exam_id = :examId AND revoked_at IS NULL GROUP BY kind ORDER BY kind',
      { replacements: { examId }, type: QueryTypes.SELECT },
    );
    return Object.fromEntries(rows.map((row) => [row.kind, Number(row.n)]));
  };

  it('when the test is a draft, then the page says links come on activation and none exists', async () => {
    const { teacher, examId } = await courseWithTest(world, 3, {}, false);
    const testPage = await teacher.get(`/app/exams/${examId}`);
    expect(testPage.body).not.to.contain('/ways-in');
    const page = await openWaysIn(teacher, examId);
    expect(page.response.status).to.equal(200);
    expect(page.body).to.contain('id="ways-in-draft"');
    expect(waysInRows(page.body)).to.have.length(0);
    expect(await liveCount(examId)).to.deep.equal({});
  });

  it('when staff first open an active test’s page, then every candidate has one link and one code, and one audit entry counts them', async () => {
    const { teacher, examId } = await courseWithTest(world, 5);
    expect((await teacher.get(`/app/exams/${examId}`)).body).to.contain(`href="/app/exams/${examId}/ways-in"`);
    const rows = waysInRows((await openWaysIn(teacher, examId)).body);
    expect(rows.map((r) => r.candidateId)).to.deep.equal(['u-1', 'u-2', 'u-3', 'u-4', 'u-5']);
    for (const row of rows) {
      expect(row.link).to.match(new RegExp(`^${world.url}/go/[A-Za-z0-9_-]{43}$`));
      expect(row.code).to.match(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}$/);
    }
    expect(new Set(rows.map((r) => r.link)).size).to.equal(5);
    // Opening again issues nothing new: the same links are shown.
    expect(waysInRows((await openWaysIn(teacher, examId)).body)).to.deep.equal(rows);
    const entries = (await auditOfExam(world, examId)).filter((e) => e.entity_type === 'way-in');
    expect(entries.map((e) => [e.action, e.changes.waysIn?.to])).to.deep.equal([['issue', 10]]);
    const history = await teacher.get(`/app/exams/${examId}/history`);
    expect(history.body).to.contain('Direct link / entry code');
    expect(history.body).to.contain('links and codes');
    for (const row of rows) {
      expect(history.body).not.to.contain(tokenOf(row.link!));
      expect(JSON.stringify(entries)).not.to.contain(tokenOf(row.link!));
      expect(JSON.stringify(entries)).not.to.contain(row.code!.replace(/-/g, ''));
    }
  });

  it('when staff of another course or a learner ask for the page, then it is 404 and 403', async () => {
    const { examId } = await courseWithTest(world, 1);
    const stranger = await instructorOf(world, { id: 'another-course' });
    expect((await openWaysIn(stranger, examId)).response.status).to.equal(404);
    const learner = await launchSession(world, { user: { sub: 'u-1' }, roles: [ROLE_LEARNER], context: { id: 'another-course' } });
    expect((await learner.get(`/app/exams/${examId}/ways-in`)).response.status).to.equal(403);
  });

  it('when two staff open the page at the same moment, then each candidate still has exactly one live link and one live code', async () => {
    const { teacher, examId, contextId } = await courseWithTest(world, 60);
    const other = await instructorOf(world, { id: contextId }, { user: { sub: 'teacher-2' } });
    const pages = await Promise.all([openWaysIn(teacher, examId), openWaysIn(other, examId), openWaysIn(teacher, examId)]);
    expect(pages.map((p) => p.response.status)).to.deep.equal([200, 200, 200]);
    expect(await liveCount(examId)).to.deep.equal({ code: 60, link: 60 });
    const issued = (await auditOfExam(world, examId)).filter((e) => e.action === 'issue');
    expect(issued).to.have.length(1);
    expect(waysInRows(pages[0]!.body)).to.deep.equal(waysInRows(pages[1]!.body));
  });

  it('when staff revoke one candidate, then their link and code say withdrawn; a new one works and the old one still says withdrawn', async () => {
    const { teacher, examId } = await courseWithTest(world, 2);
    const [first, second] = waysInRows((await openWaysIn(teacher, examId)).body);
    const list = `/app/exams/${examId}/ways-in`;
    const confirm = await teacher.get(`${list}/${first!.id}/revoke`);
    expect(confirm.body).to.contain('Withdraw the link and code of u-1?');
    const revoked = await teacher.post(`${list}/${first!.id}/revoke`, {}, `${list}/${first!.id}/revoke`);
    expect(revoked.url).to.match(/\?done=revoked$/);
    expect(revoked.body).to.contain('Link and entry code withdrawn');
    const after = waysInRows(revoked.body);
    expect(after[0]).to.include({ link: null, code: null });
    expect(after[1]).to.deep.equal(second);
    expect((await postLink(world, tokenOf(first!.link!))).status).to.equal(410);
    expect((await postCode(world, first!.code!)).status).to.equal(410);
    expect((await postLink(world, tokenOf(second!.link!))).status).to.equal(303);

    const reissued = await teacher.post(`${list}/${first!.id}/reissue`, {}, `${list}/${first!.id}/reissue`);
    expect(reissued.url).to.match(/\?done=reissued$/);
    const fresh = waysInRows(reissued.body)[0]!;
    expect(fresh.link).to.not.equal(first!.link);
    expect((await postLink(world, tokenOf(fresh.link!))).status).to.equal(303);
    expect((await postCode(world, fresh.code!)).status).to.equal(303);
    const old = await postLink(world, tokenOf(first!.link!));
    expect(old.status).to.equal(410);
    expect(old.text).to.contain('This link was withdrawn');
    const actions = (await auditOfExam(world, examId)).filter((e) => e.entity_type === 'way-in' && e.actor_kind === 'lms-user');
    expect(actions.map((e) => [e.action, e.label])).to.deep.equal([
      ['issue', 'Exam ' + /Exam (\d+)/.exec(revoked.body)![1]],
      ['revoke', 'u-1'],
      ['reissue', 'u-1'],
    ]);
  });

  it('when staff revoke all, then every link and code is dead; reissue all gives working new ones and the old still say withdrawn', async () => {
    const { teacher, examId } = await courseWithTest(world, 3);
    const list = `/app/exams/${examId}/ways-in`;
    const before = waysInRows((await openWaysIn(teacher, examId)).body);
    const confirm = await teacher.get(`${list}/revoke-all`);
    expect(confirm.body).to.contain('3 direct links and entry codes');
    const revoked = await teacher.post(`${list}/revoke-all`, {}, `${list}/revoke-all`);
    expect(revoked.body).to.contain('Every link and entry code of this test withdrawn.');
    expect(await liveCount(examId)).to.deep.equal({});
    for (const row of before) {
      expect((await postLink(world, tokenOf(row.link!))).status).to.equal(410);
      expect((await postCode(world, row.code!)).status).to.equal(410);
    }
    // Opening the page again does not quietly hand the revoked candidates new ones.
    expect(waysInRows((await openWaysIn(teacher, examId)).body).every((r) => r.link === null)).to.equal(true);

    const reissued = await teacher.post(`${list}/reissue-all`, {}, `${list}/reissue-all`);
    expect(reissued.url).to.match(/\?done=reissued-all$/);
    const after = waysInRows(reissued.body);
    expect(await liveCount(examId)).to.deep.equal({ code: 3, link: 3 });
    for (const [i, row] of after.entries()) {
      expect(row.link).to.not.equal(before[i]!.link);
      expect((await postLink(world, tokenOf(row.link!))).status).to.equal(303);
      expect((await postLink(world, tokenOf(before[i]!.link!))).status).to.equal(410);
    }
    const actions = (await auditOfExam(world, examId)).filter((e) => e.actor_kind === 'lms-user' && e.entity_type === 'way-in');
    expect(actions.map((e) => [e.action, e.changes.waysIn?.to])).to.deep.equal([
      ['issue', 6],
      ['revoke-all', 6],
      ['reissue-all', 6],
    ]);
  });

  it('when anything writes a second live link for a candidate, then the database refuses it; beside a revoked one it is taken', async () => {
    const { teacher, examId } = await courseWithTest(world, 1);
    const [row] = waysInRows((await openWaysIn(teacher, examId)).body);
    const insert = (id: string, hash: string) =>
      world.examgate.sequelize.query(
        `INSERT INTO ways_in (id, exam_id, candidate_id, kind, lookup_hash, sealed_value, created_at)
         VALUES (:id, :examId, :candidateId, 'link', :hash, 'x', :now)`,
        { replacements: { id, examId, candidateId: row!.id, hash, now: new Date() } },
      );
    const refused = await insert('00000000-0000-4000-8000-000000000001', 'a'.repeat(64)).then(
      () => null,
      (err: Error) => err,
    );
    expect(refused?.name).to.equal('SequelizeUniqueConstraintError');
    await world.examgate.sequelize.query('UPDATE ways_in SET revoked_at = :now WHERE candidate_id = :id', {
      replacements: { now: new Date(), id: row!.id },
    });
    await insert('00000000-0000-4000-8000-000000000002', 'b'.repeat(64));
    expect(await liveCount(examId)).to.deep.equal({ link: 1 });
    // Its value seals nothing: gone again, so start-up's re-seal (another test) finds only real ones.
    await world.examgate.sequelize.query("DELETE FROM ways_in WHERE sealed_value = 'x'");
  });

  it('when a candidate is withdrawn, then no new link can be issued to them and their row offers none', async () => {
    const { teacher, examId } = await courseWithTest(world, 2);
    const [first] = waysInRows((await openWaysIn(teacher, examId)).body);
    await teacher.post(
      `/app/exams/${examId}/candidates/${first!.id}/withdraw`,
      {},
      `/app/exams/${examId}/candidates/${first!.id}/withdraw`,
    );
    const page = await openWaysIn(teacher, examId);
    expect(page.body).not.to.contain(`/ways-in/${first!.id}/reissue`);
    const refused = await teacher.post(`/app/exams/${examId}/ways-in/${first!.id}/reissue`, {}, `/app/exams/${examId}/candidates`);
    expect(refused.response.status).to.equal(409);
    expect(refused.body).to.contain('restore them on the candidates page first');
  });

  it('when the test is closed, then its links are listed without actions and cannot be reissued', async () => {
    const { teacher, examId } = await courseWithTest(world, 1);
    await openWaysIn(teacher, examId);
    await teacher.post(`/app/exams/${examId}/close`, {}, `/app/exams/${examId}/close`);
    const page = await openWaysIn(teacher, examId);
    expect(waysInRows(page.body)).to.have.length(1);
    expect(page.body).not.to.contain('reissue');
    const refused = await teacher.post(`/app/exams/${examId}/ways-in/reissue-all`, {}, `/app/exams/${examId}/ways-in/revoke-all`);
    expect(refused.response.status).to.equal(409);
  });

  it('when a test has more than 100 candidates, then the page is paged by 100 and lists every one once', async () => {
    const { teacher, examId } = await courseWithTest(world, 150);
    const first = await openWaysIn(teacher, examId);
    expect(first.body).to.contain('page 1 of 2');
    const second = await openWaysIn(teacher, examId, 2);
    const all = [...waysInRows(first.body), ...waysInRows(second.body)];
    expect(all).to.have.length(150);
    expect(new Set(all.map((r) => r.id)).size).to.equal(150);
    expect(all.every((r) => r.link && r.code)).to.equal(true);
  });

  it('when a full test of 1500 candidates is first opened, then all 3000 links and codes are issued at once, in one audit entry', async function () {
    this.timeout(120_000);
    const { teacher, examId } = await courseWithTest(world, 1500);
    const first = await openWaysIn(teacher, examId);
    expect(first.body).to.contain('page 1 of 15');
    expect(await liveCount(examId)).to.deep.equal({ code: 1500, link: 1500 });
    const last = waysInRows((await openWaysIn(teacher, examId, 15)).body);
    expect(last).to.have.length(100);
    expect(last.every((r) => r.link && r.code)).to.equal(true);
    const issued = (await auditOfExam(world, examId)).filter((e) => e.action === 'issue');
    expect(issued.map((e) => e.changes.waysIn?.to)).to.deep.equal([3000]);
  });

  it('when the test’s own expiry is set before its window opens, then the form says so at the field; a good one is saved and in History', async () => {
    const teacher = await instructorOf(world, { id: 'ways-in-expiry-form' });
    const refused = await teacher.post(
      '/app/exams',
      buildExamForm({ opensAt: '2026-06-01T09:00', accessExpiresAt: '2026-05-31T09:00', timeZone: 'UTC' }),
    );
    expect(refused.response.status).to.equal(400);
    expect(refused.body).to.contain('id="accessExpiresAt-error"');
    expect(refused.body).to.contain('Links and codes must expire after the window opens');
    const garbled = await teacher.post('/app/exams', buildExamForm({ accessExpiresAt: 'next week' }));
    expect(garbled.body).to.contain('Links and codes expire at must be a date and time');
    const examId = await createExam(teacher, { timeZone: 'UTC' });
    const edit = `/app/exams/${examId}/edit`;
    await teacher.post(`/app/exams/${examId}`, buildExamForm({ timeZone: 'UTC', accessExpiresAt: '2026-06-02T18:00' }), edit);
    expect((await teacher.get(edit)).body).to.contain('value="2026-06-02T18:00"');
    const [change] = (await auditOfExam(world, examId)).filter((e) => e.action === 'update');
    expect(change!.changes.accessExpiresAt).to.deep.equal({ from: null, to: '2026-06-02T18:00:00.000Z' });
  });

  it('when SECRET_KEY is rotated, then start-up re-seals live links and codes under the new key, and they show as before', async function () {
    this.timeout(60_000);
    const { teacher, examId } = await courseWithTest(world, 2);
    const rows = waysInRows((await openWaysIn(teacher, examId)).body);
    // Only this test's rows: a re-seal goes through every live row, and earlier tests left thousands.
    await world.examgate.sequelize.query('DELETE FROM ways_in WHERE exam_id <> :examId', { replacements: { examId } });
    const NEW = 'a-new-secret-0123456789abcdef0123456789';
    const sealedUnder = (...secrets: [string, ...string[]]) => new SealedText(secrets, 'examgate direct links and entry codes');
    const repository = new WayInRepository(world.examgate.sequelize);
    const waysUnder = (...secrets: [string, ...string[]]) =>
      new WaysIn(repository, sealedUnder(...secrets), world.examgate.audit, { publicUrl: world.url }, createLogger(world.config));
    const report = await waysUnder(NEW, world.config.SECRET_KEY).reseal();
    expect(report).to.include({ resealed: report.total, unreadable: 0 });
    expect((await waysUnder(NEW).reseal()).resealed).to.equal(0);
    // What the page showed opens under the new key alone.
    const opened = (await repository.all(examId)).map((row) => [
      world.examgate.waysIn.linkUrl(sealedUnder(NEW).open(row.linkSealed!)!.plain),
      formatEntryCode(sealedUnder(NEW).open(row.codeSealed!)!.plain),
    ]);
    expect(opened).to.deep.equal(rows.map((r) => [r.link, r.code]));
    // The old key alone opens them no more: a process still on it would refuse to start.
    expect((await waysUnder(world.config.SECRET_KEY).reseal()).unreadable).to.equal(4);
    // Back under the run's own key, as the rest of the run expects.
    await waysUnder(world.config.SECRET_KEY, NEW).reseal();
  });
});
