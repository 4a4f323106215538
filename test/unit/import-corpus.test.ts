import { expect } from 'chai';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { oneTimeSchema } from '../../src/candidates/one-time-import.js';
import { readCsv } from '../../src/imports/csv-reader.js';
import { ImportFileError } from '../../src/imports/import.errors.js';
import { CORPUS } from '../fixtures/imports/generate.js';

const DIR = path.resolve(import.meta.dirname, '..', 'fixtures', 'imports');
const LIMITS = { maxRows: 5000, maxFieldChars: 1000 };

type Expected =
  | { error: string }
  | {
      encoding: string;
      delimiter: string;
      total: number;
      /** [line, candidate ID ("@N": an ID of N characters), extra time], or how many rows. */
      rows: Array<[number, string, number]> | number;
      rejected: Array<[number, string, string]>;
      notes?: string[];
    };

/** Every file of the corpus and exactly what the reader makes of it with the one-time users schema. */
const EXPECTED: Record<string, Expected> = {
  'alias-camel-case.csv': { encoding: 'utf-8', delimiter: ';', total: 1, rows: [[2, 'A1', 5]], rejected: [] },
  'alias-kandidatnummer.csv': { encoding: 'utf-8', delimiter: ';', total: 1, rows: [[2, 'A1', 5]], rejected: [] },
  'alias-snake-case.csv': { encoding: 'utf-8', delimiter: ',', total: 1, rows: [[2, 'A1', 5]], rejected: [] },
  'binary-junk.csv': {
    error: 'This is not a text CSV file. In Excel: File › Save As › "CSV UTF-8 (Comma delimited)", then choose that file.',
  },
  'blank-lines-trailing-columns.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 2,
    rows: [
      [3, 'A1', 5],
      [6, 'A2', 0],
    ],
    rejected: [],
  },
  'bom-inside.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 3,
    rows: [
      [2, 'A1', 5],
      [3, 'A2', 5],
    ],
    rejected: [[4, 'Candidate ID', 'holds an invisible character (a byte order mark, U+FEFF) at position 2; retype the value without it.']],
  },
  'control-character.csv': {
    error:
      'This is not a text CSV file (line 2 holds a control character). In Excel: File › Save As › "CSV UTF-8 (Comma delimited)", then choose that file.',
  },
  'cr-only.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 2,
    rows: [
      [2, 'A1', 1],
      [3, 'A2', 2],
    ],
    rejected: [],
  },
  'double-encoded.csv': {
    error:
      'Line 2 reads "Ã¥", which is what accented letters look like after a file was converted twice. Open the original list and save it as "CSV UTF-8". In Excel: File › Save As › "CSV UTF-8 (Comma delimited)", then choose that file.',
  },
  'duplicate-header.csv': { error: 'The header (line 1) names "Candidate ID" twice, in columns 1 and 2. Keep one.' },
  'duplicate-ids.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 3,
    rows: [
      [2, 'A1', 0],
      [3, 'A2', 0],
    ],
    rejected: [[4, 'Candidate ID', '"A1" is also on line 2.']],
  },
  'empty.csv': { error: 'The file is empty. It needs a header line and a line per row.' },
  'extra-columns.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 1,
    rows: [[2, 'A1', 5]],
    rejected: [],
    notes: [
      'Column 3 ("Name") is not one examgate reads; its values were ignored.',
      'Column 4 ("Email") is not one examgate reads; its values were ignored.',
    ],
  },
  'extra-time-malformed.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 6,
    rows: [
      [6, 'A5', 30],
      [7, 'A6', 0],
    ],
    rejected: [
      [2, 'Extra time', '"abc" is not a whole number of minutes from 0 to 1440 (write 30 for half an hour; blank for none).'],
      [3, 'Extra time', '"-5" is not a whole number of minutes from 0 to 1440 (write 30 for half an hour; blank for none).'],
      [4, 'Extra time', '"1.5" is not a whole number of minutes from 0 to 1440 (write 30 for half an hour; blank for none).'],
      [5, 'Extra time', '"30 min" is not a whole number of minutes from 0 to 1440 (write 30 for half an hour; blank for none).'],
    ],
  },
  'field-too-long.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 1,
    rows: [],
    rejected: [[2, 'Extra time', 'is longer than 1000 characters.']],
  },
  'formula-looking-ids.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 4,
    rows: [
      [2, '=1+2', 0],
      [3, '+A1', 0],
      [4, '-A2', 0],
      [5, '@SUM(A1)', 0],
    ],
    rejected: [],
  },
  'header-missing.csv': {
    error:
      'Header missing: line 1 should name the columns (Candidate ID, Extra time) but reads "A1,5". Add that header line above the first row.',
  },
  'header-only.csv': { error: 'The file has a header line but no rows below it: add a line per row.' },
  'id-501-characters.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 2,
    rows: [[2, '@500', 0]],
    rejected: [[3, 'Candidate ID', 'is 501 characters long; a candidate ID is at most 500.']],
  },
  'missing-required-column.csv': { error: 'The header (line 1) has no "Candidate ID" column. The columns are: Candidate ID, Extra time.' },
  'mixed-line-ends.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 3,
    rows: [
      [2, 'A1', 1],
      [3, 'A2', 2],
      [4, 'A3', 3],
    ],
    rejected: [],
  },
  'nfc-and-trim.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 4,
    rows: [
      [2, 'A1', 5],
      [4, 'Café', 0],
    ],
    rejected: [
      [3, 'Candidate ID', '"A1" is also on line 2.'],
      [5, 'Candidate ID', '"Café" is also on line 4.'],
    ],
  },
  'no-break-space.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 2,
    rows: [
      [2, 'A1', 5],
      [3, 'A B', 0],
    ],
    rejected: [],
  },
  'prototype-headers.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 1,
    rows: [[2, 'A1', 5]],
    rejected: [],
    notes: [
      'Column 2 ("__proto__") was dropped: that name is not allowed as a column.',
      'Column 3 ("constructor") was dropped: that name is not allowed as a column.',
    ],
  },
  'quote-inside-value.csv': { encoding: 'utf-8', delimiter: ',', total: 1, rows: [[2, '5" screen', 0]], rejected: [] },
  'quoted-fields.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 4,
    rows: [
      [2, 'Smith, John', 5],
      [3, 'He said "hi"', 0],
      [6, 'A4', 1],
    ],
    rejected: [[4, 'Candidate ID', 'holds a control character (a tab or a line break inside the value).']],
  },
  'rows-1501.csv': { encoding: 'utf-8', delimiter: ',', total: 1501, rows: 1501, rejected: [] },
  'tab-delimited.csv': {
    encoding: 'utf-8',
    delimiter: '\t',
    total: 2,
    rows: [
      [2, 'A1', 5],
      [3, 'A2', 0],
    ],
    rejected: [],
  },
  'unclosed-quote.csv': {
    error: 'Line 3: a quote (") opens a value that is never closed, so the rest of the file cannot be read. Close the quote, or remove it.',
  },
  'utf16be-bom.csv': { encoding: 'utf-16be', delimiter: ',', total: 1, rows: [[2, 'Núñez', 5]], rejected: [] },
  'utf16le-bom-excel-unicode-text.txt': {
    encoding: 'utf-16le',
    delimiter: '\t',
    total: 2,
    rows: [
      [2, 'Ødegård', 10],
      [3, 'Müller', 0],
    ],
    rejected: [],
  },
  'utf16le-no-bom.csv': { encoding: 'utf-16le', delimiter: ';', total: 1, rows: [[2, 'Ødegård', 10]], rejected: [] },
  'utf8-bom-semicolon.csv': {
    encoding: 'utf-8',
    delimiter: ';',
    total: 3,
    rows: [
      [2, 'Ødegård', 10],
      [3, 'Müller', 0],
      [4, 'Núñez', 5],
    ],
    rejected: [],
  },
  'utf8-comma-crlf.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 2,
    rows: [
      [2, 'A1', 0],
      [3, 'A2', 15],
    ],
    rejected: [],
  },
  'windows-1252-unsure.csv': {
    error:
      'The file\'s characters could not be read with certainty (it is not UTF-8). Save it as "CSV UTF-8" and upload it again. In Excel: File › Save As › "CSV UTF-8 (Comma delimited)", then choose that file.',
  },
  'windows-1252.csv': {
    encoding: 'windows-1252',
    delimiter: ';',
    total: 3,
    rows: [
      [2, 'Ødegård', 10],
      [3, 'Müller', 0],
      [4, 'Núñez', 5],
    ],
    rejected: [],
  },
  'wrong-column-count.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 2,
    rows: [[3, 'A2', 1]],
    rejected: [
      [2, '', 'wrong column count: a value in column 3, but the header has 2 columns (a value holding the delimiter needs "quotes").'],
    ],
  },
  'xlsx-renamed.csv': {
    error:
      'This file is an Excel workbook (.xlsx) or a ZIP file, not a text CSV. In Excel: File › Save As › "CSV UTF-8 (Comma delimited)", then choose that file.',
  },
  'zero-width.csv': {
    encoding: 'utf-8',
    delimiter: ',',
    total: 2,
    rows: [[3, 'A1', 5]],
    rejected: [
      [2, 'Candidate ID', 'holds an invisible character (a zero-width space, U+200B) at position 2; retype the value without it.'],
    ],
  },
};

