import type { ImportLine } from './import.js';
import type { ImportKind, PlannedRow, RowRejection } from './import-kind.js';

const byLine = (a: { line: number }, b: { line: number }) => a.line - b.line;
const inOrder = (items: ReadonlyArray<{ line: number }>) => items.every((item, i) => i === 0 || items[i - 1]!.line <= item.line);

/**
 * Every line of a preview in the file's order, one at a time: the planned rows as the kind shows
 * them and the rejections, merged by line. A generator, so a 100 000-row preview never holds
 * every line (each with its cells) at once: they are stored part by part as they come.
 */
export function* importLines<Row>(
  kind: Pick<ImportKind<Row, unknown>, 'reportCells'>,
  planned: readonly PlannedRow<Row>[],
  rejections: readonly RowRejection[],
): Generator<ImportLine> {
  const rows = inOrder(planned) ? planned : [...planned].sort(byLine);
  const rejected = inOrder(rejections) ? rejections : [...rejections].sort(byLine);
  let r = 0;
  for (const p of rows) {
    for (; r < rejected.length && rejected[r]!.line < p.line; r += 1) {
      yield rejectedLine(rejected[r]!);
    }
    yield { line: p.line, outcome: p.plan, cells: kind.reportCells(p.row), ...(p.note ? { note: p.note } : {}) };
  }
  for (; r < rejected.length; r += 1) {
    yield rejectedLine(rejected[r]!);
  }
}

function rejectedLine(r: RowRejection): ImportLine {
  return { line: r.line, outcome: 'rejected', cells: [r.raw ?? ''], column: r.column, note: r.reason };
}

/** Rows of the file per part: a part of 1000 rows is a few hundred kB of JSON. */
export const IMPORT_PART_ROWS = 1000;
