import type { ImportLine, ListedLines, ListedOutcome } from './import.js';

/** Lines of one outcome a page lists; the rest are in the CSV. */
export const LISTED = 200;

const none = (): ListedOutcome => ({ rows: [], count: 0, noted: false });

/** What the pages list of each outcome, built line by line as a preview's lines go past (see `listLine`). */
export function emptyListed(): ListedLines {
  return { add: none(), update: none(), skip: none(), rejected: none() };
}

/** Counts `line` in `listed`, keeping it while its outcome has fewer than LISTED lines kept. */
export function listLine(listed: ListedLines, line: ImportLine): void {
  const of = listed[line.outcome];
  of.count += 1;
  // `noted`: some row has a note (why a row is added as it is), so the page gives the list a Note column.
  of.noted ||= Boolean(line.note);
  if (of.rows.length < LISTED) {
    of.rows.push(line);
  }
}

/** What the pages list of each outcome, from every line (for an import stored before `listed` was kept). */
export function listedLines(lines: readonly ImportLine[]): ListedLines {
  const listed = emptyListed();
  for (const line of lines) {
    listLine(listed, line);
  }
  return listed;
}
