import type { AuditEntry } from './audit.js';
import { presentEntry } from './audit.presenter.js';

/** Spreadsheets run a cell that starts with one of these as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet shows as text: formula starts get a leading apostrophe, then RFC 4180 quoting. */
export function csvCell(value: string): string {
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(cells: string[]): string {
  return `${cells.map(csvCell).join(',')}\r\n`;
}

/** UTF-8 byte order mark: Excel reads the file as UTF-8 only with it. */
export const BOM = '\uFEFF';

export const AUDIT_CSV_HEADER = ['Time', 'Time (UTC)', 'Who', 'How', 'Entity', 'Entity id', 'Name', 'Action', 'Changes'];

/** One entry as a CSV line, its time in `zone`. */
export function auditCsvLine(entry: AuditEntry, zone: string): string {
  const shown = presentEntry(entry, zone);
  return csvLine([shown.when, shown.at, shown.who, shown.how, shown.entity, shown.entityId, shown.label, shown.action, shown.changesText]);
}

/** The whole download: BOM and header, then each batch as it is read, so rows stream out. */
export async function* auditCsv(batches: AsyncIterable<AuditEntry[]>, zone: string): AsyncGenerator<string> {
  yield BOM + csvLine(AUDIT_CSV_HEADER);
  for await (const batch of batches) {
    yield batch.map((entry) => auditCsvLine(entry, zone)).join('');
  }
}
