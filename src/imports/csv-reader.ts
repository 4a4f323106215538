import { cellText, headerKey } from './cell-text.js';
import { csvRecords, sniffDelimiter, UnclosedQuoteError, type RawRecord } from './csv-records.js';
import { ImportFileError } from './import.errors.js';
import type { RowRejection } from './import-kind.js';
import type { ColumnSpec, ImportSchema } from './import-schema.js';
import { decodeText, type DecodedText } from './text-decoding.js';

export interface ReadLimits {
  /** Data rows (blank lines not counted); a file with more is refused. */
  maxRows: number;
  /** Characters in one cell; a longer one rejects its row. */
  maxFieldChars: number;
}

/** What a file held: its accepted rows (each with its line), rejections, and notes about its columns. */
export interface ReadResult<Row> {
  encoding: DecodedText['encoding'];
  delimiter: ',' | ';' | '\t';
  /** Rows read (accepted + rejected), blank lines not counted. */
  total: number;
  rows: Array<{ line: number; row: Row }>;
  rejected: RowRejection[];
  /** Not fatal: columns ignored, prototype-named headers dropped. */
  notes: string[];
}

/** Header names that would reach an object's prototype if anyone ever used them as keys. */
const PROTOTYPE_NAMES = new Set(['__proto__', 'constructor', 'prototype', '__definegetter__', '__definesetter__', 'hasownproperty']);
const RAW_KEPT = 200;
const quoteOf = (text: string) => `"${text.length > 60 ? `${text.slice(0, 60)}…` : text}"`;

interface HeaderMap {
  /** Cell index → column. */
  columns: Map<number, ColumnSpec>;
  width: number;
  notes: string[];
}

function readHeader(record: RawRecord, schema: ImportSchema<unknown>, delimiter: string): HeaderMap {
  const byName = new Map<string, ColumnSpec>();
  for (const column of schema.columns) {
    for (const name of [column.key, column.label, ...column.aliases]) {
      byName.set(headerKey(name), column);
    }
  }
  const columns = new Map<number, ColumnSpec>();
  const notes: string[] = [];
  const where = new Map<string, number>();
  let width = 0;
  record.cells.forEach((raw, index) => {
    const name = raw.trim();
    if (name === '') {
      return;
    }
    width = index + 1;
    const key = headerKey(name);
    const column = byName.get(key);
    if (PROTOTYPE_NAMES.has(key) || PROTOTYPE_NAMES.has(name.toLowerCase())) {
      notes.push(`Column ${index + 1} (${quoteOf(name)}) was dropped: that name is not allowed as a column.`);
    } else if (!column) {
      notes.push(`Column ${index + 1} (${quoteOf(name)}) is not one examgate reads; its values were ignored.`);
    } else if (where.has(column.key)) {
      throw new ImportFileError(
        `The header (line ${record.line}) names "${column.label}" twice, in columns ${where.get(column.key)! + 1} and ${index + 1}. Keep one.`,
      );
    } else {
      where.set(column.key, index);
      columns.set(index, column);
    }
  });
  const expected = schema.columns.map((c) => c.label).join(delimiter === '\t' ? ', ' : `${delimiter} `);
  if (columns.size === 0) {
    throw new ImportFileError(
      `Header missing: line ${record.line} should name the columns (${expected}) but reads ${quoteOf(record.cells.join(delimiter === '\t' ? ' ' : delimiter))}. Add that header line above the first row.`,
    );
  }
  const missing = schema.columns.filter((c) => c.required && !where.has(c.key)).map((c) => `"${c.label}"`);
  if (missing.length > 0) {
    throw new ImportFileError(`The header (line ${record.line}) has no ${missing.join(' or ')} column. The columns are: ${expected}.`);
  }
  return { columns, width, notes };
}

/** One step of reading a file: an accepted row with its line, or a row refused with its reason. */
export type ReadStep<Row> = { line: number; row: Row; rejected?: undefined } | { rejected: RowRejection };

/**
 * A file being read against `schema`, row by row (see `readingOf`). `notes` fills once the header
 * is read and `total` as rows go past; both are final when `steps` ends.
 */
export interface CsvReading<Row> {
  encoding: DecodedText['encoding'];
  delimiter: ',' | ';' | '\t';
  total: number;
  notes: string[];
  /** The file's rows in order: a generator, so a 100 000-row file is never held as rows all at once. Each call reads from the start. */
  steps(): Generator<ReadStep<Row>>;
}

/**
 * Opens an uploaded file for reading against `schema`: decodes it, sniffs the delimiter; `steps`
 * then matches the header and checks every row, each kept with the physical line it starts on.
 * Blank lines and trailing empty cells are ignored. A file that cannot be read at all throws
 * ImportFileError (here, or from `steps` for what only reading shows: an unclosed quote, too many
 * rows); a row that cannot be used (even one whose schema throws) is a rejection with its line,
 * column and reason.
 */
export function readingOf<Row>(bytes: Buffer, schema: ImportSchema<Row>, limits: ReadLimits): CsvReading<Row> {
  if (bytes.length === 0) {
    throw new ImportFileError('The file is empty. It needs a header line and a line per row.');
  }
  const { text, encoding } = decodeText(bytes);
  const reading: CsvReading<Row> = {
    encoding,
    delimiter: sniffDelimiter(text),
    total: 0,
    notes: [],
    steps: () => readSteps(text, reading, schema, limits),
  };
  return reading;
}