describe("CSV reader: the import corpus (test/fixtures/imports), each file's exact outcome", () => {
  const files = readdirSync(DIR).filter((name) => name !== 'generate.ts');

  it('when the corpus is listed, then it has at least 30 files, each written by the generator and each with an expected outcome', () => {
    expect(files.length).to.be.at.least(30);
    expect([...files].sort()).to.deep.equal(Object.keys(EXPECTED).sort());
    for (const name of files) {
      expect(readFileSync(path.join(DIR, name)).equals(CORPUS[name]!), `${name} differs from generate.ts: run it again`).to.equal(true);
    }
  });

  for (const [name, expected] of Object.entries(EXPECTED)) {
    it(`when ${name} is read, then ${'error' in expected ? 'it is refused with a clear message' : `${expected.total} rows are read with their lines`}`, () => {
      const bytes = readFileSync(path.join(DIR, name));
      if ('error' in expected) {
        expect(() => readCsv(bytes, oneTimeSchema, LIMITS)).to.throw(ImportFileError, expected.error);
        return;
      }
      const read = readCsv(bytes, oneTimeSchema, LIMITS);
      expect({ encoding: read.encoding, delimiter: read.delimiter, total: read.total }).to.deep.equal({
        encoding: expected.encoding,
        delimiter: expected.delimiter,
        total: expected.total,
      });
      const rows = read.rows.map((r): [number, string, number] => [
        r.line,
        r.row.candidateId.length > 40 ? `@${r.row.candidateId.length}` : r.row.candidateId,
        r.row.extraTimeMinutes,
      ]);
      expect(typeof expected.rows === 'number' ? rows.length : rows).to.deep.equal(expected.rows);
      expect(read.rejected.map((r) => [r.line, r.column, r.reason])).to.deep.equal(expected.rejected);
      expect(read.notes).to.deep.equal(expected.notes ?? []);
    });
  }
});
