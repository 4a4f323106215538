/**
 * What one import kind's file means, column by column and row by row. The reader (csv-reader.ts)
 * is mechanical; a schema gives the cells their meaning and never touches the database.
 */

/** One column a file may have. */
export interface ColumnSpec {
  /** The key `parseRow` reads the cell by: 'candidateId'. */
  key: string;
  /** What messages and the sample file show: 'Candidate ID'. */
  label: string;
  /** Other names people give the column, matched like the label: case, spaces, '_', '-' and '.' do not count. */
  aliases: readonly string[];
  /** The header must have it (a file without it is refused). */
  required: boolean;
  /** Its cells are secrets (a password): a rejected row's text keeps them masked. */
  secret?: boolean;
}

/** One row's meaning, or why it has none (the column it is about, by label, and a sentence). */
export type RowVerdict<Row> = { ok: true; row: Row } | { ok: false; column: string; reason: string };

export interface ImportSchema<Row> {
  columns: readonly ColumnSpec[];
  /**
   * Meaning of one row. `cells` holds every known column by key (missing optional ones: ''),
   * already decoded, NFC-normalised and trimmed. Pure: no database.
   */
  parseRow(cells: Readonly<Record<string, string>>): RowVerdict<Row>;
  /** Key that must be unique within one file (the candidate ID); a repeat is rejected, naming the first line. */
  uniqueKey?(row: Row): string;
  /** The column `uniqueKey` comes from, for the rejection's column (default: the first required column). */
  uniqueColumn?: string;
}

/** Cells a row of `schema` reads, by key, all present. */
export function emptyCells(schema: ImportSchema<unknown>): Record<string, string> {
  const cells: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const column of schema.columns) {
    cells[column.key] = '';
  }
  return cells;
}
