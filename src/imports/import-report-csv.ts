import { writeToString } from 'fast-csv';
import { neutralise } from '../exports/neutralise.js';
import type { ImportLine, StoredImport } from './import.js';

const OUTCOME: Record<string, { preview: string; done: string }> = {
  add: { preview: 'will be added', done: 'added' },
  update: { preview: 'will be updated', done: 'updated' },
  skip: { preview: 'skipped (no change)', done: 'skipped (no change)' },
  rejected: { preview: 'rejected', done: 'rejected' },
};

/**
 * An import's report as CSV (UTF-8 with BOM, as exports are), written as its lines come part by
 * part: one line per row of the file with its line number, outcome, the column and reason of a
 * rejection, and the row's values. Every text cell is neutralised, so a formula-looking
 * candidate ID never runs in a spreadsheet.
 */
export async function* importReportCsv(
  found: Pick<StoredImport, 'status'>,
  headers: readonly string[],
  parts: AsyncIterable<ImportLine[]>,
): AsyncGenerator<string> {
  const committed = found.status === 'committed';
  const options = { rowDelimiter: '\r\n', includeEndRowDelimiter: true };
  yield await writeToString([['Line', 'Outcome', 'Column', 'Reason or note', ...headers]], { ...options, writeBOM: true });
  for await (const lines of parts) {
    if (lines.length === 0) {
      continue;
    }
    const rows = lines.map((l) => [
      String(l.line),
      committed ? OUTCOME[l.outcome]!.done : OUTCOME[l.outcome]!.preview,
      neutralise(l.column ?? ''),
      neutralise(l.note ?? ''),
      ...(l.outcome === 'rejected' ? [neutralise(l.cells[0] ?? ''), ...headers.slice(1).map(() => '')] : l.cells.map(neutralise)),
    ]);
    yield await writeToString(rows, options);
  }
}
