import { writeToString } from 'fast-csv';
import { neutralise } from '../exports/neutralise.js';
import type { StoredImport } from './import.js';

const OUTCOME: Record<string, { preview: string; done: string }> = {
  add: { preview: 'will be added', done: 'added' },
  update: { preview: 'will be updated', done: 'updated' },
  skip: { preview: 'skipped (no change)', done: 'skipped (no change)' },
  rejected: { preview: 'rejected', done: 'rejected' },
};

/**
 * An import's report as CSV (UTF-8 with BOM, as exports are): one line per row of the file with
 * its line number, outcome, the column and reason of a rejection, and the row's values. Every
 * text cell is neutralised, so a formula-looking candidate ID never runs in a spreadsheet.
 */
export function importReportCsv(found: StoredImport, headers: readonly string[]): Promise<string> {
  const committed = found.status === 'committed';
  const rows = found.lines.map((l) => [
    String(l.line),
    committed ? OUTCOME[l.outcome]!.done : OUTCOME[l.outcome]!.preview,
    neutralise(l.column ?? ''),
    neutralise(l.note ?? ''),
    ...(l.outcome === 'rejected' ? [neutralise(l.cells[0] ?? ''), ...headers.slice(1).map(() => '')] : l.cells.map(neutralise)),
  ]);
  const head = ['Line', 'Outcome', 'Column', 'Reason or note', ...headers];
  return writeToString([head, ...rows], { rowDelimiter: '\r\n', includeEndRowDelimiter: true, writeBOM: true });
}
