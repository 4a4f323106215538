import { expect } from 'chai';
import { importLines } from '../../src/imports/import-lines.js';
import type { PlannedRow, RowRejection } from '../../src/imports/import-kind.js';

const kind = { reportCells: (row: string) => [row] };
const planned = (line: number, row: string, plan: PlannedRow<string>['plan'] = 'add', note?: string): PlannedRow<string> => ({
  line,
  row,
  plan,
  ...(note ? { note } : {}),
});
const rejection = (line: number, raw: string): RowRejection => ({ line, column: 'Username', reason: 'bad', raw });

describe("importLines: a preview's lines, one at a time, in file order", () => {
  it('when planned rows and rejections interleave, then the lines come in file order, each with its cells, note or reason', () => {
    const lines = [
      ...importLines(kind, [planned(2, 'a'), planned(5, 'b', 'skip', 'exists'), planned(6, 'c')], [rejection(3, 'x'), rejection(7, 'y')]),
    ];
    expect(lines).to.deep.equal([
      { line: 2, outcome: 'add', cells: ['a'] },
      { line: 3, outcome: 'rejected', cells: ['x'], column: 'Username', note: 'bad' },
      { line: 5, outcome: 'skip', cells: ['b'], note: 'exists' },
      { line: 6, outcome: 'add', cells: ['c'] },
      { line: 7, outcome: 'rejected', cells: ['y'], column: 'Username', note: 'bad' },
    ]);
  });

  it('when a kind returns its rows or the reader its rejections out of order, then the lines are still in file order', () => {
    const lines = [...importLines(kind, [planned(9, 'late'), planned(2, 'early')], [rejection(4, 'r2'), rejection(1, 'r1')])];
    expect(lines.map((l) => l.line)).to.deep.equal([1, 2, 4, 9]);
  });

  it('when there is nothing planned or nothing rejected, then the other list comes alone', () => {
    expect([...importLines(kind, [], [rejection(2, 'x')])].map((l) => l.outcome)).to.deep.equal(['rejected']);
    expect([...importLines(kind, [planned(2, 'a')], [])].map((l) => l.outcome)).to.deep.equal(['add']);
  });
});
