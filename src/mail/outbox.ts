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

export const MAIL_SEND_JOB = 'mail.send';
