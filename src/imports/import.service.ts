import { createHash, randomUUID } from 'node:crypto';
import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { RunInUnitOfWork, UnitOfWork } from '../db/unit-of-work.js';
import type { JobHandler } from '../jobs/job.js';
import type { JobRunner } from '../jobs/job.runner.js';
import type { Logger } from '../logger.js';
import { readingOf } from './csv-reader.js';
import { looksLikeZip } from './zip-archive.js';
import { ImportConflictError, ImportNotFoundError } from './import.errors.js';
import type { ImportKind, PartPlanner, PlannedRow, PlannedRows, RowRejection } from './import-kind.js';
import { IMPORT_PART_ROWS, importLines } from './import-lines.js';
import type { ImportLine, ImportSummary, StoredImport } from './import.js';
import type { ImportRepository } from './import.repository.js';
import { emptyListed, listLine } from './listed-lines.js';
import { releaseEvery, releaseMemory } from '../memory-release.js';

export const IMPORT_COMMIT_JOB = 'import-commit';

/**
 * Rows from which a preview or commit gives its memory back at once when it ends, and every so
 * many rows while it runs (memory-release.ts): a few full collections per 100 000 rows.
 */
const BIG_IMPORT_ROWS = 20_000;

/** Plain fields: a test may lower `jobRows` on a running app to see the job path. */
export interface ImportSettings {
  maxBytes: number;
  maxRows: number;
  maxFieldChars: number;
  /** More rows to write than this, and the commit runs as a job with a progress bar. */
  jobRows: number;
  previewMinutes: number;
}

/** An uploaded file as the routes hand it over. */
export interface UploadedFile {
  name: string;
  bytes: Buffer;
}

/** A ZIP by its name or its first bytes (a CSV never starts with "PK\x03\x04"). */
const isArchive = (file: UploadedFile) => /\.zip$/i.test(file.name) || looksLikeZip(file.bytes);

// The engine holds kinds of different row and target types; each is only ever used with its own.
type AnyKind = ImportKind<unknown, unknown>;

/**
 * The CSV import engine: an upload becomes a stored preview (nothing applied); a commit applies
 * every accepted row in one transaction together with the import report and its audit entry,
 * or nothing. A commit with many rows runs as a job, which a restart resumes.
 */
export class ImportService {
  private readonly kinds = new Map<string, AnyKind>();

  constructor(
    private readonly repository: ImportRepository,
    private readonly inUnit: RunInUnitOfWork,
    private readonly jobs: JobRunner,
    private readonly audit: AuditService,
    readonly settings: ImportSettings,
    private readonly log: Logger,
  ) {
    jobs.register(IMPORT_COMMIT_JOB, this.commitJob(), { maxAttempts: 1 });
  }

  /** Makes a kind known to the engine (its commits may run as jobs in any process). */
  register<Row, Target>(kind: ImportKind<Row, Target>): void {
    this.kinds.set(kind.name, kind as unknown as AnyKind);
  }

  /**
   * Reads, checks and plans a file; stores the preview and returns it without its lines (they are
   * stored in parts as they are made). Throws ImportFileError for a file that cannot be read.
   */
  async preview<Row, Target>(kind: ImportKind<Row, Target>, target: Target, file: UploadedFile, by: AuditBy): Promise<StoredImport> {
    const stored = await this.readPlanAndStore(kind, target, file, by);
    if (stored.summary.total >= BIG_IMPORT_ROWS) {
      // Here, where the plan is no longer reachable: the commit that may follow starts from the idle heap.
      releaseMemory();
    }
    return stored;
  }

