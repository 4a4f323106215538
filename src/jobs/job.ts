/** Long work recorded in the database: a restart loses nothing, and users can watch progress. */
export interface Job {
  id: string;
  kind: string;
  /** What the job works on (a test id for a roster sync). */
  subjectId: string | null;
  status: JobStatus;
  progress: { done: number; total: number | null };
  /** A handler's result, as JSON it chose; shown to users. */
  result: unknown;
  /** Why the last run failed (kept while the job waits for its next try). */
  error: string | null;
  /** Runs started so far (a run taken over from a process that died counts too). */
  attempts: number;
  maxAttempts: number;
  /** When a job that is `retrying` is tried next. */
  runAfter: Date | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/** queued → running → succeeded | failed, or running → retrying → running … while tries are left. */
export type JobStatus = 'queued' | 'running' | 'retrying' | 'succeeded' | 'failed';

export const PENDING_STATUSES: readonly JobStatus[] = ['queued', 'running', 'retrying'];

export interface JobContext {
  job: Job;
  /** Records progress; cheap to call often (it writes at most every 250 ms). */
  progress(done: number, total?: number | null): void;
}

/**
 * Returns the job's result (stored as JSON); throwing fails the run with the error's message.
 * The job is tried again later unless the error is permanent (see isPermanentError) or no tries are left.
 */
export type JobHandler = (context: JobContext) => Promise<unknown>;

/** An error that another try cannot fix (a service switched off, a request the LMS refuses): the job fails at once. */
export function isPermanentError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { permanent?: unknown }).permanent === true;
}
