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
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed';

export interface JobContext {
  job: Job;
  /** Records progress; cheap to call often (it writes at most every 250 ms). */
  progress(done: number, total?: number | null): void;
}

/** Returns the job's result (stored as JSON); throwing fails the job with the error's message. */
export type JobHandler = (context: JobContext) => Promise<unknown>;
