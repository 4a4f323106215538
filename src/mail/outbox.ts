/** The outbox's vocabulary (migration 0021): one row per e-mail, from queued to sent or failed. */

export type MailPurpose = 'registration' | 'password-reset' | 'test';

/** queued → sending → sent, or sending → retrying → sending … → failed once the tries are used up (or the relay refused for good). */
export type MailStatus = 'queued' | 'sending' | 'sent' | 'retrying' | 'failed';

/** A message to queue: plain text only (nothing in it is rendered as HTML anywhere). */
export interface NewMail {
  /** The tenant it belongs to; null for an installation admin's test message. */
  platformId: string | null;
  purpose: MailPurpose;
  to: string;
  subject: string;
  body: string;
}

/** A message as the status page shows it: metadata only, never the body. */
export interface MailRecord {
  id: string;
  platformId: string | null;
  purpose: MailPurpose;
  recipient: string;
  subject: string;
  status: MailStatus;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

/** The job of one message (subject: its id). */
export const MAIL_SEND_JOB = 'mail.send';
/** The job of a batch of messages queued together (subject: their batch_id). */
export const MAIL_BATCH_JOB = 'mail.send-batch';
/** Messages per batch job: few jobs for a big upload, yet a run still ends within a few minutes on a slow relay. */
export const MAIL_BATCH_SIZE = 200;
