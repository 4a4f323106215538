import { expect } from 'chai';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { createExam, csrfOf, instructorOf, type CourseSession } from '../support/course-session.js';
import { candidatesPath, oneTimeRowsOf, uploadFile } from '../support/one-time.js';

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

  it('when a file is imported, then each line is a one-time user; a file with any problem adds nobody and names every line', async () => {
    const { teacher, examId } = await courseWithTest();
    const imported = await uploadFile(world, teacher, examId, 'room-a.csv', '\uFEFFCandidate ID;Extra time\r\nA-1;0\r\nA-2;30\r\n');
    expect(imported.body).to.contain('One-time users imported from the file.');
    expect((await oneTimeRowsOf(world, examId)).map((r) => [r.candidate_id, r.extra_time_minutes, r.source])).to.deep.equal([
      ['A-1', 0, 'one-time'],
      ['A-2', 30, 'one-time'],
    ]);
    const bad = await uploadFile(world, teacher, examId, 'room-b.csv', 'Candidate ID,extra time\nB-1,10\nA-1,0\nB-2,-5\nB-1,0\n');
    expect(bad.response.status).to.equal(400);
    expect(bad.body).to.contain('Line 4: extra time must be a whole number of minutes from 0 to 1440.');
    expect(bad.body).to.contain('Line 5: candidate ID &quot;B-1&quot; is also on line 2.');
    expect(bad.body).to.contain('The file has 2 problems, listed above. Nothing was imported.');
    expect(bad.body).to.contain('id="error-summary"').and.contain('href="#import-file"').and.contain('aria-invalid="true"');
    const clash = await uploadFile(world, teacher, examId, 'room-c.csv', 'Candidate ID,extra time\nC-1,0\nA-2,0\n');
    expect(clash.body).to.contain('Line 3: candidate ID &quot;A-2&quot; is already used on this test.');
    expect(await oneTimeRowsOf(world, examId)).to.have.length(2);
  });

  it('when the upload is empty, has no rows, is not CSV or too large, then it is refused with a message and nothing is added', async () => {
    const { teacher, examId } = await courseWithTest();
    const cases: Array<[string, string, string, string]> = [
      ['empty.csv', '', 'text/csv', 'The file is empty.'],
      ['header.csv', 'Candidate ID,extra time\n', 'text/csv', 'The file has a header but no candidates'],
      [
        'list.xlsx',
        'PK\u0003\u0004',
        'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        '&quot;list.xlsx&quot; is not a .csv file.',
      ],
      ['saved.csv', 'PK\u0003\u0004\u0000\u0000', 'text/csv', 'is not plain text'],
      ['big.csv', `Candidate ID,extra time\n${'x,0\n'.repeat(600_000)}`, 'text/csv', 'The file is larger than 2 MB.'],
    ];
    for (const [name, content, type, message] of cases) {
      const result = await uploadFile(world, teacher, examId, name, content, type);
      expect(result.response.status, name).to.equal(400);
      expect(result.body, name).to.contain(message);
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
