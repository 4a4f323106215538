import type { UnitOfWork } from '../db/unit-of-work.js';
import type { Logger } from '../logger.js';
import type { Job, JobHandler } from './job.js';
import type { JobRepository } from './job.repository.js';
import { runUnderLease } from './job-run.js';

export interface JobRunnerSettings {
  /** How often to look for jobs other processes queued (0: only this process's own). */
  pollIntervalMs: number;
  /** Jobs this process runs at once, so one hung LMS does not hold up every other course. */
  concurrency: number;
  /** How long a claim holds without a heartbeat; a job whose process died is taken again after it. */
  leaseMs: number;
  retryBaseMs: number;
}

interface Registration {
  handler: JobHandler;
  maxAttempts: number;
}

/**
 * Runs jobs recorded in the database, up to `concurrency` at once per process. Any process
 * may take any queued job; a job whose process died is taken again once its lease runs out,
 * and a failed one is tried again with backoff while it has tries left.
 */
export class JobRunner {
  private readonly kinds = new Map<string, Registration>();
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private looking: Promise<void> | null = null;
  private wanted = false;
  private stopped = false;

  constructor(
    private readonly repository: JobRepository,
    private readonly log: Logger,
    private readonly settings: JobRunnerSettings,
  ) {}

  /** `maxAttempts`: how many runs a job of this kind gets before it fails for good (1: no retry). */
  register(kind: string, handler: JobHandler, options: { maxAttempts?: number } = {}): void {
    this.kinds.set(kind, { handler, maxAttempts: Math.max(1, options.maxAttempts ?? 1) });
  }

  /**
   * Queues a job, unless one of this kind for this subject is already pending: then that one
   * is returned. Inside a unit of work the job commits with the rest of the unit; call nudge()
   * once it has committed.
   */
  async enqueue(kind: string, subjectId: string, unit?: UnitOfWork): Promise<Job> {
    const pending = await this.repository.findPending(kind, subjectId, unit);
    const job = pending ?? (await this.repository.insert(kind, subjectId, this.kinds.get(kind)?.maxAttempts ?? 1, unit));
    if (!unit) {
      this.nudge();
    }
    return job;
  }

  find(id: string): Promise<Job | null> {
    return this.repository.find(id);
  }

  latest(kind: string, subjectId: string): Promise<Job | null> {
    return this.repository.latest(kind, subjectId);
  }

  /** The newest job of `kind` for each subject (for pages that list many subjects). */
  latestOfEach(kind: string, subjectIds: string[]): Promise<Map<string, Job>> {
    return this.repository.latestOfEach(kind, subjectIds);
  }

  start(): void {
    this.stopped = false;
    if (this.settings.pollIntervalMs > 0) {
      this.timer = setInterval(() => this.nudge(), this.settings.pollIntervalMs);
      this.timer.unref();
    }
  }

  /** Waits for the jobs in hand, then stops taking new ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = null;
    }
    await this.looking;
    await Promise.all([...this.inFlight]);
  }

  /** Looks for work now rather than at the next poll. */
  nudge(): void {
    if (this.stopped) {
      return;
    }
    if (this.looking) {
      this.wanted = true;
      return;
    }
    this.looking = this.fill()
      .catch((err: unknown) => this.log.error({ err }, 'job runner could not look for work; will retry at the next poll'))
      .finally(() => {
        this.looking = null;
        if (this.wanted) {
          this.wanted = false;
          this.nudge();
        }
      });
  }

  /** Claims takeable jobs until every slot is busy or none is left. */
  private async fill(): Promise<void> {
    await this.repository.failAbandoned(new Date());
    while (!this.stopped && this.inFlight.size < this.settings.concurrency) {
      const now = new Date();
      const free = this.settings.concurrency - this.inFlight.size;
      const candidates = await this.repository.runnable([...this.kinds.keys()], now, free * 2);
      let claimedAny = false;
      for (const job of candidates) {
        if (this.stopped || this.inFlight.size >= this.settings.concurrency) {
          break;
        }
        const claimed = await this.repository.claim(job.id, now, new Date(now.getTime() + this.settings.leaseMs));
        if (claimed) {
          claimedAny = true;
          this.launch(claimed);
        }
      }
      if (!claimedAny) {
        return;
      }
    }
  }

  private launch(claimed: { job: Job; leaseToken: string }): void {
    const registration = this.kinds.get(claimed.job.kind) as Registration;
    const run: Promise<void> = runUnderLease(claimed, registration.handler, this.repository, this.settings, this.log)
      .then((outcome) => {
        if (outcome.kind === 'retrying') {
          // Come back for it when it is due, rather than waiting for a poll that may be off.
          setTimeout(() => this.nudge(), Math.max(0, outcome.runAfter.getTime() - Date.now()) + 10).unref();
        }
      })
      .catch((err: unknown) => this.log.error({ err, jobId: claimed.job.id }, 'job outcome could not be recorded; its lease will run out'))
      .finally(() => {
        this.inFlight.delete(run);
        this.nudge();
      });
    this.inFlight.add(run);
  }
}
