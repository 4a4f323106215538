import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';
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
  attempts: number;
  max_attempts: number;
  run_after: Date | string | null;
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
    attempts: Number(row.attempts),
    maxAttempts: Number(row.max_attempts),
    runAfter: date(row.run_after),
    createdAt: date(row.created_at) ?? new Date(0),
    startedAt: date(row.started_at),
    finishedAt: date(row.finished_at),
  };
}

/**
 * Runs a job may lose to dying processes beyond its own tries: a job that keeps killing the
 * process running it (out of memory, say) is failed instead of taken over forever.
 */
export const CRASH_ALLOWANCE = 2;

/** A lease that ran out on a job that still has runs left: its process died, another may take it over. */
const ABANDONED = `(status = 'running' AND locked_until < :now AND attempts < max_attempts + ${CRASH_ALLOWANCE})`;

/** A job free to be taken at :now: queued, due for its next try, or abandoned by a process that died. */
const TAKEABLE = `(status = 'queued' OR (status = 'retrying' AND run_after <= :now) OR ${ABANDONED})`;

/**
 * Queries over the jobs table. Claiming is one conditional UPDATE that writes a fresh lease
 * token, so two processes never run the same job; every later write names that token, so a
 * runner that lost its lease can no longer change the job.
 */
export class JobRepository {
  constructor(private readonly sequelize: Sequelize) {}

  private async select(where: string, replacements: Record<string, unknown>): Promise<Job[]> {
    const rows = await this.sequelize.query<JobRecord>(`SELECT * FROM jobs WHERE ${where}`, { replacements, type: QueryTypes.SELECT });
    return rows.map(toJob);
  }

  private async update(set: string, where: string, replacements: Record<string, unknown>): Promise<boolean> {
    const [, changed] = await this.sequelize.query(`UPDATE jobs SET ${set}, updated_at = :now WHERE ${where}`, {
      replacements: { now: new Date(), ...replacements },
      type: QueryTypes.UPDATE,
    });
    return changed > 0;
  }

