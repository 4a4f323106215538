import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { ExamRepository } from '../../src/exams/exam.repository.js';
import { EXPORT_HEADERS } from '../../src/exports/export-row.js';
import { auditOfExam } from '../support/audit.js';
import { createExam, instructorOf, type CourseSession } from '../support/course-session.js';
import { resetLaunchState, startWorld, type TestWorld } from '../support/examgate-under-test.js';
import { asCsvRow, asXlsxRow, download, expectedRows, parseCsvText, readXlsx, sheetValues } from '../support/exports.js';
import { candidatesPath } from '../support/one-time.js';
import { courseWithTest } from '../support/ways-in.js';

const TRICKY_IDS = ['=HYPERLINK("http://x")', '+1', '-2', '@a'];
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

describe('Exports of a test: CSV and .xlsx with everyone’s way in, for its course’s staff, once active', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  beforeEach(() => resetLaunchState(world));

  /** An active test with 3 roster learners (one named like a formula), 2 one-time users and 4 candidates whose IDs start a formula. */
  async function mixedTest(activate = true) {
    const { teacher, examId, contextId } = await courseWithTest(world, 3, { title: 'Biology: midterm [A]' }, false);
    const page = candidatesPath(examId);
    await teacher.post(`${page}/one-time/generate`, { count: '2', extraTimeMinutes: '15' }, page);
    for (const [i, candidateId] of TRICKY_IDS.entries()) {
      const added = await teacher.post(
        page,
        { candidateId, extraTimeMinutes: String(i * 10), building: 'Main', room: i < 2 ? 'B12' : '@C3' },
        page,
      );
      expect(added.response.status, candidateId).to.equal(200);
    }
    await world.examgate.sequelize.query(
      "UPDATE candidates SET name = '=cmd|'' /C calc''!A0' WHERE exam_id = :examId AND name = 'Learner 1'",
      {
        replacements: { examId },
      },
    );
    if (activate) {
      await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    }
    return { teacher, examId, contextId, page };
  }

  const exportPath = (examId: string, format: 'csv' | 'xlsx', query = '') =>
    `/app/exams/${examId}/export.${format}${query ? `?${query}` : ''}`;

  it('when staff export .xlsx, then read back cell by cell it is the candidate list: passwords, codes, links, neutral formula starts, numbers', async () => {
    const { teacher, examId } = await mixedTest();
    const file = await download(world, teacher, exportPath(examId, 'xlsx'));
    expect(file.status).to.equal(200);
    expect(file.headers.get('content-type')).to.equal(XLSX);
    expect(file.headers.get('content-disposition')).to.contain('attachment;').and.contain('.xlsx');
    const sheet = await readXlsx(file.bytes);
    const expected = await expectedRows(world, examId);
    expect(expected).to.have.length(9);
    const values = sheetValues(sheet);
    expect(values[0]).to.deep.equal(EXPORT_HEADERS);
    expect(values.slice(1)).to.deep.equal(expected.map(asXlsxRow));

    const oneTime = expected.find((r) => r.source === 'one-time')!;
    expect(oneTime.password, 'a one-time user’s password is in the file').to.match(/^[a-z2-9]{14}$/);
    expect(expected.every((r) => r.link?.startsWith(`${world.url}/go/`) && r.code)).to.equal(true);
    for (const id of TRICKY_IDS) {
      const cell = sheet.getRow(values.findIndex((row) => row[0] === `'${id}`) + 1).getCell(1);
      expect(cell.type, id).to.equal(ExcelJS.ValueType.String);
      expect(cell.formula, id).to.equal(undefined);
    }
    const linkCell = sheet.getRow(2).getCell(7);
    expect(linkCell.type).to.equal(ExcelJS.ValueType.Hyperlink);
    expect(sheet.getRow(2).getCell(8).type, 'extra time is a number').to.equal(ExcelJS.ValueType.Number);
    expect(sheet.getRow(1).font?.bold ?? sheet.getRow(1).getCell(1).font?.bold).to.equal(true);
    expect(sheet.views[0]).to.include({ state: 'frozen', ySplit: 1 });
    expect(sheet.name).to.equal('Biology midterm A');
    const linkWidth = sheet.getColumn(7).width!;
    expect(linkWidth).to.be.within(expected[0]!.link!.length, 90);
    expect(sheet.getColumn(1).width, 'the longest candide ID, plus a margin').to.equal('=HYPERLINK("http://x")'.length + 2);
  });

  it('when staff export CSV, then it has a BOM, their separator, CRLF and no sep= line, and parses back to the same rows', async () => {
    const { teacher, examId } = await mixedTest();
    const german = await download(world, teacher, exportPath(examId, 'csv'), { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    expect(german.status).to.equal(200);
    expect(german.headers.get('content-type')).to.equal('text/csv; charset=utf-8');
    expect([...german.bytes.subarray(0, 3)], 'UTF-8 BOM').to.deep.equal([0xef, 0xbb, 0xbf]);
    const text = german.bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).to.equal(EXPORT_HEADERS.join(';'));
    expect(text).not.to.match(/^sep=/im);
    expect(text.replace(/\r\n/g, '')).not.to.match(/(?<!")\n/);
    const expected = (await expectedRows(world, examId)).map(asCsvRow);
    expect((await parseCsvText(text, ';')).slice(1)).to.deep.equal(expected);

    const english = await download(world, teacher, exportPath(examId, 'csv'), { 'accept-language': 'en-US,en;q=0.9' });
    const englishText = english.bytes.toString('utf8').slice(1);
    expect(englishText.split('\r\n')[0]).to.equal(EXPORT_HEADERS.join(','));
    expect((await parseCsvText(englishText, ',')).slice(1)).to.deep.equal(expected);

    const chosen = await download(world, teacher, exportPath(examId, 'csv', 'delimiter=comma'), { 'accept-language': 'de' });
    expect(chosen.bytes.toString('utf8').slice(1).split('\r\n')[0], 'the user’s choice wins').to.equal(EXPORT_HEADERS.join(','));
    const semicolon = await download(world, teacher, exportPath(examId, 'csv', 'delimiter=semicolon'), { 'accept-language': 'en' });
    expect(semicolon.bytes.toString('utf8').slice(1).split('\r\n')[0]).to.equal(EXPORT_HEADERS.join(';'));
    const bad = await download(world, teacher, exportPath(examId, 'csv', 'delimiter=tab'));
    expect(bad.status).to.equal(400);
    expect(bad.bytes.toString('utf8')).to.contain('The CSV separator must be');
  });

  it('when the candidates page is filtered, then its export links carry the filter and the files hold only those candidates', async () => {
    const { teacher, examId, page } = await mixedTest();
    const body = (await teacher.get(`${page}?q=&source=one-time&status=active`)).body;
    const xlsxLink = /<a id="export-xlsx" href="([^"]+)"/.exec(body)![1]!.replace(/&amp;/g, '&');
    expect(xlsxLink).to.equal(exportPath(examId, 'xlsx', 'q=&source=one-time&status=active'));
    expect(body).to.contain(`action="/app/exams/${examId}/export.csv"`).and.contain('name="source" value="one-time"');
    const oneTime = sheetValues(await readXlsx((await download(world, teacher, xlsxLink)).bytes)).slice(1);
    expect(oneTime).to.deep.equal((await expectedRows(world, examId, "source = 'one-time'")).map(asXlsxRow));
    expect(oneTime).to.have.length(2);

    const room = await download(world, teacher, exportPath(examId, 'csv', 'room=%40C3&building=Main&delimiter=comma'));
    const roomRows = (await parseCsvText(room.bytes.toString('utf8').slice(1), ',')).slice(1);
    expect(roomRows.map((r) => r[0])).to.deep.equal(["'-2", "'@a"]);
    expect(roomRows.every((r) => r[9] === "'@C3")).to.equal(true);

    const searched = await download(world, teacher, exportPath(examId, 'csv', 'q=learner&delimiter=comma'));
    const found = (await parseCsvText(searched.bytes.toString('utf8').slice(1), ',')).slice(1);
    expect(
      found.map((r) => r[1]),
      'the three learners, by name or e-mail',
    ).to.deep.equal(['roster', 'roster', 'roster']);

    const withdrawn = await download(world, teacher, exportPath(examId, 'xlsx', 'status=withdrawn'));
    expect(sheetValues(await readXlsx(withdrawn.bytes)), 'nobody withdrawn: the header alone').to.deep.equal([EXPORT_HEADERS]);

    const wrong = await download(world, teacher, exportPath(examId, 'xlsx', 'source=lms'));
    expect(wrong.status).to.equal(400);
    expect(wrong.bytes.toString('utf8')).to.contain('Unknown source &quot;lms&quot;: choose one of roster, one-time');
  });

  it('when the test is a draft, then there is no file but a clear refusal (409), and the page says exports come after activation', async () => {
    const { teacher, examId, page } = await mixedTest(false);
    for (const format of ['csv', 'xlsx'] as const) {
      const refused = await download(world, teacher, exportPath(examId, format));
      expect(refused.status, format).to.equal(409);
      expect(refused.headers.get('content-disposition')).to.equal(null);
      expect(refused.headers.get('content-type')).to.contain('text/html');
      expect(refused.bytes.toString('utf8')).to.contain('Nothing to export yet').and.contain('Activate the test first.');
    }
    const body = (await teacher.get(page)).body;
    expect(body).to.contain('you can export them from then on').and.not.contain('export.xlsx');
    expect((await auditOfExam(world, examId)).filter((e) => e.action === 'export')).to.have.length(0);
  });

  it('when staff of another course ask for the export, then it is 404; each export is in the test’s History without a secret', async () => {
    const { teacher, examId } = await mixedTest();
    const stranger = await instructorOf(world, { id: 'exports-elsewhere', title: 'History' }, { user: { sub: 'teacher-x' } });
    await createExam(stranger, { title: 'Other' });
    for (const format of ['csv', 'xlsx'] as const) {
      expect((await download(world, stranger, exportPath(examId, format))).status, format).to.equal(404);
    }
    await download(world, teacher, exportPath(examId, 'xlsx', 'source=one-time'));
    await download(world, teacher, exportPath(examId, 'csv', 'delimiter=semicolon'));
    const exports = (await auditOfExam(world, examId)).filter((e) => e.action === 'export');
    expect(
      exports.map((e) => [e.entity_type, e.actor_sub, e.via, e.changes.format?.to, e.changes.rows?.to, e.changes.filter?.to ?? null]),
    ).to.deep.equal([
      ['exam', 'teacher-1', 'page', 'xlsx', 2, 'source=one-time'],
      ['exam', 'teacher-1', 'page', 'csv', 9, null],
    ]);
    const secrets = await expectedRows(world, examId);
    for (const entry of exports) {
      for (const row of secrets) {
        expect(entry.raw)
          .not.to.contain(row.password ?? '\u0000')
          .and.not.contain(row.link)
          .and.not.contain(row.code);
      }
    }
  });

  it('when a test has 1500 one-time users, then both files hold 1500 rows, each with its credentials and way in', async function () {
    this.timeout(180_000);
    const teacher: CourseSession = await instructorOf(world, { id: 'exports-1500', title: 'Big' });
    world.lms.setRoster('exports-1500', []);
    const examId = await createExam(teacher, { title: 'Finals' });
    const exams = new ExamRepository(world.examgate.sequelize);
    const by = { actor: { kind: 'system' as const }, via: 'page' as const };
    const rows = Array.from({ length: 1500 }, () => ({ candidateId: null, extraTimeMinutes: 0 }));
    expect(await world.examgate.oneTimeUsers.add((await exams.findExam(examId))!, rows, by)).to.equal(1500);
    await teacher.post(`/app/exams/${examId}/activate`, {}, `/app/exams/${examId}`);
    const sheet = await readXlsx((await download(world, teacher, exportPath(examId, 'xlsx'))).bytes);
    expect(sheet.rowCount).to.equal(1501);
    const values = sheetValues(sheet).slice(1);
    expect(values.every((row) => row[3] && row[4] && row[5] && row[6])).to.equal(true);
    expect(new Set(values.map((row) => row[4])).size, 'every password its own').to.equal(1500);
    const expected = await expectedRows(world, examId);
    expect(values[1499]).to.deep.equal(asXlsxRow(expected[1499]!));
    const csv = await download(world, teacher, exportPath(examId, 'csv', 'delimiter=comma'));
    const parsed = await parseCsvText(csv.bytes.toString('utf8').slice(1), ',');
    expect(parsed).to.have.length(1501);
    expect(parsed.slice(1)).to.deep.equal(expected.map(asCsvRow));
    // Later files of the run re-seal every stored secret on a key rotation: 4500 more would only slow them down.
    for (const table of ['ways_in', 'one_time_users', 'candidates']) {
      await world.examgate.sequelize.query(`DELETE FROM ${table} WHERE exam_id = :examId`, { replacements: { examId } });
    }
  });
});
