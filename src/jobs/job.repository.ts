import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import type { Job, JobStatus } from './job.js';

interface JobRecord {
  id: string;
  kind: string;
  subject_id: string | null;
  status: string;
  progress_done: number;
  progress_total: number | null;
  result: string | null;
  error: string | null;
  created_at: Date | string;
  started_at: Date | string | null;
  finished_at: Date | string | null;
}

const date = (value: Date | string | null) => (value === null ? null : new Date(value));

function toJob(row: JobRecord): Job {
  return {
    id: row.id,
    kind: row.kind,
    subjectId: row.subject_id,
    status: row.status as JobStatus,
    progress: { done: row.progress_done, total: row.progress_total },
    result: row.result ? (JSON.parse(row.result) as unknown) : null,
    error: row.error,
    createdAt: date(row.created_at) ?? new Date(0),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

/** Queries over the jobs table; claiming is one conditional UPDATE, so two processes never run the same job. */
export class JobRepository {
  constructor(private readonly sequelize: Sequelize) {}

  private async select(where: string, replacements: Record<string, unknown>): Promise<Job[]> {
    const rows = await this.sequelize.query<JobRecord>(`SELECT * FROM jobs WHERE ${where}`, { replacements, type: QueryTypes.SELECT });
    return rows.map(toJob);
  }

  async insert(kind: string, subjectId: string | null): Promise<Job> {
    const id = randomUUID();
    const now = new Date();
    await this.sequelize.query(
      `INSERT INTO jobs (id, kind, subject_id, status, progress_done, created_at, updated_at)
       VALUES (:id, :kind, :subjectId, 'queued', 0, :now, :now)`,
      { replacements: { id, kind, subjectId, now } },
    );
    return (await this.find(id)) as Job;
  }

  async find(id: string): Promise<Job | null> {
    return (await this.select('id = :id', { id }))[0] ?? null;
  }

  /** The queued or running job of this kind for this subject, if any. */
  async findPending(kind: string, subjectId: string | null): Promise<Job | null> {
    const jobs = await this.select(`kind = :kind AND subject_id = :subjectId AND status IN ('queued', 'running')`, { kind, subjectId });
    return jobs[0] ?? null;
  }

  async latest(kind: string, subjectId: string): Promise<Job | null> {
    const jobs = await this.select(`kind = :kind AND subject_id = :subjectId ORDER BY created_at DESC LIMIT 1`, { kind, subjectId });
    return jobs[0] ?? null;
  }

  /** Oldest queued jobs, and running ones whose lease ran out (their process died). */
  async runnable(now: Date, limit: number): Promise<Job[]> {
    return this.select(
      `(status = 'queued' OR (status = 'running' AND locked_until < :now)) ORDER BY created_at ASC LIMIT ${Number(limit)}`,
      { now },
    );
  }

  /** Takes the job for this process until `lockedUntil`; false when another process took it first. */
  async claim(id: string, now: Date, lockedUntil: Date): Promise<boolean> {
    const [, changed] = await this.sequelize.query(
      `UPDATE jobs SET status = 'running', locked_until = :lockedUntil, started_at = :now, updated_at = :now
        WHERE id = :id AND (status = 'queued' OR (status = 'running' AND locked_until < :now))`,
      { replacements: { id, now, lockedUntil }, type: QueryTypes.UPDATE },
    );
    return changed > 0;
  }

  async progress(id: string, done: number, total: number | null, lockedUntil: Date): Promise<void> {
    await this.sequelize.query(
      `UPDATE jobs SET progress_done = :done, progress_total = :total, locked_until = :lockedUntil, updated_at = :now
        WHERE id = :id AND status = 'running'`,
      { replacements: { id, done, total, lockedUntil, now: new Date() } },
    );
  }

  /** Records the outcome and the final progress, which throttled progress writes may not have reached. */
  async finish(
    id: string,
    status: 'succeeded' | 'failed',
    outcome: { result?: unknown; error?: string; progress: { done: number; total: number | null } },
  ): Promise<void> {
    const now = new Date();
    await this.sequelize.query(
      `UPDATE jobs SET status = :status, result = :result, error = :error, progress_done = :done, progress_total = :total,
              finished_at = :now, locked_until = NULL, updated_at = :now
        WHERE id = :id`,
      {
        replacements: {
          id,
          status,
          now,
          result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
          error: outcome.error ?? null,
          done: outcome.progress.done,
          total: outcome.progress.total,
        },
      },
    );
  }

  async deleteFinishedBefore(before: Date): Promise<void> {
    await this.sequelize.query(`DELETE FROM jobs WHERE status IN ('succeeded', 'failed') AND finished_at < :before`, {
      replacements: { before },
    });
  }
}