  async insert(kind: string, subjectId: string | null, maxAttempts: number, unit?: UnitOfWork): Promise<Job> {
    const id = randomUUID();
    const now = new Date();
    await this.sequelize.query(
      `INSERT INTO jobs (id, kind, subject_id, status, progress_done, attempts, max_attempts, created_at, updated_at)
       VALUES (:id, :kind, :subjectId, 'queued', 0, 0, :maxAttempts, :now, :now)`,
      { replacements: { id, kind, subjectId, maxAttempts, now }, transaction: transactionOf(unit) },
    );
    const rows = await this.sequelize.query<JobRecord>('SELECT * FROM jobs WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    return toJob(rows[0] as JobRecord);
  }

  async find(id: string): Promise<Job | null> {
    return (await this.select('id = :id', { id }))[0] ?? null;
  }

  /** The queued, running or retrying job of this kind for this subject, if any. */
  async findPending(kind: string, subjectId: string | null, unit?: UnitOfWork): Promise<Job | null> {
    const rows = await this.sequelize.query<JobRecord>(
      `SELECT * FROM jobs WHERE kind = :kind AND subject_id = :subjectId AND status IN ('queued', 'running', 'retrying')`,
      { replacements: { kind, subjectId }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
    return rows[0] ? toJob(rows[0]) : null;
  }

  async latest(kind: string, subjectId: string): Promise<Job | null> {
    const jobs = await this.select(`kind = :kind AND subject_id = :subjectId ORDER BY created_at DESC LIMIT 1`, { kind, subjectId });
    return jobs[0] ?? null;
  }

  /** The newest job of this kind for each of these subjects. */
  async latestOfEach(kind: string, subjectIds: string[]): Promise<Map<string, Job>> {
    const latest = new Map<string, Job>();
    if (subjectIds.length === 0) {
      return latest;
    }
    for (const job of await this.select(`kind = :kind AND subject_id IN (:subjectIds) ORDER BY created_at ASC`, { kind, subjectIds })) {
      latest.set(job.subjectId ?? '', job);
    }
    return latest;
  }

  /** Oldest takeable jobs of the kinds this process can run. */
  async runnable(kinds: string[], now: Date, limit: number): Promise<Job[]> {
    if (kinds.length === 0) {
      return [];
    }
    return this.select(`kind IN (:kinds) AND ${TAKEABLE} ORDER BY created_at ASC LIMIT ${Number(limit)}`, { kinds, now });
  }

  /** Fails jobs whose processes died on every run they had, so they stop showing as running. */
  async failAbandoned(now: Date): Promise<void> {
    await this.sequelize.query(
      `UPDATE jobs SET status = 'failed', finished_at = :now, locked_until = NULL, updated_at = :now,
              error = 'Every run of this job ended with its process stopping before it finished, so it is not tried again. Start it again, or report the job id.'
        WHERE status = 'running' AND locked_until < :now AND attempts >= max_attempts + ${CRASH_ALLOWANCE}`,
      { replacements: { now } },
    );
  }

  /** Takes the job under a new lease until `lockedUntil`; null when another process took it first. */
  async claim(id: string, now: Date, lockedUntil: Date): Promise<{ job: Job; leaseToken: string } | null> {
    const leaseToken = randomUUID();
    const taken = await this.update(
      `status = 'running', lease_token = :leaseToken, locked_until = :lockedUntil, started_at = :now, attempts = attempts + 1`,
      `id = :id AND ${TAKEABLE}`,
      { id, now, lockedUntil, leaseToken },
    );
    const job = taken ? await this.find(id) : null;
    return job ? { job, leaseToken } : null;
  }

  /** Extends the lease; false when it is no longer this holder's. */
  renew(id: string, leaseToken: string, lockedUntil: Date): Promise<boolean> {
    return this.update(`locked_until = :lockedUntil`, `id = :id AND lease_token = :leaseToken AND status = 'running'`, {
      id,
      leaseToken,
      lockedUntil,
    });
  }

  progress(id: string, leaseToken: string, done: number, total: number | null): Promise<boolean> {
    return this.update(`progress_done = :done, progress_total = :total`, `id = :id AND lease_token = :leaseToken AND status = 'running'`, {
      id,
      leaseToken,
      done,
      total,
    });
  }

  /** Records the outcome and the final progress, if the lease is still this holder's; false when it was lost. */
  finish(
    id: string,
    leaseToken: string,
    status: 'succeeded' | 'failed',
    outcome: { result?: unknown; error?: string; progress: { done: number; total: number | null } },
  ): Promise<boolean> {
    return this.update(
      `status = :status, result = :result, error = :error, progress_done = :done, progress_total = :total,
       finished_at = :now, locked_until = NULL, run_after = NULL`,
      `id = :id AND lease_token = :leaseToken AND status = 'running'`,
      {
        id,
        leaseToken,
        status,
        result: outcome.result === undefined ? null : JSON.stringify(outcome.result),
        error: outcome.error ?? null,
        done: outcome.progress.done,
        total: outcome.progress.total,
      },
    );
  }

  /** Puts a failed run back to wait for its next try at `runAfter`; false when the lease was lost. */
  retryLater(id: string, leaseToken: string, error: string, runAfter: Date): Promise<boolean> {
    return this.update(
      `status = 'retrying', error = :error, run_after = :runAfter, locked_until = NULL, lease_token = NULL`,
      `id = :id AND lease_token = :leaseToken AND status = 'running'`,
      { id, leaseToken, error, runAfter },
    );
  }

  async deleteFinishedBefore(before: Date): Promise<void> {
    await this.sequelize.query(`DELETE FROM jobs WHERE status IN ('succeeded', 'failed') AND finished_at < :before`, {
      replacements: { before },
    });
  }
}
