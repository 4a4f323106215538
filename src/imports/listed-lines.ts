import type { ImportLine, ListedLines, ListedOutcome } from './import.js';

/** Lines of one outcome a page lists; the rest are in the CSV. */
export const LISTED = 200;

const none = (): ListedOutcome => ({ rows: [], count: 0, noted: false });

/** What the pages list of each outcome, from every line (stored with the preview, so a page never reads them all). */
export function listedLines(lines: readonly ImportLine[]): ListedLines {
  const listed: ListedLines = { add: none(), update: none(), skip: none(), rejected: none() };
  for (const line of lines) {
    const of = listed[line.outcome];
    of.count += 1;
    // `noted`: some row has a note (why a row is added as it is), so the page gives the list a Note column.
    of.noted ||= Boolean(line.note);
    if (of.rows.length < LISTED) {
      of.rows.push(line);
    }
  }
  return listed;
}
