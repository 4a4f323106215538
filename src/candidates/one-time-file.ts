import { parseCandidateInput } from './candidate-input.js';
import { CandidateBatchError, InvalidCandidateError } from './candidate.errors.js';
import type { BatchRow } from './candidate-batch.js';

/** More than this many problems are counted, not listed: the first ones show what is wrong with the file. */
const LISTED_PROBLEMS = 20;

/**
 * Text of an uploaded file: UTF-8 (with or without a BOM), else Windows-1252, which is what
 * Excel on Windows saves as "CSV".
 */
function decode(bytes: Buffer): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('windows-1252').decode(bytes);
  }
}

/** Cells of one line, split on `separator`, with "double quotes" around a cell that holds one. */
function cellsOf(line: string, separator: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const ch = line[i]!;
    if (quoted && ch === '"' && line[i + 1] === '"') {
      cell += '"';
      i += 1;
    } else if (ch === '"' && (quoted || cell.trim() === '')) {
      quoted = !quoted;
      cell = quoted ? '' : cell;
    } else if (ch === separator && !quoted) {
      cells.push(cell);
      cell = '';
    } else {
      cell += ch;
    }
  }
  cells.push(cell);
  return cells;
}

/**
 * The rows of a one-time users file: a header line, then `Candidate ID, extra time` per line
 * (`,` or `;`; blank extra time is none). Every line is checked and every problem reported
 * with its line number; a file with any problem adds nobody (CandidateBatchError).
 */
export function parseOneTimeFile(bytes: Buffer): BatchRow[] {
  const lines = decode(bytes).split(/\r\n|\n|\r/);
  const header = lines[0] ?? '';
  if (lines.every((line) => line.trim() === '')) {
    throw new CandidateBatchError([{ field: 'file', message: 'The file is empty. It needs a header line and a line per candidate.' }]);
  }
  const separator = (header.match(/;/g) ?? []).length > (header.match(/,/g) ?? []).length ? ';' : ',';
  if (!/candidate/i.test(cellsOf(header, separator)[0] ?? '')) {
    throw new CandidateBatchError([{ field: 'file', message: 'Line 1: the first line must be the header "Candidate ID, extra time".' }]);
  }
  const rows: BatchRow[] = [];
  const problems: Array<{ field: string; message: string }> = [];
  const seen = new Map<string, number>();
  lines.forEach((text, index) => {
    const line = index + 1;
    if (index === 0 || text.trim() === '') {
      return;
    }
    const [candidateId = '', extraTime = '', ...rest] = cellsOf(text, separator);
    try {
      if (rest.some((cell) => cell.trim() !== '')) {
        throw new InvalidCandidateError('file', 'has more than two columns (Candidate ID, extra time).');
      }
      const fields = parseCandidateInput({ candidateId, extraTimeMinutes: extraTime });
      const id = fields.candidateId!;
      const first = seen.get(id);
      if (first !== undefined) {
        throw new InvalidCandidateError('file', `candidate ID "${id.slice(0, 80)}" is also on line ${first}.`);
      }
      seen.set(id, line);
      rows.push({ candidateId: id, extraTimeMinutes: fields.extraTimeMinutes ?? 0, line });
    } catch (err) {
      if (!(err instanceof InvalidCandidateError)) {
        throw err;
      }
      problems.push({ field: 'file', message: `Line ${line}: ${err.message.charAt(0).toLowerCase()}${err.message.slice(1)}` });
    }
  });
  if (problems.length > LISTED_PROBLEMS) {
    const more = problems.length - LISTED_PROBLEMS;
    problems.splice(LISTED_PROBLEMS, more, { field: 'file', message: `… and ${more} more lines with problems.` });
  }
  if (problems.length > 0) {
    throw new CandidateBatchError(problems);
  }
  if (rows.length === 0) {
    throw new CandidateBatchError([{ field: 'file', message: 'The file has a header but no candidates: add a line per candidate.' }]);
  }
  return rows;
}
