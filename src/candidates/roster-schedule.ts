import type { Exam } from '../exams/exam.js';
import type { ExamService } from '../exams/exam.service.js';
import type { JobHandler } from '../jobs/job.js';
import type { JobRunner } from '../jobs/job.runner.js';
import type { Logger } from '../logger.js';
import { RosterUnavailableError } from './roster.js';
import { ROSTER_SYNC_JOB, type RosterSyncService } from './roster-sync.service.js';

/** The roster-sync job: progress is members read so far; a failure keeps a message the instructor can act on. */
export function rosterSyncJob(sync: RosterSyncService, log: Logger): JobHandler {
  return async ({ job, progress }) => {
    try {
      return await sync.sync(job.subjectId ?? '', (members) => progress(members));
    } catch (err) {
      if (err instanceof RosterUnavailableError) {
        throw err;
      }
      log.error({ err, jobId: job.id }, 'roster sync failed unexpectedly');
      throw new Error(`The roster sync failed unexpectedly (reference ${job.id}); nothing was changed.`, { cause: err });
    }
  };
}

/**
 * When rosters are synced: when an instructor opens a test whose last sync is older than
 * `onOpenMinutes`, and for every open test every `intervalMinutes`.
 */
export class RosterSchedule {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly jobs: JobRunner,
    private readonly exams: ExamService,
    private readonly settings: { onOpenMinutes: number; intervalMinutes: number },
    private readonly log: Logger,
  ) {}

  enqueue(exam: Exam) {
    return this.jobs.enqueue(ROSTER_SYNC_JOB, exam.id);
  }

  /** A failed sync is not retried on every page view; the instructor can press "Sync now". */
  async syncIfStale(exam: Exam, now = new Date()): Promise<void> {
    const staleBefore = now.getTime() - this.settings.onOpenMinutes * 60_000;
    if (exam.status === 'closed' || (exam.roster.syncedAt && exam.roster.syncedAt.getTime() > staleBefore)) {
      return;
    }
    const last = await this.jobs.latest(ROSTER_SYNC_JOB, exam.id);
    if (last && last.createdAt.getTime() > staleBefore) {
      return;
    }
    await this.enqueue(exam);
  }

  start(): void {
    if (this.settings.intervalMinutes <= 0) {
      return;
    }
    // Checked every minute; each test is due once per interval.
    this.timer = setInterval(() => {
      this.tick().catch((err: unknown) => this.log.warn({ err }, 'scheduled roster sync could not be queued'));
    }, 60_000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  /**
   * Queues a sync of every test due at `now`; returns their ids. A test whose last sync was
   * tried within the interval and failed waits for the next interval, so an LMS with the
   * roster service off is not asked again every minute.
   */
  async tick(now = new Date()): Promise<string[]> {
    const syncedBefore = new Date(now.getTime() - this.settings.intervalMinutes * 60_000);
    const queued: string[] = [];
    for (const exam of await this.exams.examsDueForSync(syncedBefore)) {
      const last = await this.jobs.latest(ROSTER_SYNC_JOB, exam.id);
      if (last && last.createdAt > syncedBefore) {
        continue;
      }
      await this.enqueue(exam);
      queued.push(exam.id);
    }
    return queued;
  }
}
