import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { JobHandler } from '../jobs/job.js';
import type { Logger } from '../logger.js';
import type { SealedText } from '../secrets/sealed-text.js';
import type { ResealReport } from '../stored-secrets.js';
import type { MailSettings } from './mail-settings.js';
import { MAIL_SEND_JOB, type MailRecord, type NewMail } from './outbox.js';
import type { OutboxRepository } from './outbox.repository.js';
import { SmtpSendError, type OutgoingMail } from './smtp-transport.js';

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
  send: (settings: MailSettings, mail: OutgoingMail) => Promise<void>;
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
 * job (`sendJob`) tries the relay with the runner's backoff; an outage only delays it. Once the
 * relay has the message its body is erased, so passwords do not linger in the database.
 */
export class Outbox {
  constructor(private readonly deps: OutboxDeps) {}

  /** Queues one message inside `unit`; call `committed()` once the unit has committed. */
  async queueIn(unit: UnitOfWork, message: NewMail, by: AuditBy): Promise<string> {
    const [id] = await this.queueManyIn(unit, [message], by);
    return id!;
  }

  /** Queues many messages inside `unit` (the bulk upload's new users), one audit entry each. */
  async queueManyIn(unit: UnitOfWork, messages: NewMail[], by: AuditBy): Promise<string[]> {
    const ids = await this.deps.repository.insertMany(
      messages.map(({ body, ...m }) => ({ ...m, bodySealed: this.deps.sealed.seal(body), status: 'queued' as const })),
      unit,
    );
    for (const id of ids) {
      await this.deps.jobs.enqueue(MAIL_SEND_JOB, id, unit);
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

  /**
   * The job that sends one message. A try that fails leaves the message 'retrying' (the runner
   * comes back after its backoff) or, on the last try or a permanent refusal, 'failed'; the
   * error stored is the relay's answer without secrets (smtp-transport.ts).
   */
  sendJob(): JobHandler {
    return async ({ job }) => {
      const id = job.subjectId ?? '';
      const message = await this.deps.repository.withBody(id);
      if (!message || message.status === 'sent' || !(await this.deps.repository.beginTry(id))) {
        return { skipped: 'already sent or gone' };
      }
      const last = job.attempts >= job.maxAttempts;
      try {
        const settings = await this.deps.settings();
        if (!settings) {
          throw new SmtpSendError('E-mail is not set up: an installation admin enters the SMTP server on the e-mail settings page.', false);
        }
        const body = message.bodySealed ? this.deps.sealed.open(message.bodySealed) : null;
        if (!body) {
          throw new SmtpSendError('The message body cannot be read with SECRET_KEY; it cannot be sent.', true);
        }
        await this.deps.send(settings, { id, to: message.recipient, subject: message.subject, text: body.plain });
      } catch (err) {
        const failure =
          err instanceof SmtpSendError ? err : new SmtpSendError('Sending failed for an unexpected reason; see the server log.', false);
        if (!(err instanceof SmtpSendError)) {
          this.deps.log.error({ err, mailId: id }, 'mail send failed unexpectedly');
        }
        await this.deps.repository.markFailedTry(id, last || failure.permanent ? 'failed' : 'retrying', failure.message);
        throw Object.assign(new Error(failure.message), { permanent: failure.permanent });
      }
      await this.deps.repository.markSent(id);
      return { sent: true };
    };
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