  /**
   * One transaction: the ZIP's other files kept, then the file read and planned part by part,
   * each part's lines and payload stored as they are made and let go, then the import's row. A
   * file that turns out not to read (an unclosed quote at line 90 000) leaves nothing behind.
   */
  private async readPlanAndStore<Row, Target>(kind: ImportKind<Row, Target>, target: Target, file: UploadedFile, by: AuditBy) {
    const archive = kind.archive && isArchive(file) ? await kind.archive.open(target, file) : null;
    const reading = readingOf(archive ? archive.csv.bytes : file.bytes, kind.schema, this.settings);
    const now = new Date();
    const head = {
      id: randomUUID(),
      kind: kind.name,
      targetId: kind.targetId(target),
      fileName: file.name.slice(0, 255),
      sha256: createHash('sha256').update(file.bytes).digest('hex'),
      bytes: file.bytes.length,
      by,
      createdAt: now,
      expiresAt: new Date(now.getTime() + this.settings.previewMinutes * 60_000),
    };
    const listed = emptyListed();
    const counts = { add: 0, update: 0, skip: 0, rejected: 0 };
    const summary = await this.inUnit(async (unit) => {
      await archive?.keep(unit);
      const planner = kind.planner ? await kind.planner(target, unit) : wholeFilePlanner(kind, target, unit);
      // A whole-file kind's rows are all one part; a part planner's come IMPORT_PART_ROWS at a time.
      const partRows = kind.planner ? IMPORT_PART_ROWS : Infinity;
      if (planner.see) {
        for (const step of reading.steps()) {
          if (!step.rejected) {
            planner.see(step.row);
          }
        }
      }
      const lines = new PartAppender<ImportLine>((seq, part) => this.repository.parts.append(head.id, 'lines', seq, part, unit));
      const payload = new PartAppender<PlannedRow<Row>>((seq, part) => this.repository.parts.append(head.id, 'payload', seq, part, unit));
      const release = releaseEvery(BIG_IMPORT_ROWS);
      let rows: Array<{ line: number; row: Row }> = [];
      // The reader's rejections since the last part: their lines lie between its rows and the next part's.
      let refused: RowRejection[] = [];
      const planPart = async () => {
        const plan = await planner.plan(rows);
        for (const p of plan.planned) {
          counts[p.plan] += 1;
        }
        counts.rejected += refused.length + plan.rejected.length;
        for (const line of importLines(kind, plan.planned, [...refused, ...plan.rejected])) {
          listLine(listed, line);
          await lines.add(line);
        }
        for (const p of plan.planned) {
          if (p.plan !== 'skip') {
            await payload.add(p);
          }
        }
        release(rows.length + refused.length);
        rows = [];
        refused = [];
      };
      for (const step of reading.steps()) {
        if (step.rejected) {
          refused.push(step.rejected);
        } else {
          rows.push(step);
        }
        // Rejections count too: a big file whose rows mostly fail the reader still holds one part.
        if (rows.length + refused.length === partRows) {
          await planPart();
        }
      }
      // Always once more: the rejections after the last part, and a whole-file kind's only plan (even of no rows: its cap line).
      await planPart();
      await lines.end();
      await payload.end();
      const whole = planner.finish();
      const summary: ImportSummary = {
        encoding: reading.encoding,
        delimiter: reading.delimiter,
        total: reading.total,
        counts,
        cap: whole.cap ?? null,
        notes: [...(archive ? [`Read from the ZIP: ${archive.csv.name.slice(0, 200)}.`] : []), ...reading.notes, ...(whole.notes ?? [])],
        ...(whole.attachments ? { attachments: whole.attachments } : {}),
      };
      await this.repository.insert({ ...head, summary, listed }, unit);
      return summary;
    });
    return { ...head, summary, listed, lines: [], status: 'preview' as const, jobId: null, error: null, committedAt: null };
  }

  /** An import of this kind and target (404 for any other: the target is the caller's wall). */
  async get<Row, Target>(kind: ImportKind<Row, Target>, target: Target, id: string): Promise<StoredImport> {
    return this.checked(kind, target, await this.repository.find(id));
  }

