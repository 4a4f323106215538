import type { Job } from './job.js';

/**
 * A job's state in words an instructor can act on: waiting, running, waiting for its next
 * try (which try failed, why, and when the next one is), done, or failed for good and why.
 */
export function presentJobState(job: Job, formatTime: (instant: Date) => string) {
  const retrying = job.status === 'retrying';
  return {
    status: job.status,
    active: job.status === 'queued' || job.status === 'running' || retrying,
    /** "try 2 of 5 failed …; next try at …", for a job waiting to be tried again. */
    retry: retrying
      ? {
          failedTry: job.attempts,
          of: job.maxAttempts,
          reason: job.error ?? 'unknown error',
          nextAt: job.runAfter ? formatTime(job.runAfter) : 'soon',
        }
      : null,
    error: job.status === 'failed' ? job.error : null,
    tries: job.attempts,
  };
}
