import { expect } from 'chai';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, csrfOf, instructorOf, type CourseSession } from '../support/course-session.js';
import { candidatesPath, commitPreview, oneTimeRowsOf, uploadFile } from '../support/one-time.js';

describe('One-time users: add new, auto-generate, import from file', () => {
  let world: TestWorld;
  let n = 0;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  async function courseWithTest() {
    n += 1;
    const context = { id: `one-time-${n}`, title: 'Chemistry' };
    world.lms.setRoster(context.id, []);
    const teacher: CourseSession = await instructorOf(world, context);
    const examId = await createExam(teacher, { title: 'Organic chemistry' });
    return { teacher, examId, page: candidatesPath(examId) };
  }

  it('when one is added, then it is a one-time candidate with a generated username and a sealed password', async () => {
    const { teacher, examId, page } = await courseWithTest();
    const added = await teacher.post(`${page}/one-time`, { candidateId: 'Desk 12', extraTimeMinutes: '15' }, page);
    expect(added.url).to.equal(`${world.url}${page}?source=one-time&done=one-time-added`);
    expect(added.body).to.contain('One-time user added.');
    const [row] = await oneTimeRowsOf(world, examId);
    expect(row).to.include({ candidate_id: 'Desk 12', source: 'one-time', extra_time_minutes: 15 });
    expect(row!.username).to.match(/^ot-[a-hj-km-np-z2-9]{8}$/);
    expect(row!.password_sealed).to.match(/^[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+\.[A-Za-z0-9+/=]+$/);
  });

  it('when N are generated, then they get the next numbers of the series and one extra time, and stay editable', async () => {
    const { teacher, examId, page } = await courseWithTest();
    await teacher.post(page, { candidateId: 'C-0003' }, page);
    const generated = await teacher.post(`${page}/one-time/generate`, { count: '4', extraTimeMinutes: '20' }, page);
    expect(generated.body).to.contain('One-time users generated.');
    await teacher.post(`${page}/one-time/generate`, { count: '2', extraTimeMinutes: '' }, page);
    const rows = (await oneTimeRowsOf(world, examId)).filter((r) => r.source === 'one-time');
    expect(rows.map((r) => [r.candidate_id, r.extra_time_minutes])).to.deep.equal([
      ['C-0004', 20],
      ['C-0005', 20],
      ['C-0006', 20],
      ['C-0007', 20],
      ['C-0008', 0],
      ['C-0009', 0],
    ]);
    expect(new Set(rows.map((r) => r.username)).size).to.equal(6);
    const id = rows[0]!.id;
    const edited = await teacher.post(`${page}/${id}`, { candidateId: 'Anna Berg', extraTimeMinutes: '5' }, `${page}/${id}/edit`);
    expect(edited.url).to.equal(`${world.url}${page}?done=saved`);
    expect((await oneTimeRowsOf(world, examId)).find((r) => r.id === id)).to.include({ candidate_id: 'Anna Berg', extra_time_minutes: 5 });
  });

  it('when a file is imported, then a preview lists what it will do, the commit adds one-time users, and a re-upload changes nothing', async () => {
    const { teacher, examId } = await courseWithTest();
    const preview = await uploadFile(world, teacher, examId, 'room-a.csv', '\uFEFFCandidate ID;Extra time\r\nA-1;0\r\nA-2;30\r\n');
    expect(preview.response.status).to.equal(200);
    expect(preview.url).to.match(/\/candidates\/one-time\/imports\/[0-9a-f-]{36}$/);
    expect(preview.body).to.contain('Import preview: room-a.csv').and.contain('2 to add').and.contain('2 of 1500 after this import');
    expect(await oneTimeRowsOf(world, examId)).to.have.length(0);
    const report = await commitPreview(teacher, preview);
    expect(report.body).to.contain('Imported: 2 added, 0 updated, 0 unchanged, 0 rejected.').and.contain('Import report: room-a.csv');
    expect((await oneTimeRowsOf(world, examId)).map((r) => [r.candidate_id, r.extra_time_minutes, r.source])).to.deep.equal([
      ['A-1', 0, 'one-time'],
      ['A-2', 30, 'one-time'],
    ]);
    expect((await oneTimeRowsOf(world, examId)).every((r) => /^ot-/.test(r.username ?? ''))).to.equal(true);

    const again = await uploadFile(world, teacher, examId, 'room-a.csv', '\uFEFFCandidate ID;Extra time\r\nA-1;0\r\nA-2;30\r\n');
    expect(again.body).to.contain('0 to add').and.contain('2 to skip').and.contain('id="same-file"').and.contain('id="nothing-to-do"');
    expect(again.body).not.to.contain('/commit"');

    const bad = await uploadFile(world, teacher, examId, 'room-b.csv', 'Candidate ID,extra time\nB-1,10\nA-1,5\nB-2,-5\nB-1,0\n');
    expect(bad.body).to.contain('1 to add').and.contain('1 to update').and.contain('2 rejected');
    expect(bad.body).to.contain('&quot;-5&quot; is not a whole number of minutes from 0 to 1440');
    expect(bad.body).to.contain('&quot;B-1&quot; is also on line 2.');
    const done = await commitPreview(teacher, bad);
    expect(done.body).to.contain('Imported: 1 added, 1 updated, 0 unchanged, 2 rejected.');
    expect((await oneTimeRowsOf(world, examId)).map((r) => [r.candidate_id, r.extra_time_minutes])).to.deep.equal([
      ['A-1', 5],
      ['A-2', 30],
      ['B-1', 10],
    ]);
    const csv = await teacher.get(`${new URL(done.url).pathname}/report.csv`);
    expect(csv.response.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    // (fetch's text() drops the byte order mark the file starts with.)
    expect(csv.body.split('\r\n').slice(0, 5)).to.deep.equal([
      'Line,Outcome,Column,Reason or note,Candidate ID,Extra time',
      '2,added,,,B-1,10',
      '3,updated,,extra time 0 → 5 min,A-1,5',
      '4,rejected,Extra time,"""-5"" is not a whole number of minutes from 0 to 1440 (write 30 for half an hour; blank for none).","B-2,-5",',
      '5,rejected,Candidate ID,"""B-1"" is also on line 2.","B-1,0",',
    ]);
  });

  it('when the upload is empty, has no rows, is not CSV or too large, then it is refused with a message and nothing is added', async () => {
    const { teacher, examId } = await courseWithTest();
    const cases: Array<[string, string, string, string]> = [
      ['empty.csv', '', 'text/csv', 'The file is empty.'],
      [
        'list.xlsx',
        'PK\u0003\u0004',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        '&quot;list.xlsx&quot; is not a .csv file.',
      ],
      ['saved.csv', 'PK\u0003\u0004\u0000\u0000', 'text/csv', 'This file is an Excel workbook (.xlsx) or a ZIP file, not a text CSV.'],
      [
        'big.csv',
        `Candidate ID,extra time\n${'x,0\n'.repeat(1_200_000)}`,
        'text/csv',
        'The file is larger than 4 MB, the most one import takes.',
      ],
    ];
    for (const [name, content, type, message] of cases) {
      const result = await uploadFile(world, teacher, examId, name, content, type);
      expect(result.response.status, name).to.equal(400);
      expect(result.body, name).to.contain(message);
      expect(result.body, name).to.contain('id="error-summary"').and.contain('href="#import-file"').and.contain('aria-invalid="true"');
    }
    expect(await oneTimeRowsOf(world, examId)).to.have.length(0);
  });

  it('when a candidate ID or extra time is wrong, or N is out of range, then each is refused naming the field and nothing is added', async () => {
    const { teacher, examId, page } = await courseWithTest();
    await teacher.post(`${page}/one-time`, { candidateId: 'Taken' }, page);
    const add = async (candidateId: string, extraTimeMinutes = '') =>
      (await teacher.post(`${page}/one-time`, { candidateId, extraTimeMinutes }, page)).body;
    expect(await add(''))
      .to.contain('Give the candidate an ID of 1 to 500 characters.')
      .and.contain('href="#one-time-add-candidateId"');
    expect(await add('x'.repeat(501))).to.contain('A candidate ID is at most 500 characters.');
    expect(await add('Taken')).to.contain('Candidate ID &quot;Taken&quot; is already used on this test.');
    expect(await add('Tab\there')).to.contain('A candidate ID cannot hold control characters');
    for (const time of ['-1', '1.5', 'soon']) {
      const body = await add('New', time);
      expect(body, time).to.contain('Extra time must be a whole number of minutes from 0 to 1440.');
      expect(body, time).to.contain('id="one-time-add-extraTimeMinutes-error"').and.contain('aria-invalid="true"');
    }
    const generate = async (count: string, extraTimeMinutes = '') => {
      const result = await teacher.post(`${page}/one-time/generate`, { count, extraTimeMinutes }, page);
      expect(result.response.status, count).to.equal(400);
      return result.body;
    };
    for (const count of ['0', '1500', '2.5', 'many', '']) {
      expect(await generate(count), count).to.contain('Number of users must be a whole number from 1 to 1499');
    }
    const both = await generate('0', '-3');
    expect(both).to.contain('href="#generate-count"').and.contain('href="#generate-extraTimeMinutes"');
    expect((await oneTimeRowsOf(world, examId)).map((r) => r.candidate_id)).to.deep.equal(['Taken']);
  });

  it('when two auto-generate requests arrive at the same moment, then they never clash and never pass the cap', async () => {
    const { teacher, examId, page } = await courseWithTest();
    await world.examgate.sequelize.query('UPDATE exams SET max_candidates = 10 WHERE id = :examId', { replacements: { examId } });
    const csrf = csrfOf((await teacher.get(page)).body);
    const generate = (count: string) =>
      teacher.browser.follow(`${world.url}${page}/one-time/generate`, { method: 'POST', form: { _csrf: csrf, count } });
    const both = await Promise.all([generate('4'), generate('4')]);
    expect(both.map((r) => r.response.status)).to.deep.equal([200, 200]);
    let rows = await oneTimeRowsOf(world, examId);
    expect(rows.map((r) => r.candidate_id)).to.deep.equal(['C-0001', 'C-0002', 'C-0003', 'C-0004', 'C-0005', 'C-0006', 'C-0007', 'C-0008']);
    expect(new Set(rows.map((r) => r.username)).size).to.equal(8);
    // Two remain: two requests for two each cannot both have them; the request checked before the lock may pass, the lock decides.
    const racing = await Promise.all([generate('2'), generate('2')]);
    expect(racing.map((r) => r.response.status).sort()).to.deep.equal([200, 400]);
    expect(racing.find((r) => r.response.status === 400)!.body).to.match(/No more fit|from 1 to 0|The test is full/);
    rows = await oneTimeRowsOf(world, examId);
    expect(rows).to.have.length(10);
    expect(new Set(rows.map((r) => r.candidate_id)).size).to.equal(10);
  });
});