  /**
   * The same for its preview or report page: what the page lists, without every line (a
   * 100 000-row import's lines are tens of MB of JSON); imports stored before `listed` was kept
   * are read whole.
   */
  async page<Row, Target>(kind: ImportKind<Row, Target>, target: Target, id: string): Promise<StoredImport> {
    const found = this.checked(kind, target, await this.repository.findPage(id));
    return found.listed ? found : this.get(kind, target, id);
  }

  /** The same without its lines, and its lines part by part: for the report CSV, which a 100 000-row import makes tens of MB of. */
  async reportOf<Row, Target>(kind: ImportKind<Row, Target>, target: Target, id: string) {
    const found = await this.head(kind, target, id);
    return { found, lines: this.repository.linesOf(found.id) };
  }

  /** The same without its lines (`lines` is empty): for a status poll, which a progress bar makes every second. */
  async head<Row, Target>(kind: ImportKind<Row, Target>, target: Target, id: string): Promise<StoredImport> {
    return this.checked(kind, target, await this.repository.findHead(id));
  }

  private checked<Row, Target>(kind: ImportKind<Row, Target>, target: Target, found: StoredImport | null): StoredImport {
    if (!found || found.kind !== kind.name || found.targetId !== kind.targetId(target)) {
      throw new ImportNotFoundError();
    }
    if (found.status === 'preview' && found.expiresAt && found.expiresAt < new Date()) {
      throw new ImportNotFoundError();
    }
    return found;
  }

  /** The latest earlier commit of the same file into the same target, for the preview to say so. */
  committedBefore(found: StoredImport): Promise<StoredImport | null> {
    return this.repository.committedBefore(found.targetId, found.kind, found.sha256);
  }

  reportsOf<Row, Target>(kind: ImportKind<Row, Target>, target: Target, limit = 10): Promise<StoredImport[]> {
    return this.repository.reportsOf(kind.targetId(target), kind.name, limit);
  }

  /**
   * Commits a preview: now (one transaction) or, with more than `jobRows` rows to write, as a job.
   * Returns the import without its lines. Throws ImportConflictError (nothing written) when what
   * is stored changed since the preview.
   */
  async commit<Row, Target>(kind: ImportKind<Row, Target>, target: Target, id: string): Promise<StoredImport> {
    // Without the lines: the commit applies the payload, and the lines stay as the preview stored them.
    const found = await this.head(kind, target, id);
    if (found.status !== 'preview') {
      return found;
    }
    const writes = found.summary.counts.add + found.summary.counts.update;
    if (writes > this.settings.jobRows) {
      // The job and the move to `queued` commit together: a job enqueued first could run (it did,
      // on a busy machine) before the move, find a preview, end, and leave the import queued forever.
      await this.inUnit(async (unit) => {
        const job = await this.jobs.enqueue(IMPORT_COMMIT_JOB, found.id, unit);
        await this.repository.move(found.id, ['preview'], 'queued', { jobId: job.id }, unit);
      });
      this.jobs.nudge();
      return this.head(kind, target, id);
    }
    await this.apply(kind, target, found, () => undefined);
    return this.head(kind, target, id);
  }

  private async apply<Row, Target>(kind: ImportKind<Row, Target>, target: Target, found: StoredImport, progress: (done: number) => void) {
    const big = found.summary.counts.add + found.summary.counts.update >= BIG_IMPORT_ROWS;
    if (big) {
      // Whatever an earlier big piece of work left (a preview just before): the commit starts from the idle heap.
      releaseMemory();
    }
    try {
      await this.applyInUnit(kind, target, found, progress);
    } finally {
      if (big) {
        releaseMemory();
      }
    }
  }

