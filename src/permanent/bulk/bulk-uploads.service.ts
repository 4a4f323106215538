import { randomUUID } from 'node:crypto';
import type { AuditBy } from '../../audit/audit.js';
import type { AuditService } from '../../audit/audit.service.js';
import type { RunInUnitOfWork, UnitOfWork } from '../../db/unit-of-work.js';
import type { Job } from '../../jobs/job.js';
import type { JobRunner } from '../../jobs/job.runner.js';
import type { SealedText } from '../../secrets/sealed-text.js';
import { weakness } from '../../security/password-rules.js';
import type { BulkOptions, BulkOptionsInput } from './bulk-options.js';
import type { BulkTarget } from './bulk.kind.js';
import type { BulkRepository } from './bulk.repository.js';
import { PASSWORD_HASH_JOB } from './password-hashing.job.js';

/** HKDF purposes of the two sealed stores (changing one makes what it sealed unreadable). */
export const PASSWORD_QUEUE_PURPOSE = 'permanent-password-queue';
export const PASSWORD_HANDOUT_PURPOSE = 'permanent-password-handout';

/** The upload options as stored: the common password sealed, never in clear. */
interface StoredOptions extends BulkOptions {
  common: { sealed: string; weak: boolean } | null;
}

export class BulkUploadNotFoundError extends Error {
  constructor() {
    super('There is no such upload on this platform.');
    this.name = 'BulkUploadNotFoundError';
  }
}

export interface HashingStatus {
  queued: number;
  job: { status: Job['status']; done: number; total: number | null; perSecond: number | null; error: string | null } | null;
}

/**
 * The bulk upload's own state around the CSV engine: the options of each upload (the target
 * the engine previews and commits against), the one-time download of generated passwords, and
 * the hashing job's status. Everything takes the admin's platform and finds nothing of another.
 */
export class BulkUploads {
  constructor(
    private readonly repository: BulkRepository,
    private readonly institutionOf: (platformId: string) => Promise<string | null>,
    private readonly queueSeal: SealedText,
    private readonly handoutSeal: SealedText,
    private readonly jobs: JobRunner,
    private readonly inUnit: RunInUnitOfWork,
    private readonly audit: AuditService,
  ) {}

  /** Keeps the checked options of one upload (the common password sealed) and returns its target. */
  async storeOptions(platformId: string, input: BulkOptionsInput): Promise<BulkTarget> {
    const { commonPassword, ...options } = input;
    const stored: StoredOptions = {
      ...options,
      common: commonPassword === null ? null : { sealed: this.queueSeal.seal(commonPassword), weak: weakness(commonPassword) !== null },
    };
    const id = randomUUID();
    await this.repository.insertOptions(id, platformId, stored);
    return this.target(platformId, id);
  }

  /** The upload's target on this platform; BulkUploadNotFoundError for another platform's (or none). */
  async target(platformId: string, optionsId: string): Promise<BulkTarget> {
    const stored = /^[0-9a-f-]{36}$/.test(optionsId)
      ? ((await this.repository.options(platformId, optionsId)) as StoredOptions | null)
      : null;
    const institution = stored ? await this.institutionOf(platformId) : null;
    if (!stored || institution === null) {
      throw new BulkUploadNotFoundError();
    }
    const { common, ...options } = stored;
    return { platformId, institution, optionsId, options, common };
  }

  /** A target from its stored id (the options id), for a commit run as a job. */
  async loadTarget(optionsId: string): Promise<BulkTarget | null> {
    const platformId = await this.repository.platformOfOptions(optionsId);
    return this.target(platformId ?? '', optionsId).catch((err: unknown) => {
      if (err instanceof BulkUploadNotFoundError) {
        return null;
      }
      throw err;
    });
  }

  /** How many generated passwords wait for their one download (null: none, or taken already). */
  handoutCount(platformId: string, optionsId: string): Promise<number | null> {
    return this.repository.handoutCount(platformId, optionsId);
  }

  /** The generated passwords as CSV, once: the sealed copy is deleted as it is read (audited, without the passwords). */
  async takeHandout(platformId: string, optionsId: string, by: AuditBy): Promise<string | null> {
    return this.inUnit(async (unit) => {
      const sealed = await this.repository.takeHandout(platformId, optionsId, unit);
      const csv = sealed ? (this.handoutSeal.open(sealed)?.plain ?? null) : null;
      if (csv) {
        await this.audit.record(
          by,
          {
            entityType: 'platform',
            entityId: platformId,
            label: 'Bulk upload of permanent users',
            platformId,
            action: 'download-generated-passwords',
            changes: { upload: { from: null, to: optionsId } },
          },
          unit,
        );
      }
      return csv;
    });
  }

  /** Queues the hashing job in `unit` (a pending one of the platform is reused). */
  async enqueueHashing(platformId: string, unit?: UnitOfWork): Promise<void> {
    await this.jobs.enqueue(PASSWORD_HASH_JOB, platformId, unit);
  }

  /** The platform's hashing: what waits, and the latest job's progress and speed. */
  async hashingStatus(platformId: string): Promise<HashingStatus> {
    const queued = await this.repository.queuedCount(platformId);
    let job = await this.jobs.latest(PASSWORD_HASH_JOB, platformId);
    if (queued > 0 && (!job || !['queued', 'running', 'retrying'].includes(job.status))) {
      // Entries queued just as the last run finished its final batch: start another.
      await this.enqueueHashing(platformId);
      job = await this.jobs.latest(PASSWORD_HASH_JOB, platformId);
    } else if (queued > 0) {
      this.jobs.nudge();
    }
    if (!job) {
      return { queued, job: null };
    }
    const result = job.result as { perSecond?: number } | null;
    const elapsed = job.startedAt ? ((job.finishedAt ?? new Date()).getTime() - job.startedAt.getTime()) / 1000 : 0;
    const perSecond = result?.perSecond ?? (elapsed > 0 ? Math.round(job.progress.done / elapsed) : null);
    return { queued, job: { status: job.status, done: job.progress.done, total: job.progress.total, perSecond, error: job.error } };
  }
}
