import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { format } from 'fast-csv';
import type { CsvDelimiter } from './csv-delimiter.js';
import { drained } from '../web/streamed-download.js';
import { EXPORT_COLUMNS, EXPORT_HEADERS, type ExportRow } from './export-row.js';
import { neutralise } from './neutralise.js';

/** A row's cells as CSV text: numbers as they are, text neutralised (fast-csv then quotes what needs it). */
export function csvCells(row: ExportRow): string[] {
  return EXPORT_COLUMNS.map(({ key }) => {
    const value = row[key];
    return typeof value === 'number' ? String(value) : neutralise(value);
  });
}

/**
 * Writes the rows as CSV to `out` as they come: UTF-8 with a byte order mark (Excel reads
 * UTF-8 only with it), the given separator, CRLF line ends, fields quoted where they hold the
 * separator, a quote or a line break, and no `sep=` line (it would show up as data everywhere
 * but in Excel). `beforeEnd` runs once every row is written and before the file ends (the
 * audit entry is in when the client has the whole file). Returns how many rows were written.
 */
export async function writeCsv(
  out: Writable,
  batches: AsyncIterable<ExportRow[]>,
  delimiter: CsvDelimiter,
  beforeEnd: (rows: number) => Promise<void> = async () => undefined,
): Promise<number> {
  const csv = format<string[], string[]>({
    delimiter,
    rowDelimiter: '\r\n',
    includeEndRowDelimiter: true,
    writeBOM: true,
    headers: EXPORT_HEADERS,
    alwaysWriteHeaders: true,
  });
  csv.pipe(out);
  let rows = 0;
  for await (const batch of batches) {
    for (const row of batch) {
      if (!csv.write(csvCells(row))) {
        await drained(out, csv);
      }
      rows += 1;
    }
  }
  await beforeEnd(rows);
  csv.end();
  await finished(out);
  return rows;
}
