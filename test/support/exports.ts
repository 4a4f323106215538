import ExcelJS from 'exceljs';
import { parseString } from 'fast-csv';
import { QueryTypes } from 'sequelize';
import { ExamRepository } from '../../src/exams/exam.repository.js';
import { neutralise } from '../../src/exports/neutralise.js';
import type { CourseSession } from './course-session.js';
import type { TestWorld } from './examgate-under-test.js';

/** A download as raw bytes, with its status and headers (the course session's own cookies). */
export async function download(world: TestWorld, session: CourseSession, path: string, headers: Record<string, string> = {}) {
  const response = await session.browser.request(`${world.url}${path}`, { headers });
  return { status: response.status, headers: response.headers, bytes: Buffer.from(await response.arrayBuffer()) };
}

export async function readXlsx(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(bytes as unknown as ArrayBuffer);
  return book.worksheets[0]!;
}

/** Every row of a sheet as plain values (a hyperlink cell as its object), header first; empty cells as null. */
export function sheetValues(sheet: ExcelJS.Worksheet): unknown[][] {
  const rows: unknown[][] = [];
  sheet.eachRow({ includeEmpty: true }, (row) => {
    rows.push(Array.from({ length: 11 }, (_, i) => row.getCell(i + 1).value ?? null));
  });
  return rows;
}

export function parseCsvText(text: string, delimiter: string): Promise<string[][]> {
  const rows: string[][] = [];
  return new Promise((resolve, reject) => {
    parseString(text, { delimiter })
      .on('data', (row: string[]) => rows.push(row))
      .on('error', reject)
      .on('end', () => resolve(rows));
  });
}

/** What a candidate's export row must say, read independently: the database, the one-time service and the ways-in list. */
export interface ExpectedRow {
  candidateId: string;
  source: string;
  name: string | null;
  username: string | null;
  password: string | null;
  code: string | null;
  link: string | null;
  extraTimeMinutes: number;
  building: string | null;
  room: string | null;
  status: string;
}

export async function expectedRows(world: TestWorld, examId: string, where = '1 = 1'): Promise<ExpectedRow[]> {
  const exam = (await new ExamRepository(world.examgate.sequelize).findExam(examId))!;
  const rows = await world.examgate.sequelize.query<{
    id: string;
    candidate_id: string;
    source: string;
    name: string | null;
    extra_time_minutes: number;
    building: string | null;
    room: string | null;
    status: string;
  }>(
    `SELECT id, candidate_id, source, name, extra_time_minutes, building, room, status FROM candidates
      WHERE exam_id = :examId AND ${where} ORDER BY candidate_id`,
    { replacements: { examId }, type: QueryTypes.SELECT },
  );
  const credentials = await world.examgate.oneTimeUsers.credentialsFor(
    exam,
    rows.map((r) => r.id),
  );
  const ways = await world.examgate.waysIn.linksFor({ exam, platformId: '' }, { actor: { kind: 'system' }, via: 'page' });
  return rows.map((r) => {
    const way = ways.find((w) => w.id === r.id);
    return {
      candidateId: r.candidate_id,
      source: r.source,
      name: r.name,
      username: credentials.get(r.id)?.username ?? null,
      password: credentials.get(r.id)?.password ?? null,
      code: way?.code ?? null,
      link: way?.link ?? null,
      extraTimeMinutes: Number(r.extra_time_minutes),
      building: r.building,
      room: r.room,
      status: r.status,
    };
  });
}

const text = (value: string | null) => (value === null || value === '' ? null : neutralise(value));

/** The row as the .xlsx must hold it. */
export function asXlsxRow(row: ExpectedRow): unknown[] {
  return [
    text(row.candidateId),
    row.source,
    text(row.name),
    row.username,
    row.password,
    row.code,
    row.link === null ? null : { text: row.link, hyperlink: row.link },
    row.extraTimeMinutes,
    text(row.building),
    text(row.room),
    row.status,
  ];
}

/** The row as CSV must hold it. */
export function asCsvRow(row: ExpectedRow): string[] {
  return asXlsxRow(row).map((cell) =>
    cell === null ? '' : typeof cell === 'object' ? (cell as { text: string }).text : String(cell as string | number),
  );
}