/** The file read from its start (again, for a second pass: `total` and `notes` start over). */
function* readSteps<Row>(text: string, reading: CsvReading<Row>, schema: ImportSchema<Row>, limits: ReadLimits): Generator<ReadStep<Row>> {
  const { delimiter } = reading;
  reading.total = 0;
  reading.notes = [];
  const firstLines = new Map<string, number>();
  const uniqueColumn = schema.uniqueColumn ?? schema.columns.find((c) => c.required)?.label ?? '';
  let header: HeaderMap | null = null;
  try {
    for (const record of csvRecords(text, delimiter, limits.maxFieldChars)) {
      if (record.cells.every((cell) => cell.trim() === '' || cell.trim() === '\ufeff')) {
        continue;
      }
      if (!header) {
        header = readHeader(record, schema, delimiter);
        reading.notes.push(...header.notes);
        continue;
      }
      reading.total += 1;
      if (reading.total > limits.maxRows) {
        throw new ImportFileError(
          `The file has more than ${limits.maxRows} rows; split it or ask an administrator to raise IMPORT_MAX_ROWS.`,
        );
      }
      const verdict = checkRecord(record, header, schema, limits);
      if (!verdict.ok) {
        yield { rejected: { line: record.line, column: verdict.column, reason: verdict.reason, raw: rawOf(record, delimiter, header) } };
        continue;
      }
      const key = schema.uniqueKey?.(verdict.row);
      const first = key === undefined ? undefined : firstLines.get(key);
      if (first !== undefined) {
        yield {
          rejected: {
            line: record.line,
            column: uniqueColumn,
            reason: `${quoteOf(key!)} is also on line ${first}.`,
            raw: rawOf(record, delimiter, header),
          },
        };
        continue;
      }
      if (key !== undefined) {
        firstLines.set(key, record.line);
      }
      yield { line: record.line, row: verdict.row };
    }
  } catch (err) {
    if (err instanceof UnclosedQuoteError) {
      throw new ImportFileError(
        `Line ${err.line}: a quote (") opens a value that is never closed, so the rest of the file cannot be read. Close the quote, or remove it.`,
      );
    }
    throw err;
  }
  if (!header) {
    throw new ImportFileError('The file is empty. It needs a header line and a line per row.');
  }
  if (reading.total === 0) {
    throw new ImportFileError('The file has a header line but no rows below it: add a line per row.');
  }
}

/**
 * Reads a whole file (see `readingOf`): its accepted rows, or with `onRow` each accepted row as it
 * comes instead of collecting them, and every rejection.
 */
export function readCsv<Row>(
  bytes: Buffer,
  schema: ImportSchema<Row>,
  limits: ReadLimits,
  onRow?: (line: number, row: Row) => void,
): ReadResult<Row> {
  const reading = readingOf(bytes, schema, limits);
  const rows: ReadResult<Row>['rows'] = [];
  const rejected: RowRejection[] = [];
  for (const step of reading.steps()) {
    if (step.rejected) {
      rejected.push(step.rejected);
    } else if (onRow) {
      onRow(step.line, step.row);
    } else {
      rows.push({ line: step.line, row: step.row });
    }
  }
  return { encoding: reading.encoding, delimiter: reading.delimiter, total: reading.total, rows, rejected, notes: reading.notes };
}

/** The row as written, for the report; a secret column's cells (passwords) are masked so they are never stored. */
function rawOf(record: RawRecord, delimiter: string, header: HeaderMap): string {
  const raw = record.cells.map((cell, index) => (header.columns.get(index)?.secret && cell.trim() !== '' ? '••••' : cell)).join(delimiter);
  return raw.length > RAW_KEPT ? `${raw.slice(0, RAW_KEPT)}…` : raw;
}

type Checked<Row> = { ok: true; row: Row } | { ok: false; column: string; reason: string };

function checkRecord<Row>(record: RawRecord, header: HeaderMap, schema: ImportSchema<Row>, limits: ReadLimits): Checked<Row> {
  const beyond = record.cells.findIndex((cell, index) => index >= header.width && cell.trim() !== '');
  if (beyond !== -1) {
    return {
      ok: false,
      column: '',
      reason: `wrong column count: a value in column ${beyond + 1}, but the header has ${header.width} columns (a value holding the delimiter needs "quotes").`,
    };
  }
  const cells: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const column of schema.columns) {
    cells[column.key] = '';
  }
  for (const [index, column] of header.columns) {
    const raw = record.cells[index] ?? '';
    if (raw.length > limits.maxFieldChars) {
      return { ok: false, column: column.label, reason: `is longer than ${limits.maxFieldChars} characters.` };
    }
    const text = cellText(raw);
    if (!text.ok) {
      return { ok: false, column: column.label, reason: text.reason };
    }
    cells[column.key] = text.text;
  }
  try {
    return schema.parseRow(cells);
  } catch {
    // A schema's bug must not take the upload (or the process) down: the row is refused instead.
    return { ok: false, column: '', reason: 'could not be checked (an unexpected error); it was left out.' };
  }
}
