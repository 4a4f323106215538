import { expect } from 'chai';
import { readCsv } from '../../src/imports/csv-reader.js';
import type { ImportSchema } from '../../src/imports/import-schema.js';

interface SeatRow {
  candidateId: string;
  ssoUserId: string;
  building: string;
  room: string;
}

/** A second kind's schema (the shape of seed 001's SSO file): the engine knows nothing of one-time users. */
const seats: ImportSchema<SeatRow> = {
  columns: [
    { key: 'candidateId', label: 'Candidate ID', aliases: ['candidate_id'], required: true },
    { key: 'ssoUserId', label: 'SSO user ID', aliases: ['sso_user_id', 'username'], required: true },
    { key: 'building', label: 'Building name', aliases: ['building'], required: false },
    { key: 'room', label: 'Room name', aliases: ['room'], required: false },
  ],
  parseRow: (cells) =>
    cells.room && !cells.building
      ? { ok: false, column: 'Building name', reason: 'is empty while a room is given.' }
      : { ok: true, row: { candidateId: cells.candidateId!, ssoUserId: cells.ssoUserId!, building: cells.building!, room: cells.room! } },
  uniqueKey: (row) => row.ssoUserId,
  uniqueColumn: 'SSO user ID',
};

const LIMITS = { maxRows: 100, maxFieldChars: 1000 };

describe('CSV reader with other schemas (a second import kind, a schema that throws)', () => {
  it('when a file of another kind is read, then its own columns, optional ones and unique key apply', () => {
    const read = readCsv(
      Buffer.from('SSO user ID;Candidate ID;Room name;Building name\nann;A1;;\nbob;B1;101;Main\ncid;C1;102;\nann;D1;;\n'),
      seats,
      LIMITS,
    );
    expect(read.rows).to.deep.equal([
      { line: 2, row: { candidateId: 'A1', ssoUserId: 'ann', building: '', room: '' } },
      { line: 3, row: { candidateId: 'B1', ssoUserId: 'bob', building: 'Main', room: '101' } },
    ]);
    expect(read.rejected.map((r) => [r.line, r.column, r.reason])).to.deep.equal([
      [4, 'Building name', 'is empty while a room is given.'],
      [5, 'SSO user ID', '"ann" is also on line 2.'],
    ]);
  });

  it('when a schema throws on a row, then that row is a rejection and the others are read', () => {
    const hostile: ImportSchema<string> = {
      columns: [{ key: 'v', label: 'Value', aliases: [], required: true }],
      parseRow: (cells) => {
        if (cells.v === 'boom') {
          throw new TypeError('schema bug');
        }
        return { ok: true, row: cells.v! };
      },
    };
    const read = readCsv(Buffer.from('Value\na\nboom\nb\n'), hostile, LIMITS);
    expect(read.rows.map((r) => r.row)).to.deep.equal(['a', 'b']);
    expect(read.rejected).to.deep.equal([
      { line: 3, column: '', reason: 'could not be checked (an unexpected error); it was left out.', raw: 'boom' },
    ]);
  });

  it('when a file has more rows than the limit, then it is refused before the rest is read', () => {
    const body = `Candidate ID,SSO user ID\n${Array.from({ length: 101 }, (_, i) => `C${i},u${i}`).join('\n')}\n`;
    expect(() => readCsv(Buffer.from(body), seats, LIMITS)).to.throw('The file has more than 100 rows');
  });
});