  private async applyInUnit<Row, Target>(
    kind: ImportKind<Row, Target>,
    target: Target,
    found: StoredImport,
    progress: (done: number) => void,
  ) {
    await this.inUnit(async (unit) => {
      // First, so a second click (or a second process) waits here and then finds it committed.
      if (!(await this.repository.move(found.id, [found.status], 'committed', {}, unit))) {
        throw new ImportConflictError('This import was already committed.');
      }
      // Read inside the transaction, part by part, and dropped in it once applied.
      const release = releaseEvery(BIG_IMPORT_ROWS);
      const planned: PlannedRows<Row> = {
        eachPart: (each) =>
          this.repository.eachPayloadPart(
            found.id,
            async (rows) => {
              await each(rows as PlannedRow<Row>[]);
              release(rows.length);
            },
            unit,
          ),
        all: async () => {
          const rows: PlannedRow<Row>[] = [];
          await planned.eachPart(async (part) => void rows.push(...part));
          return rows;
        },
      };
      await kind.commit(target, planned, unit, found.by, progress);
      await this.repository.dropPayload(found.id, unit);
      const { counts } = found.summary;
      await this.audit.record(
        found.by,
        [
          {
            ...kind.auditSubject(target),
            action: 'import',
            changes: {
              file: { from: null, to: found.fileName },
              sha256: { from: null, to: found.sha256 },
              added: { from: null, to: counts.add },
              updated: { from: null, to: counts.update },
              skipped: { from: null, to: counts.skip },
              rejected: { from: null, to: counts.rejected },
            },
          },
        ],
        unit,
      );
    });
  }

  /** The job that commits a big import; a run taken over after a crash starts the one transaction again. */
  private commitJob(): JobHandler {
    return async ({ job, progress }) => {
      const found = await this.repository.findHead(job.subjectId ?? '');
      if (!found || found.status !== 'queued') {
        return { status: found?.status ?? 'gone' };
      }
      const kind = this.kinds.get(found.kind);
      const target = kind ? await kind.loadTarget(found.targetId) : null;
      const total = found.summary.counts.add + found.summary.counts.update;
      progress(0, total);
      try {
        if (!kind || !target) {
          throw new ImportConflictError('What this import was for no longer exists.');
        }
        await this.apply(kind, target, found, (done) => progress(done, total));
      } catch (err) {
        const message = err instanceof Error ? err.message : String(err);
        this.log.warn({ err, importId: found.id }, 'import commit failed; nothing of it was written');
        await this.repository.move(found.id, ['queued'], 'failed', { error: message });
        throw Object.assign(new Error(message), { permanent: true });
      }
      progress(total, total);
      return { status: 'committed' };
    };
  }

  /** The job committing an import, for its progress bar. */
  jobOf(jobId: string) {
    return this.jobs.find(jobId);
  }

  /** Housekeeping: previews nobody committed. */
  deleteExpired(): Promise<void> {
    return this.repository.deleteExpired();
  }
}

/** A kind that plans its file whole, as a planner whose one part is every row (the engine collects them first). */
function wholeFilePlanner<Row, Target>(
  kind: ImportKind<Row, Target> & { plan: NonNullable<ImportKind<Row, Target>['plan']> },
  target: Target,
  unit: UnitOfWork,
): PartPlanner<Row> {
  let whole: ReturnType<PartPlanner<Row>['finish']> = {};
  return {
    plan: async (rows) => {
      // In the preview's transaction: on SQLite a read on the shared connection meanwhile could
      // wait behind a write that waits for this very transaction's lock.
      const { planned, rejected, ...rest } = await kind.plan(target, rows, unit);
      whole = rest;
      return { planned, rejected };
    },
    finish: () => whole,
  };
}

/** Stores an import's lines or payload in numbered parts of IMPORT_PART_ROWS as they come, so only one part is ever held. */
class PartAppender<T> {
  private part: T[] = [];
  private seq = 0;

  constructor(private readonly store: (seq: number, part: T[]) => Promise<void>) {}

  async add(item: T): Promise<void> {
    this.part.push(item);
    if (this.part.length === IMPORT_PART_ROWS) {
      await this.flush();
    }
  }

  /** The last part, however short. */
  async end(): Promise<void> {
    if (this.part.length > 0) {
      await this.flush();
    }
  }

  private async flush() {
    const part = this.part;
    this.part = [];
    await this.store(this.seq++, part);
  }
}
