import type { Logger } from '../logger.js';
import type { Job, JobHandler } from './job.js';
import type { JobRepository } from './job.repository.js';

const LEASE_MS = 60_000;
const PROGRESS_WRITE_INTERVAL_MS = 250;

/**
 * Runs jobs recorded in the database, one at a time per process. Any process may take any
 * queued job; a job whose process died is taken again once its lease runs out.
 */
export class JobRunner {
  private readonly handlers = new Map<string, JobHandler>();
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private wanted = false;
  private stopped = false;

  constructor(
    private readonly repository: JobRepository,
    private readonly log: Logger,
    private readonly pollIntervalMs: number,
  ) {}

  register(kind: string, handler: JobHandler): void {
    this.handlers.set(kind, handler);
  }

  /** Queues a job, unless one of this kind for this subject is already queued or running: then that one is returned. */
  async enqueue(kind: string, subjectId: string): Promise<Job> {
    const pending = await this.repository.findPending(kind, subjectId);
    const job = pending ?? (await this.repository.insert(kind, subjectId));
    this.nudge();
    return job;
  }

  find(id: string): Promise<Job | null> {
    return this.repository.find(id);
  }

  latest(kind: string, subjectId: string): Promise<Job | null> {
    return this.repository.latest(kind, subjectId);
  }

  start(): void {
    this.stopped = false;
    if (this.pollIntervalMs > 0) {
      this.timer = setInterval(() => this.nudge(), this.pollIntervalMs);
      this.timer.unref();
    }
  }

  /** Waits for the job in hand, then stops taking new ones. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) {
      clearInterval(this.timer);
    }
    await this.running;
  }

  /** Looks for work now rather than at the next poll. */
  nudge(): void {
    if (this.stopped) {
      return;
    }
    if (this.running) {
      this.wanted = true;
      return;
    }
    this.running = this.drain()
      .catch((err: unknown) => this.log.error({ err }, 'job runner failed; will retry at the next poll'))
      .finally(() => {
        this.running = null;
        if (this.wanted) {
          this.wanted = false;
          this.nudge();
        }
      });
  }

  private async drain(): Promise<void> {
    while (!this.stopped) {
      const now = new Date();
      const [job] = (await this.repository.runnable(now, 5)).filter((j) => this.handlers.has(j.kind));
      if (!job) {
        return;
      }
      if (await this.repository.claim(job.id, now, new Date(now.getTime() + LEASE_MS))) {
        await this.run(job);
      }
    }
  }

  private async run(job: Job): Promise<void> {
    const handler = this.handlers.get(job.kind) as JobHandler;
    let lastWrite = 0;
    let writes: Promise<void> = Promise.resolve();
    let latest = { done: 0, total: null as number | null };
    const progress = (done: number, total: number | null = null) => {
      latest = { done, total };
      const now = Date.now();
      if (now - lastWrite < PROGRESS_WRITE_INTERVAL_MS) {
        return;
      }
      lastWrite = now;
      writes = writes.then(() => this.repository.progress(job.id, done, total, new Date(now + LEASE_MS))).catch(() => undefined);
    };
    try {
      const result = await handler({ job, progress });
      await writes;
      await this.repository.finish(job.id, 'succeeded', { result, progress: latest });
    } catch (err) {
      await writes;
      const message = err instanceof Error ? err.message : String(err);
      this.log.warn({ err, jobId: job.id, kind: job.kind }, 'job failed');
      await this.repository.finish(job.id, 'failed', { error: message, progress: latest });
    }
  }
}
