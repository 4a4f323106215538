import type { AuditBy } from '../audit/audit.js';
import type { AttachmentReport, ImportCap, RowPlan } from './import-kind.js';

/** preview (nothing applied, expiring) → committed, or queued (a job commits it) → committed | failed. */
export type ImportStatus = 'preview' | 'queued' | 'committed' | 'failed';

/** What happened (or, in a preview, will happen) to one line of the file. */
export interface ImportLine {
  line: number;
  outcome: RowPlan | 'rejected';
  /** The row's cells as the kind shows them (reportCells), or the raw line for a rejection. */
  cells: string[];
  /** The column a rejection is about ('' for the whole row). */
  column?: string;
  /** A rejection's reason, or a plan's note. */
  note?: string;
}

export interface ImportSummary {
  encoding: string;
  delimiter: string;
  /** Rows read, blank lines not counted. */
  total: number;
  counts: Record<RowPlan | 'rejected', number>;
  cap: ImportCap | null;
  /** About the file's columns (ignored ones, dropped ones). */
  notes: string[];
  /** The other files of a ZIP upload and what becomes of each (absent for a CSV). */
  attachments?: AttachmentReport;
}

/** What a page lists of one outcome: its first lines, how many there are, whether any has a note. */
export interface ListedOutcome {
  rows: ImportLine[];
  count: number;
  noted: boolean;
}

export type ListedLines = Record<ImportLine['outcome'], ListedOutcome>;

/** One uploaded file: its preview, and once committed, its import report. */
export interface StoredImport {
  id: string;
  kind: string;
  targetId: string;
  status: ImportStatus;
  fileName: string;
  sha256: string;
  bytes: number;
  by: AuditBy;
  summary: ImportSummary;
  lines: ImportLine[];
  /** What the pages list (null: stored before it was kept, or read without it; build it from `lines`). */
  listed: ListedLines | null;
  jobId: string | null;
  error: string | null;
  createdAt: Date;
  expiresAt: Date | null;
  committedAt: Date | null;
}
