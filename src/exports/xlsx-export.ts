import type { Writable } from 'node:stream';
import type ExcelJS from 'exceljs';
import type { LongestValues } from '../candidates/candidate.repository.js';
import { closedEarly, drained } from '../web/streamed-download.js';
import { EXPORT_COLUMNS, type ExportKey, type ExportRow } from './export-row.js';
import { neutralise } from './neutralise.js';
import { sheetNameFor } from './sheet-name.js';

/**
 * One style object per look, shared by every cell that has it: the writer looks a cell's style
 * up by the object first, and otherwise serialises it to compare (most of the time of a 1500-row
 * export, before this). Never changed after a cell takes it.
 */
const PLAIN: Partial<ExcelJS.Style> = Object.freeze({});
const LINK: Partial<ExcelJS.Style> = Object.freeze({ font: { color: { argb: 'FF0563C1' }, underline: true } });
const HEADER: Partial<ExcelJS.Style> = Object.freeze({ font: { bold: true } });
const LINK_COLUMN = EXPORT_COLUMNS.findIndex((column) => column.key === 'link') + 1;

type CellValue = string | number | ExcelJS.CellHyperlinkValue | null;

/**
 * A row's cells: text neutralised (line ends as LF) and written as a string (so Excel never evaluates it, even
 * without the apostrophe), numbers as numbers, the direct link a hyperlink, nothing as empty.
 */
export function xlsxCells(row: ExportRow): CellValue[] {
  return EXPORT_COLUMNS.map(({ key }) => {
    const value = row[key];
    if (typeof value === 'number') {
      return value;
    }
    if (value === '') {
      return null;
    }
    // XML turns a bare CR into LF on reading: written as LF, the cell reads back as it was written.
    return key === 'link' ? { text: value, hyperlink: value } : neutralise(value).replace(/\r\n?/g, '\n');
  });
}

function styled(row: ExcelJS.Row, styleOf: (column: number) => Partial<ExcelJS.Style>): void {
  for (let column = 1; column <= EXPORT_COLUMNS.length; column += 1) {
    row.getCell(column).style = styleOf(column);
  }
}

/**
 * Each column as wide as its header or its longest value, within the column's bounds. The
 * free-text columns are measured over the whole selection (the database knows); the generated
 * ones (usernames, passwords, codes, links) are of one length, so the first batch tells.
 */
export function columnWidths(first: ExportRow[], longest: LongestValues): number[] {
  const measured: Partial<Record<ExportKey, number>> = longest;
  return EXPORT_COLUMNS.map(({ key, header, max }) => {
    const seen = measured[key] ?? Math.max(0, ...first.map((row) => String(row[key]).length));
    return Math.min(max, Math.max(header.length, seen) + 2);
  });
}

/**
 * Writes an .xlsx workbook of one sheet, named after the test's title, to `out`, row by row (the streaming writer keeps no
 * workbook in memory): a bold header row frozen at the top with a filter on it, columns sized
 * to their content. `beforeEnd` runs before the workbook is closed. Returns how many rows were written.
 */
export async function writeXlsx(
  out: Writable,
  title: string,
  batches: AsyncIterable<ExportRow[]>,
  longest: LongestValues,
  beforeEnd: (rows: number) => Promise<void> = async () => undefined,
): Promise<number> {
  // Loaded on the first export, not at start: exceljs is some 15 MB of the idle process that most processes never use.
  const { default: excel } = await import('exceljs');
  const workbook = new excel.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet(sheetNameFor(title), { views: [{ state: 'frozen', xSplit: 0, ySplit: 1 }] });
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: EXPORT_COLUMNS.length } };
  let rows = 0;
  const start = (first: ExportRow[]) => {
    // Column widths go out before the first row, so they are set from the first batch.
    sheet.columns = columnWidths(first, longest).map((width) => ({ width }));
    const header = sheet.addRow(EXPORT_COLUMNS.map((column) => column.header));
    styled(header, () => HEADER);
    header.commit();
  };
  for await (const batch of batches) {
    if (rows === 0) {
      start(batch);
    }
    for (const values of batch.map(xlsxCells)) {
      const row = sheet.addRow(values);
      styled(row, (column) => (column === LINK_COLUMN && values[column - 1] !== null ? LINK : PLAIN));
      row.commit();
    }
    rows += batch.length;
    if (out.writableNeedDrain) {
      await drained(out);
    }
  }
  if (rows === 0) {
    start([]);
  }
  await beforeEnd(rows);
  sheet.commit();
  // The writer waits for the output to finish, which a response the client closed never does.
  await Promise.race([workbook.commit(), closedEarly(out)]);
  return rows;
}
