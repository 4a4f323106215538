import type { AuditBy, AuditChange } from '../audit/audit.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { ImportSchema } from './import-schema.js';

/** What committing a row will do to what is stored. */
export type RowPlan = 'add' | 'update' | 'skip';

export interface PlannedRow<Row> {
  /** The file's physical line where the record starts (1 = the first line, the header). */
  line: number;
  row: Row;
  plan: RowPlan;
  /** Why, for the preview and the report: 'already on this test', 'extra time 10 → 20'. */
  note?: string;
}

/**
 * The rows a commit applies (the preview's adds and updates, in the file's order), read from the
 * stored preview inside the commit's transaction.
 */
export interface PlannedRows<Row> {
  /** Every row at once: for kinds whose imports are small (a test's candidates: at most 1500). */
  all(): Promise<PlannedRow<Row>[]>;
  /** The rows part by part, each part read when the one before is done: a 100 000-row commit never holds them all. */
  eachPart(each: (rows: PlannedRow<Row>[]) => Promise<void>): Promise<void>;
}

export interface RowRejection {
  line: number;
  /** The column's label ('Candidate ID'), or '' for the whole row. */
  column: string;
  reason: string;
  /** The row as written (cut short), so the report shows what was refused. */
  raw?: string;
}

/** How a planned import sits against the cap: `after` of `limit` once committed. */
export interface ImportCap {
  limit: number;
  after: number;
}

export interface ImportPlan<Row> {
  planned: PlannedRow<Row>[];
  rejected: RowRejection[];
  cap?: ImportCap;
  /** What the preview and report say about the whole import besides the file's notes (the options it runs with). */
  notes?: string[];
  /** The files that came with the CSV in a ZIP (photos), each with what becomes of it. */
  attachments?: AttachmentReport;
}

/** The other files of a ZIP upload, for the preview and report: counts, then each file with its outcome. */
export interface AttachmentReport {
  /** What they are: 'Photos'. */
  heading: string;
  counts: Array<{ label: string; value: number }>;
  entries: Array<{ name: string; outcome: string; reason: string }>;
}

/** A ZIP upload opened by its kind: the CSV inside, and the rest, which `keep` stages before the CSV is read. */
export interface OpenedArchive {
  csv: { name: string; bytes: Buffer };
  /** Stores what the plan and commit need of the other files, first thing in the preview's transaction (a CSV that turns out not to read undoes it). */
  keep(unit: UnitOfWork): Promise<void>;
}

/** A kind that also takes a ZIP holding its CSV and other files. */
export interface ArchiveSupport<Target> {
  /** The largest ZIP upload (a CSV alone is still held to the engine's maxBytes). */
  maxBytes: number;
  /** Reads the ZIP; throws ImportFileError naming the entry for one that is refused. */
  open(target: Target, file: { name: string; bytes: Buffer }): Promise<OpenedArchive>;
}

/**
 * A plan made part by part while the file is read, so a big import never holds every row at
 * once: it reads what is stored once, then plans each part in the file's order (a later part
 * may depend on an earlier one: a username numbered in one part is taken for the next).
 */
export interface PartPlanner<Row> {
  /**
   * Set when planning needs every accepted row of the file before the first part (numbering a
   * clashing username must avoid the file's later usernames too): the engine then reads the
   * file twice, and shows each accepted row here on the first pass.
   */
  see?(row: Row): void;
  /** One part's rows (accepted by the reader, in the file's order): its planned rows and rejections. */
  plan(rows: ReadonlyArray<{ line: number; row: Row }>): Promise<Pick<ImportPlan<Row>, 'planned' | 'rejected'>>;
  /** What the preview says about the whole import, once every part is planned. */
  finish(): Omit<ImportPlan<Row>, 'planned' | 'rejected'>;
}

/**
 * What a domain supplies so the engine can preview and commit its rows. `Target` is what the
 * rows go into (a test for candidate imports, a platform for permanent users). A kind plans its
 * file whole (`plan`) or part by part (`planner`).
 */
export type ImportKind<Row, Target> = ImportKindParts<Row, Target> & (WholePlanning<Row, Target> | PartPlanning<Row, Target>);

/** A kind whose imports are small (a test's candidates: at most 1500 are accepted): its rows are collected, then planned at once. */
interface WholePlanning<Row, Target> {
  /**
   * Classifies accepted rows against what is stored (add / update / skip, or a rejection with a
   * reason); also returns the cap line for the preview ({ limit: 1500, after: 1450 }). Reads only;
   * it reads inside `unit`: the preview's transaction, or the commit's (after the kind's own lock).
   */
  plan(target: Target, rows: ReadonlyArray<{ line: number; row: Row }>, unit: UnitOfWork): Promise<ImportPlan<Row>>;
  planner?: undefined;
}

/** A kind whose imports are big (permanent users: 100 000 rows): planned part by part as the file is read. */
interface PartPlanning<Row, Target> {
  /** A planner for one preview, reading what is stored inside the preview's transaction `unit`. */
  planner(target: Target, unit: UnitOfWork): Promise<PartPlanner<Row>>;
  plan?: undefined;
}

interface ImportKindParts<Row, Target> {
  /** Stable name, stored with each import: 'one-time', 'sso', 'permanent-users'. */
  name: string;
  schema: ImportSchema<Row>;
  /** Id of the target (stored with the import; `loadTarget` gets it back for a job). */
  targetId(target: Target): string;
  /** The target again, for a commit that runs as a job (no request, no actor): null when it is gone. */
  loadTarget(targetId: string): Promise<Target | null>;
  /**
   * Writes every planned add and update inside `unit` (ONE transaction the engine opened) or
   * throws; it takes its own lock and re-checks the cap and conflicts first, and throws
   * ImportConflictError when what is stored changed since the preview (a throw after some writes
   * is fine: the transaction then writes nothing).
   */
  commit(target: Target, planned: PlannedRows<Row>, unit: UnitOfWork, by: AuditBy, progress: (done: number) => void): Promise<void>;
  /** What the import's audit entry is about (the test, for candidate imports). */
  auditSubject(target: Target): Pick<AuditChange, 'entityType' | 'entityId' | 'label' | 'examId' | 'platformId'>;
  /** Columns of the row in the report CSV besides line, outcome and reason ('Candidate ID', 'Extra time'). */
  reportCells(row: Row): string[];
  /** Set when the upload may also be a ZIP with the CSV and other files. */
  archive?: ArchiveSupport<Target>;
}
