import type { MailPurpose, MailRecord, MailStatus } from './outbox.js';

const PURPOSE_WORDS: Record<MailPurpose, string> = {
  registration: 'Registration details',
  'password-reset': 'Password reset',
  test: 'Test message',
};

const STATUS_WORDS: Record<MailStatus, string> = {
  queued: 'Queued',
  sending: 'Sending',
  sent: 'Sent',
  retrying: 'Waiting to try again',
  failed: 'Failed',
};

const time = (at: Date | null) => (at ? `${at.toISOString().slice(0, 16).replace('T', ' ')} UTC` : '');

/** One row of the status page, in words. */
export function presentMail(message: MailRecord) {
  return {
    id: message.id,
    recipient: message.recipient,
    subject: message.subject,
    purpose: PURPOSE_WORDS[message.purpose] ?? message.purpose,
    status: message.status,
    statusText: STATUS_WORDS[message.status] ?? message.status,
    attempts: message.attempts,
    lastError: message.status === 'sent' ? null : message.lastError,
    queuedAt: time(message.createdAt),
    changedAt: time(message.updatedAt),
    sentAt: time(message.sentAt),
    canResend: message.status === 'failed',
  };
}
