import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { JobHandler } from '../jobs/job.js';
import type { Logger } from '../logger.js';
import type { SealedText } from '../secrets/sealed-text.js';
import type { ResealReport } from '../stored-secrets.js';
import type { MailSettings } from './mail-settings.js';
import { randomUUID } from 'node:crypto';
import { MAIL_BATCH_JOB, MAIL_BATCH_SIZE, MAIL_SEND_JOB, type MailRecord, type NewMail } from './outbox.js';
import { OutboxSending } from './outbox-sending.js';
import type { OutboxRepository } from './outbox.repository.js';
import type { SmtpRelay } from './smtp-transport.js';

export const MAIL_BODY_PURPOSE = 'examgate mail body';
export const OUTBOX_PAGE_SIZE = 25;

/** What the outbox needs of the job runner: a job per message, queued in the caller's unit. */
export interface MailJobs {
  enqueue(kind: string, subjectId: string, unit?: UnitOfWork): Promise<unknown>;
  nudge(): void;
}

export interface OutboxDeps {
  repository: OutboxRepository;
  sealed: SealedText;
  jobs: MailJobs;
  audit: AuditService;
  /** The SMTP settings in force at the time of each try (null: none set up yet, so the try fails and waits). */
  settings: () => Promise<MailSettings | null>;
  /** Opens the relay for one run of a sending job. */
  relay: (settings: MailSettings) => SmtpRelay;
  log: Logger;
}

export class OutboxMessageNotFoundError extends Error {
  constructor() {
    super('There is no such message on this platform.');
    this.name = 'OutboxMessageNotFoundError';
  }
}

export class NotFailedError extends Error {
  constructor() {
    super('Only a message that failed can be sent again; this one is still on its way or was sent.');
    this.name = 'NotFailedError';
  }
}

export interface OutboxPage {
  messages: MailRecord[];
  total: number;
  page: number;
  pages: number;
}

/**
 * E-mail that must not be lost: `queueIn` writes the message (body sealed) and its sending job
 * in the caller's transaction, so a message exists exactly when what caused it committed. The
 * jobs (outbox-sending.ts; one per batch of up to MAIL_BATCH_SIZE messages queued together) try
 * the relay with the runner's backoff; an outage only delays them. Once the relay has the
 * message its body is erased, so passwords do not linger in the database.
 */
export class Outbox {
  readonly #sending: OutboxSending;

  constructor(private readonly deps: OutboxDeps) {
    this.#sending = new OutboxSending(deps);
  }

  /** Queues one message inside `unit`; call `committed()` once the unit has committed. */
  async queueIn(unit: UnitOfWork, message: NewMail, by: AuditBy): Promise<string> {
    const [id] = await this.queueManyIn(unit, [message], by);
    return id!;
  }

  /** Queues many messages inside `unit` (the bulk upload's new users), one audit entry each. */
  async queueManyIn(unit: UnitOfWork, messages: NewMail[], by: AuditBy): Promise<string[]> {
    // One job per batch rather than per message: 100 000 registration e-mails are 500 jobs, not
    // 100 000 rows for the runner to claim one by one. Each message still keeps its own status.
    const batchIds: string[] = [];
    const rows = messages.map(({ body, ...m }, i) => {
      if (i % MAIL_BATCH_SIZE === 0) {
        batchIds.push(randomUUID());
      }
      return { ...m, bodySealed: this.deps.sealed.seal(body), status: 'queued' as const, batchId: batchIds.at(-1)! };
    });
    const ids = await this.deps.repository.insertMany(rows, unit);
    for (const batchId of batchIds) {
      await this.deps.jobs.enqueue(MAIL_BATCH_JOB, batchId, unit);
    }
    await this.deps.audit.record(
      by,
      messages.map((m, i) => ({
        entityType: 'mail' as const,
        entityId: ids[i]!,
        action: 'queue',
        label: m.subject,
        platformId: m.platformId,
        changes: { purpose: { from: null, to: m.purpose }, recipient: { from: null, to: m.to } },
      })),
      unit,
    );
    return ids;
  }

  /** Starts sending what a committed unit queued (the runner's poll would also find it, a little later). */
  committed(): void {
    this.deps.jobs.nudge();
  }

  /** A record of a message sent at once (the settings page's test message), body never stored. */
  async recordTest(message: NewMail, outcome: { error: string | null }, by: AuditBy): Promise<void> {
    await this.deps.repository.transaction(async (unit) => {
      const [id] = await this.deps.repository.insertMany(
        [{ ...message, bodySealed: null, status: outcome.error ? 'failed' : 'sent' }],
        unit,
      );
      await this.deps.audit.record(
        by,
        {
          entityType: 'mail',
          entityId: id!,
          action: 'test',
          label: message.subject,
          changes: { recipient: { from: null, to: message.to }, outcome: { from: null, to: outcome.error ? 'failed' : 'sent' } },
        },
        unit,
      );
    });
  }

  async page(platformId: string, page: number): Promise<OutboxPage> {
    const wanted = Math.max(1, Math.floor(page) || 1);
    const found = await this.deps.repository.page(platformId, (wanted - 1) * OUTBOX_PAGE_SIZE, OUTBOX_PAGE_SIZE);
    return { ...found, page: wanted, pages: Math.max(1, Math.ceil(found.total / OUTBOX_PAGE_SIZE)) };
  }

  /** "Send again" for a failed message of the admin's platform: queued afresh with a new job, audited. */
  async resend(platformId: string, id: string, by: AuditBy): Promise<void> {
    await this.deps.repository.transaction(async (unit) => {
      const message = await this.deps.repository.get(platformId, id, unit);
      if (!message) {
        throw new OutboxMessageNotFoundError();
      }
      if (!(await this.deps.repository.requeue(platformId, id, unit))) {
        throw new NotFailedError();
      }
      await this.deps.jobs.enqueue(MAIL_SEND_JOB, id, unit);
      await this.deps.audit.record(
        by,
        {
          entityType: 'mail',
          entityId: id,
          action: 'resend',
          label: message.subject,
          platformId,
          changes: { status: { from: 'failed', to: 'queued' } },
        },
        unit,
      );
    });
    this.committed();
  }

  /** The job of one message ("Send again"; messages queued before batches). */
  sendJob(): JobHandler {
    return this.#sending.singleJob();
  }

  /** The job of a batch of messages queued together. */
  batchJob(): JobHandler {
    return this.#sending.batchJob();
  }

  /** Start-up: bodies sealed under SECRET_KEY_PREVIOUS are sealed again under SECRET_KEY. */
  async reseal(): Promise<ResealReport> {
    const report: ResealReport = { what: 'queued e-mail bodies', total: 0, resealed: 0, unreadable: 0 };
    for (const row of await this.deps.repository.sealedBodies()) {
      report.total += 1;
      const opened = this.deps.sealed.open(row.bodySealed);
      if (!opened) {
        report.unreadable += 1;
      } else if (opened.stale) {
        await this.deps.repository.replaceSealed(row.id, row.bodySealed, this.deps.sealed.seal(opened.plain));
        report.resealed += 1;
      }
    }
    return report;
  }
}
