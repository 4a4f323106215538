import type { MailSettings } from './mail-settings.js';

/** One message as the relay gets it. */
export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** Our own outbox id, as the Message-ID's local part, so a relay's logs and ours name the same message. */
  id: string;
}

/**
 * Sending failed. `message` is safe to store and show: the relay's answer and our words, never
 * the SMTP password or the body. `permanent`: another try cannot help (the relay refused the
 * recipient or the message with a 5xx), so the job fails at once (jobs/job.ts). `ofRelay`: the
 * relay as a whole failed (unreachable, login, TLS, not set up) rather than this one message, so
 * a batch stops trying its other messages until the next run instead of knocking 200 times.
 */
export class SmtpSendError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly ofRelay = false,
  ) {
    super(message);
    this.name = 'SmtpSendError';
  }
}

const TIMEOUT_MS = 15_000;

/**
 * The nodemailer options for the settings: STARTTLS required means a relay without it is refused,
 * never used in the clear. `reuse`: one connection carries message after message (a pool of one,
 * for a batch's run), instead of a connection per message.
 */
function transportOptions(settings: MailSettings, reuse: boolean) {
  return {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    requireTLS: settings.security === 'starttls',
    ignoreTLS: settings.security === 'none',
    auth: settings.username ? { user: settings.username, pass: settings.password ?? '' } : undefined,
    connectionTimeout: TIMEOUT_MS,
    greetingTimeout: TIMEOUT_MS,
    socketTimeout: TIMEOUT_MS,
    ...(reuse ? { pool: true as const, maxConnections: 1 } : { pool: false as const }),
  };
}

/** The relay, open for a run of messages; `close` ends its connection (no idle connection outlives the run). */
export interface SmtpRelay {
  /** Sends one message; SmtpSendError when the relay does not take it. */
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

function relayOver(settings: MailSettings, reuse: boolean): SmtpRelay {
  // nodemailer is loaded when mail is first sent (by a job), not at start: a few MB of every idle process otherwise.
  const transport = import('nodemailer').then(({ default: nodemailer }) => nodemailer.createTransport(transportOptions(settings, reuse)));
  // A transport that cannot be made fails the next send; a relay closed unused must not leave that rejection unhandled.
  transport.catch(() => undefined);
  const domain = settings.fromAddress.split('@')[1] ?? 'examgate.invalid';
  return {
    async send(mail) {
      try {
        await (
          await transport
        ).sendMail({
          from: settings.fromName ? { name: settings.fromName, address: settings.fromAddress } : settings.fromAddress,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          messageId: `<${mail.id}@${domain}>`,
          headers: { 'Auto-Submitted': 'auto-generated' },
        });
      } catch (err) {
        throw describeFailure(err, settings);
      }
    },
    close: () =>
      void transport.then(
        (t) => t.close(),
        () => undefined,
      ),
  };
}

/**
 * The relay for a batch's run: one SMTP connection for all its messages (a relay refusing one
 * recipient answers that RCPT and goes on; a dropped connection is opened again for the next).
 */
export function openSmtpRelay(settings: MailSettings): SmtpRelay {
  return relayOver(settings, true);
}

/** Sends one message through the relay on a connection of its own; SmtpSendError when it does not take it. */
export async function sendThroughSmtp(settings: MailSettings, mail: OutgoingMail): Promise<void> {
  const relay = relayOver(settings, false);
  try {
    await relay.send(mail);
  } finally {
    relay.close();
  }
}

interface NodemailerFailure {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
  message?: string;
}

const WORDS: Record<string, string> = {
  ECONNECTION: 'The SMTP server could not be reached',
  ETIMEDOUT: 'The SMTP server did not answer in time',
  EDNS: 'The SMTP server’s name could not be looked up',
  ESOCKET: 'The connection to the SMTP server failed',
  EAUTH: 'The SMTP server refused the user name or password',
  ETLS: 'The TLS connection to the SMTP server failed',
  EENVELOPE: 'The SMTP server refused the sender or recipient',
  EMESSAGE: 'The SMTP server refused the message',
  EPROTOCOL: 'The SMTP server answered in a way examgate does not understand',
};

/** The relay's answer in words an operator can act on, with anything secret taken out; a refused recipient or message (5xx) is permanent. */
export function describeFailure(err: unknown, settings: MailSettings): SmtpSendError {
  const failure = (typeof err === 'object' && err !== null ? err : { message: String(err) }) as NodemailerFailure;
  // A refused or unreachable port shows up as a socket error; say what an operator looks for.
  const unreachable = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH/.test(failure.message ?? '');
  const lead = (unreachable ? WORDS.ECONNECTION : failure.code && WORDS[failure.code]) ?? 'Sending failed';
  const detail = (failure.response ?? failure.message ?? '').replace(/\s+/g, ' ').trim();
  let text = `${lead} (${settings.host}:${settings.port})${detail ? `: ${detail}` : ''}`;
  if (failure.code === 'ETLS' || /STARTTLS/i.test(detail)) {
    text += '. Check the security setting: STARTTLS is required unless it is set to "none".';
  }
  if (settings.password) {
    text = text.split(settings.password).join('[hidden]');
  }
  const code = failure.responseCode ?? 0;
  // Only a refused recipient or message is final: a refused login or TLS is the settings' fault,
  // and messages must wait for the operator to fix them rather than fail.
  const final = code >= 500 && code < 600 && (failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE');
  // A refused recipient or message (either code) is this message's; everything else, the relay's.
  const ofMessage = failure.code === 'EENVELOPE' || failure.code === 'EMESSAGE';
  return new SmtpSendError(text.slice(0, 500), final, !ofMessage);
}
