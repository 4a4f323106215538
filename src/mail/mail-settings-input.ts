import { DEFAULT_PORTS, isMailAddress, SMTP_SECURITIES, type SmtpSecurity } from './mail-settings.js';
import type { MailSettingsChange } from './mail-settings.service.js';
import { field, checkbox } from '../web/form.js';

/** The e-mail settings form as typed (kept when refused, the password never). */
export type MailSettingsForm = Record<'host' | 'port' | 'security' | 'username' | 'fromAddress' | 'fromName', string> & {
  password: string;
  clearPassword: boolean;
};

export interface MailFieldProblem {
  field: string;
  message: string;
}

export class InvalidMailSettingsError extends Error {
  constructor(readonly problems: MailFieldProblem[]) {
    super(problems.map((p) => p.message).join(' '));
    this.name = 'InvalidMailSettingsError';
  }
}

export function readMailSettingsForm(body: unknown): MailSettingsForm {
  const text = (name: string) => field(body, name).trim().slice(0, 1000);
  return {
    host: text('host'),
    port: text('port'),
    security: text('security'),
    username: text('username'),
    // Not trimmed: a password may end in a space.
    password: field(body, 'password').slice(0, 1000),
    clearPassword: checkbox(body, 'clearPassword'),
    fromAddress: text('fromAddress'),
    fromName: text('fromName'),
  };
}

// A host name (letters, digits, hyphens, dots) or an IPv4 / bracket-less IPv6 address.
const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*\.?$|^[0-9a-fA-F:]+$/;

/** The form as settings to save; InvalidMailSettingsError with every problem at once. */
export function parseMailSettingsForm(form: MailSettingsForm): MailSettingsChange {
  const problems: MailFieldProblem[] = [];
  const fail = (f: string, message: string) => problems.push({ field: f, message });
  if (!HOST.test(form.host)) {
    fail(
      'host',
      form.host
        ? `The SMTP server must be a host name or IP address, such as smtp.uni.example (got "${form.host.slice(0, 80)}").`
        : 'Enter the SMTP server’s host name, such as smtp.uni.example.',
    );
  }
  const security = (SMTP_SECURITIES as readonly string[]).includes(form.security) ? (form.security as SmtpSecurity) : null;
  if (!security) {
    fail('security', 'Choose how the connection is secured: STARTTLS, TLS from the start, or none.');
  }
  const port = form.port === '' ? DEFAULT_PORTS[security ?? 'starttls'] : /^\d{1,5}$/.test(form.port) ? Number(form.port) : NaN;
  if (!(port >= 1 && port <= 65535)) {
    fail('port', `The port must be a whole number from 1 to 65535, or empty for the usual port (got "${form.port.slice(0, 20)}").`);
  }
  if (!isMailAddress(form.fromAddress)) {
    fail(
      'fromAddress',
      form.fromAddress
        ? `The sender address must look like name@example.org (got "${form.fromAddress.slice(0, 80)}").`
        : 'Enter the sender address, such as exams@uni.example.',
    );
  }
  if (/[\r\n<>"]/.test(form.fromName) || form.fromName.length > 200) {
    fail('fromName', 'The sender name must be at most 200 characters, without quotes or angle brackets.');
  }
  if (form.username.length > 320) {
    fail('username', 'The SMTP user name must be at most 320 characters.');
  }
  if (form.clearPassword && form.password) {
    fail('password', 'Either type a new password or tick “Remove the stored password”, not both.');
  }
  if (problems.length > 0) {
    throw new InvalidMailSettingsError(problems);
  }
  return {
    host: form.host,
    port,
    security: security!,
    username: form.username || null,
    fromAddress: form.fromAddress,
    fromName: form.fromName || null,
    password: form.password ? { kind: 'set', password: form.password } : form.clearPassword ? { kind: 'clear' } : { kind: 'keep' },
  };
}
