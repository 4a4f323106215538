import { randomUUID } from 'node:crypto';
import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';
import type { MailPurpose, MailRecord, MailStatus, NewMail } from './outbox.js';

interface Row {
  id: string;
  platform_id: string | null;
  purpose: string;
  recipient: string;
  subject: string;
  body_sealed: string | null;
  status: string;
  attempts: number | string;
  last_error: string | null;
  created_at: Date | string;
  updated_at: Date | string;
  sent_at: Date | string | null;
}

function toRecord(row: Row): MailRecord {
  return {
    id: row.id,
    platformId: row.platform_id,
    purpose: row.purpose as MailPurpose,
    recipient: row.recipient,
    subject: row.subject,
    status: row.status as MailStatus,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    sentAt: row.sent_at ? new Date(row.sent_at) : null,
  };
}

/** Queries over mail_outbox. Every read for a page names the platform, so an id of another tenant finds nothing. */
export class OutboxRepository {
  constructor(private readonly sequelize: Sequelize) {}

  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  /** Inserts the messages (their bodies already sealed) in one statement; their new ids in order. */
  async insertMany(
    messages: Array<Omit<NewMail, 'body'> & { bodySealed: string | null; status: MailStatus; batchId?: string | null }>,
    unit?: UnitOfWork,
  ): Promise<string[]> {
    const now = new Date();
    const rows = messages.map((m) => ({
      id: randomUUID(),
      platform_id: m.platformId,
      purpose: m.purpose,
      recipient: m.to,
      subject: m.subject,
      body_sealed: m.bodySealed,
      status: m.status,
      attempts: 0,
      last_error: null,
      created_at: now,
      updated_at: now,
      sent_at: null,
      batch_id: m.batchId ?? null,
    }));
    if (rows.length > 0) {
      await this.sequelize.getQueryInterface().bulkInsert('mail_outbox', rows, { transaction: transactionOf(unit) });
    }
    return rows.map((r) => r.id);
  }

  /** The message with its sealed body, for the sending job. */
  async withBody(id: string): Promise<(MailRecord & { bodySealed: string | null }) | null> {
    const [row] = await this.sequelize.query<Row>('SELECT * FROM mail_outbox WHERE id = :id', {
      replacements: { id },
      type: QueryTypes.SELECT,
    });
    return row ? { ...toRecord(row), bodySealed: row.body_sealed } : null;
  }

  async get(platformId: string, id: string, unit?: UnitOfWork): Promise<MailRecord | null> {
    const [row] = await this.sequelize.query<Row>('SELECT * FROM mail_outbox WHERE id = :id AND platform_id = :platformId', {
      replacements: { id, platformId },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    return row ? toRecord(row) : null;
  }

  async page(platformId: string, offset: number, limit: number): Promise<{ messages: MailRecord[]; total: number }> {
    const rows = await this.sequelize.query<Row>(
      `SELECT id, platform_id, purpose, recipient, subject, status, attempts, last_error, created_at, updated_at, sent_at
         FROM mail_outbox WHERE platform_id = :platformId ORDER BY created_at DESC, id DESC LIMIT ${Number(limit)} OFFSET ${Number(offset)}`,
      { replacements: { platformId }, type: QueryTypes.SELECT },
    );
    const [count] = await this.sequelize.query<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM mail_outbox WHERE platform_id = :platformId',
      {
        replacements: { platformId },
        type: QueryTypes.SELECT,
      },
    );
    return { messages: rows.map(toRecord), total: Number(count?.n ?? 0) };
  }

  /**
   * The messages of a batch still to be sent, in a stable order (created together, so by id):
   * queued, waiting to try again, or 'sending' — left so by a run whose process died, which must be
   * tried again. Sent and failed ones are never read again by the batch's job.
   */
  async unsentOfBatch(batchId: string): Promise<string[]> {
    const rows = await this.sequelize.query<{ id: string }>(
      "SELECT id FROM mail_outbox WHERE batch_id = :batchId AND status IN ('queued', 'retrying', 'sending') ORDER BY created_at, id",
      { replacements: { batchId }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => r.id);
  }

  /** Messages a run did not get to (the relay failed on an earlier one): they wait, or fail on the last run, with that reason; no try is counted. */
  async markUntried(ids: string[], status: 'retrying' | 'failed', error: string): Promise<void> {
    if (ids.length > 0) {
      await this.sequelize.query(
        `UPDATE mail_outbox SET status = :status, last_error = :error, updated_at = :now WHERE id IN (:ids) AND status <> 'sent'`,
        { replacements: { ids, status, error, now: new Date() } },
      );
    }
  }

  /** A try begins: 'sending', one more attempt. False when the message is sent already (a second run must not send it again). */
  async beginTry(id: string): Promise<boolean> {
    const [, changed] = await this.sequelize.query(
      `UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, updated_at = :now WHERE id = :id AND status <> 'sent'`,
      { replacements: { id, now: new Date() }, type: QueryTypes.UPDATE },
    );
    return changed > 0;
  }

  /** The relay took it: sent, and the body is erased (it may hold a password). */
  async markSent(id: string): Promise<void> {
    const now = new Date();
    await this.sequelize.query(
      `UPDATE mail_outbox SET status = 'sent', body_sealed = NULL, last_error = NULL, sent_at = :now, updated_at = :now WHERE id = :id`,
      { replacements: { id, now } },
    );
  }

  async markFailedTry(id: string, status: 'retrying' | 'failed', error: string): Promise<void> {
    await this.sequelize.query(`UPDATE mail_outbox SET status = :status, last_error = :error, updated_at = :now WHERE id = :id`, {
      replacements: { id, status, error, now: new Date() },
    });
  }

  /** A failed message back in the queue ("send again"); false unless it was failed. */
  async requeue(platformId: string, id: string, unit: UnitOfWork): Promise<boolean> {
    const [, changed] = await this.sequelize.query(
      // Out of its batch: its own job sends it, so the batch's job (still retrying others) never tries it at the same time.
      `UPDATE mail_outbox SET status = 'queued', batch_id = NULL, updated_at = :now WHERE id = :id AND platform_id = :platformId AND status = 'failed'`,
      { replacements: { id, platformId, now: new Date() }, type: QueryTypes.UPDATE, transaction: transactionOf(unit) },
    );
    return changed > 0;
  }

  /** Bodies still waiting to be sent, for re-sealing after a SECRET_KEY rotation. */
  async sealedBodies(): Promise<Array<{ id: string; bodySealed: string }>> {
    const rows = await this.sequelize.query<{ id: string; body_sealed: string }>(
      'SELECT id, body_sealed FROM mail_outbox WHERE body_sealed IS NOT NULL',
      { type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ id: r.id, bodySealed: r.body_sealed }));
  }

  async replaceSealed(id: string, before: string, after: string): Promise<void> {
    await this.sequelize.query('UPDATE mail_outbox SET body_sealed = :after WHERE id = :id AND body_sealed = :before', {
      replacements: { id, before, after },
    });
  }
}
