import { besideTransaction } from '../db/transactions.js';
import type { Logger } from '../logger.js';
import { retryDelayMs } from './backoff.js';
import { isPermanentError, type Job, type JobHandler } from './job.js';
import type { JobRepository } from './job.repository.js';

const PROGRESS_WRITE_INTERVAL_MS = 250;

export interface LeaseSettings {
  leaseMs: number;
  /** The base of the exponential backoff between tries. */
  retryBaseMs: number;
}

/** How a run ended for this runner: its outcome was written, or the lease was lost and the outcome dropped. */
export type RunOutcome = { kind: 'finished' } | { kind: 'retrying'; runAfter: Date } | { kind: 'lease_lost' };

/**
 * One run of a claimed job under its lease: a heartbeat renews the lease (a third of its
 * length) while the handler works, however long it goes without reporting progress; progress
 * and the outcome are written only while the lease is ours. A runner that lost its lease (the
 * database was out of reach longer than the lease, the process stalled) logs it and drops its
 * result: another runner has taken the job and its outcome is the one that counts.
 */
export async function runUnderLease(
  claimed: { job: Job; leaseToken: string },
  handler: JobHandler,
  repository: JobRepository,
  settings: LeaseSettings,
  log: Logger,
): Promise<RunOutcome> {
  const { job, leaseToken } = claimed;
  let lost = false;
  const loseLease = () => {
    if (!lost) {
      lost = true;
      log.warn({ jobId: job.id, kind: job.kind }, 'job lease lost; another runner owns the job now, this run will be dropped');
    }
  };
  const heartbeat = setInterval(
    () => {
      repository.renew(job.id, leaseToken, new Date(Date.now() + settings.leaseMs)).then(
        (held) => {
          if (!held) {
            loseLease();
          }
        },
        (err: unknown) => log.warn({ err, jobId: job.id }, 'job lease could not be renewed; will try again'),
      );
    },
    Math.max(100, Math.floor(settings.leaseMs / 3)),
  );
  heartbeat.unref();

  let lastWrite = 0;
  let writes: Promise<void> = Promise.resolve();
  let latest = { done: 0, total: null as number | null };
  const progress = (done: number, total: number | null = null) => {
    latest = { done, total };
    const now = Date.now();
    if (lost || now - lastWrite < PROGRESS_WRITE_INTERVAL_MS) {
      return;
    }
    lastWrite = now;
    writes = writes
      .then(() => besideTransaction(() => repository.progress(job.id, leaseToken, done, total)))
      .then((held) => {
        if (!held) {
          loseLease();
        }
      })
      .catch(() => undefined);
  };

  let failure: unknown = null;
  let result: unknown;
  try {
    result = await handler({ job, progress });
  } catch (err) {
    failure = err;
  } finally {
    clearInterval(heartbeat);
    await writes;
  }
  if (failure === null) {
    return outcome(await repository.finish(job.id, leaseToken, 'succeeded', { result, progress: latest }), loseLease);
  }
  const message = failure instanceof Error ? failure.message : String(failure);
  const permanent = isPermanentError(failure);
  log.warn({ err: failure, jobId: job.id, kind: job.kind, attempt: job.attempts, of: job.maxAttempts, permanent }, 'job run failed');
  if (!permanent && job.attempts < job.maxAttempts) {
    const runAfter = new Date(Date.now() + retryDelayMs(job.attempts, settings.retryBaseMs));
    const held = await repository.retryLater(job.id, leaseToken, message, runAfter);
    return held ? { kind: 'retrying', runAfter } : outcome(false, loseLease);
  }
  return outcome(await repository.finish(job.id, leaseToken, 'failed', { error: message, progress: latest }), loseLease);
}

function outcome(held: boolean, loseLease: () => void): RunOutcome {
  if (!held) {
    loseLease();
    return { kind: 'lease_lost' };
  }
  return { kind: 'finished' };
}
