import type { ListedOutcome, StoredImport } from './import.js';
import { LISTED, listedLines } from './listed-lines.js';

const DELIMITERS: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };
const ENCODINGS: Record<string, string> = {
  'utf-8': 'UTF-8',
  'utf-16le': 'UTF-16 (Unicode text)',
  'utf-16be': 'UTF-16 big-endian',
  'windows-1252': 'Windows-1252 (older Excel)',
};

const listOf = (of: ListedOutcome) => ({ rows: of.rows, more: Math.max(0, of.count - of.rows.length), count: of.count, noted: of.noted });

/** What the preview and report pages show of an import. */
export function presentImport(found: StoredImport, formatTime: (at: Date) => string, before: StoredImport | null) {
  const { summary } = found;
  const cap = summary.cap;
  const over = cap ? Math.max(0, cap.after - cap.limit) : 0;
  const writes = summary.counts.add + summary.counts.update;
  const listed = found.listed ?? listedLines(found.lines);
  return {
    id: found.id,
    status: found.status,
    fileName: found.fileName,
    sha256: found.sha256,
    createdAt: formatTime(found.createdAt),
    committedAt: found.committedAt ? formatTime(found.committedAt) : null,
    read: `${ENCODINGS[summary.encoding] ?? summary.encoding}, ${DELIMITERS[summary.delimiter] ?? summary.delimiter}-separated, ${summary.total} row${summary.total === 1 ? '' : 's'}`,
    counts: summary.counts,
    cap: cap ? { ...cap, over, room: Math.max(0, cap.limit - (cap.after - summary.counts.add)) } : null,
    notes: summary.notes,
    attachments: summary.attachments
      ? {
          ...summary.attachments,
          entries: summary.attachments.entries.slice(0, LISTED),
          more: Math.max(0, summary.attachments.entries.length - LISTED),
        }
      : null,
    add: listOf(listed.add),
    update: listOf(listed.update),
    skip: listOf(listed.skip),
    rejected: listOf(listed.rejected),
    committable: found.status === 'preview' && over === 0 && writes > 0,
    nothingToDo: found.status === 'preview' && writes === 0,
    writes,
    error: found.error,
    before: before && before.id !== found.id && before.committedAt ? formatTime(before.committedAt) : null,
  };
}

/** One line of a page's list of recent imports: the file, when, and what came of it. */
export function presentImportListing(found: StoredImport, formatTime: (at: Date) => string) {
  const { counts } = found.summary;
  return {
    id: found.id,
    fileName: found.fileName,
    when: formatTime(found.committedAt ?? found.createdAt),
    what:
      found.status === 'committed'
        ? `${counts.add} added, ${counts.update} updated, ${counts.skip} unchanged, ${counts.rejected} rejected`
        : found.status === 'queued'
          ? 'importing…'
          : 'failed, nothing imported',
  };
}
