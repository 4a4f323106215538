import { PassThrough } from 'node:stream';
import { expect } from 'chai';
import ExcelJS from 'exceljs';
import { parseString } from 'fast-csv';
import { chosenDelimiter, delimiterForLanguages, preferredLanguages } from '../../src/exports/csv-delimiter.js';
import { csvCells, writeCsv } from '../../src/exports/csv-export.js';
import { EXPORT_HEADERS, type ExportRow } from '../../src/exports/export-row.js';
import { neutralise } from '../../src/exports/neutralise.js';
import { sheetNameFor } from '../../src/exports/sheet-name.js';
import { writeXlsx } from '../../src/exports/xlsx-export.js';

const LEADS = ['=HYPERLINK("http://x")', '+1', '-2', '@a', '\tTab', '\rReturn'];

function buildRow(overrides: Partial<ExportRow> = {}): ExportRow {
  return {
    candidateId: 'C-0001',
    source: 'one-time',
    name: '',
    username: 'ot-abc123',
    password: 'abcdefghjkmnpq',
    entryCode: 'ABCD-EFGH-JK',
    link: 'https://examgate.example/go/token',
    extraTimeMinutes: 30,
    building: 'Main',
    room: 'B12',
    status: 'active',
    ...overrides,
  };
}

async function* batchesOf(rows: ExportRow[]) {
  yield rows;
}

/** What a writer wrote, as one buffer. */
async function written(write: (out: PassThrough) => Promise<number>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  await write(out);
  return Buffer.concat(chunks);
}

describe('Exports: the neutraliser, the separator rule, sheet names and both writers', () => {
  it('when a text starts with = + - @ tab or CR, then it gets a leading apostrophe; other text is left alone', () => {
    for (const value of LEADS) {
      expect(neutralise(value)).to.equal(`'${value}`);
    }
    for (const value of ['plain', '1-2', 'a=b', ' =x', "'already", '']) {
      expect(neutralise(value)).to.equal(value);
    }
  });

  it('when the browser prefers a language whose decimal separator is a comma, then the CSV separator is ";", else ","', () => {
    for (const header of [
      'de-DE,de;q=0.9,en;q=0.8',
      'fr',
      'nb-NO',
      'nn',
      'sv',
      'da',
      'fi',
      'nl',
      'es-ES',
      'it',
      'pt-BR',
      'pl',
      'cs',
      'ru',
    ]) {
      expect(delimiterForLanguages(header), header).to.equal(';');
    }
    for (const header of ['en-US,en;q=0.9', 'en-GB', 'ja', 'zh-CN', 'de-CH', 'es-MX', '', undefined, '*']) {
      expect(delimiterForLanguages(header), String(header)).to.equal(',');
    }
    expect(delimiterForLanguages('en;q=0.5, de;q=0.9'), 'the higher q wins').to.equal(';');
    expect(delimiterForLanguages('xx-unknown, not a tag!, fr;q=0.1'), 'unknown tags are skipped').to.equal(';');
    expect(delimiterForLanguages('de;q=0, en'), 'q=0 means not wanted').to.equal(',');
    expect(preferredLanguages('a;q=0.2, b, c;q=0.2, *')).to.deep.equal(['b', 'a', 'c']);
  });

  it('when the user chose a separator, then it wins over the language; anything the page never offers is refused', () => {
    expect(chosenDelimiter('comma', 'de')).to.equal(',');
    expect(chosenDelimiter('semicolon', 'en-US')).to.equal(';');
    expect(chosenDelimiter('auto', 'de')).to.equal(';');
    expect(chosenDelimiter(undefined, 'en')).to.equal(',');
    for (const bad of ['tab', ';', ['comma', 'comma'], '__proto__', 'toString']) {
      expect(() => chosenDelimiter(bad, 'en'), String(bad)).to.throw('The CSV separator must be "auto", "semicolon" or "comma".');
    }
  });

  it('when a title breaks Excel’s sheet-name rules, then the name keeps what it can: 31 characters, no \\ / ? * [ ] :, no edge apostrophes', () => {
    expect(sheetNameFor('Biology midterm')).to.equal('Biology midterm');
    expect(sheetNameFor('Physics: part [1/2]? *final*')).to.equal('Physics part 1 2 final');
    expect(sheetNameFor('A very long title of a test that goes on and on')).to.equal('A very long title of a test tha');
    expect(sheetNameFor("'quoted'")).to.equal('quoted');
    expect(sheetNameFor('   ')).to.equal('Candidates');
    expect(sheetNameFor('history')).to.equal('History (test)');
    const emoji = sheetNameFor(`${'x'.repeat(30)}😀`);
    expect(emoji, 'a surrogate pair is never split').to.equal('x'.repeat(30));
    for (const title of ['a\\b', 'tab\there', ':::']) {
      expect(sheetNameFor(title)).to.match(/^[^\\/?*[\]:\t]{1,31}$/);
    }
  });

  it('when rows are written as CSV, then the file has a BOM, the separator, CRLF, no sep= line, quotes where needed, neutral cells', async () => {
    const rows = [buildRow(), ...LEADS.map((lead, i) => buildRow({ candidateId: lead, name: `Doe; "Jo", ${i}`, extraTimeMinutes: i }))];
    const bytes = await written((out) => writeCsv(out, batchesOf(rows), ';'));
    expect([...bytes.subarray(0, 3)]).to.deep.equal([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.startsWith(`${EXPORT_HEADERS.join(';')}\r\n`)).to.equal(true);
    expect(text).not.to.match(/^sep=/im);
    expect(text.endsWith('\r\n')).to.equal(true);
    const parsed: string[][] = [];
    await new Promise<void>((resolve, reject) => {
      parseString(text, { delimiter: ';' })
        .on('data', (row: string[]) => parsed.push(row))
        .on('error', reject)
        .on('end', () => resolve());
    });
    expect(parsed[0]).to.deep.equal(EXPORT_HEADERS);
    expect(parsed.slice(1)).to.deep.equal(rows.map(csvCells));
    expect(parsed.slice(2).map((row) => row[0])).to.deep.equal(LEADS.map((lead) => `'${lead}`));
  });

  it('when rows are written as .xlsx, then read back every text cell is a string, formula starts stay neutral, numbers stay numbers', async () => {
    const rows = [buildRow({ link: '' }), ...LEADS.map((lead) => buildRow({ candidateId: lead, building: lead }))];
    const bytes = await written((out) => writeXlsx(out, 'Sheet: one', batchesOf(rows), { candidateId: 30, name: 0, building: 5, room: 3 }));
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.name, 'named by the rules').to.equal('Sheet one');
    expect(sheet.rowCount).to.equal(rows.length + 1);
    for (const [i, lead] of LEADS.entries()) {
      const row = sheet.getRow(i + 3);
      for (const column of [1, 9]) {
        expect(row.getCell(column).type, lead).to.equal(ExcelJS.ValueType.String);
        expect(row.getCell(column).value).to.equal(`'${lead.replace('\r', '\n')}`);
        expect(row.getCell(column).formula).to.equal(undefined);
      }
      expect(row.getCell(8).value).to.equal(30);
      expect(row.getCell(8).type).to.equal(ExcelJS.ValueType.Number);
    }
    expect(sheet.getRow(2).getCell(7).value, 'no link: an empty cell').to.equal(null);
    expect(sheet.getColumn(1).width, 'sized by the longest candidate ID').to.equal(32);
    expect(sheet.getColumn(3).width, 'an empty column keeps its header width').to.equal('Name'.length + 2);
  });
});
