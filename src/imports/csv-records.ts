/** One record of a CSV text: its cells as written, and the physical line it starts on. */
export interface RawRecord {
  line: number;
  cells: string[];
}

/** A quote that opens a value and is never closed: the rest of the file is that one value. */
export class UnclosedQuoteError extends Error {
  constructor(readonly line: number) {
    super(`a quote opened on line ${line} is never closed`);
  }
}

const BREAK = /\r\n|\r|\n/g;
const breaksIn = (text: string) => (text.includes('\n') || text.includes('\r') ? (text.match(BREAK) ?? []).length : 0);
const escape = (ch: string) => ch.replace(/[\\\]^-]/g, '\\$&');

/**
 * The delimiter of a CSV text: whichever of `,` `;` and tab its first non-blank line has most
 * of outside quotes (a tie or none: `,`).
 */
export function sniffDelimiter(text: string): ',' | ';' | '\t' {
  const counts = { ',': 0, ';': 0, '\t': 0 };
  let quoted = false;
  let seen = false;
  for (let i = 0; i < text.length && i < 65_536; i += 1) {
    const ch = text[i]!;
    if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && (ch === '\n' || ch === '\r')) {
      if (seen) {
        break;
      }
    } else if (!quoted && (ch === ',' || ch === ';' || ch === '\t')) {
      counts[ch] += 1;
      seen = true;
    } else if (ch.trim() !== '') {
      seen = true;
    }
  }
  const best = (['\t', ';'] as const).find((d) => counts[d] > counts[','] && counts[d] >= counts[d === '\t' ? ';' : '\t']);
  return best ?? ',';
}

/**
 * The records of a CSV text, one at a time (a generator: a big file is never all in memory as
 * rows). RFC 4180 quoting: a value in double quotes may hold the delimiter, line breaks and
 * doubled quotes; text after a closing quote is kept as written, as spreadsheets do. CR, LF and
 * CRLF each end a line. A cell longer than `maxField` is cut to `maxField + 1` characters so
 * the caller can tell it was too long without holding all of it.
 */
export function* csvRecords(text: string, delimiter: string, maxField: number): Generator<RawRecord> {
  const fieldEnd = new RegExp(`[${escape(delimiter)}\\r\\n]`, 'g');
  const endOf = (from: number) => {
    fieldEnd.lastIndex = from;
    return fieldEnd.exec(text)?.index ?? text.length;
  };
  const n = text.length;
  let i = 0;
  let line = 1;
  while (i < n) {
    const record: RawRecord = { line, cells: [] };
    for (;;) {
      let value: string;
      if (text[i] === '"') {
        const opened = line;
        let from = i + 1;
        value = '';
        for (;;) {
          const quote = text.indexOf('"', from);
          if (quote === -1) {
            throw new UnclosedQuoteError(opened);
          }
          if (text[quote + 1] === '"') {
            value += text.slice(from, quote + 1);
            from = quote + 2;
            continue;
          }
          value += text.slice(from, quote);
          i = quote + 1;
          break;
        }
        line += breaksIn(value);
        const end = endOf(i);
        value += text.slice(i, end);
        i = end;
      } else {
        const end = endOf(i);
        value = text.slice(i, end);
        i = end;
      }
      record.cells.push(value.length > maxField ? value.slice(0, maxField + 1) : value);
      if (text[i] === delimiter) {
        i += 1;
        continue;
      }
      if (text[i] === '\r') {
        i += text[i + 1] === '\n' ? 2 : 1;
        line += 1;
      } else if (text[i] === '\n') {
        i += 1;
        line += 1;
      }
      break;
    }
    yield record;
  }
}
