/**
 * The SMTP relay examgate sends through (one per installation): saved on /admin/mail, or taken
 * from SMTP_URL and MAIL_FROM of the environment until an admin saves the page.
 */

/** none: plain SMTP (a relay on the same host); starttls: upgrade required, refused without it; tls: implicit TLS (port 465). */
export type SmtpSecurity = 'none' | 'starttls' | 'tls';
export const SMTP_SECURITIES: readonly SmtpSecurity[] = ['none', 'starttls', 'tls'];

export interface MailSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  /** Null: the relay takes mail without a login. */
  username: string | null;
  /** Only ever in memory; stored sealed, never shown back. */
  password: string | null;
  fromAddress: string;
  fromName: string | null;
}

/** Where the settings in force came from, for the page to say so. */
export type MailSettingsSource = 'page' | 'environment' | 'none';

export const DEFAULT_PORTS: Record<SmtpSecurity, number> = { none: 25, starttls: 587, tls: 465 };

/** "Exam Office <exams@uni.example>" or "exams@uni.example" as address and name. */
export function parseSender(text: string): { address: string; name: string | null } | null {
  const named = /^\s*"?([^"<]*?)"?\s*<([^<>\s]+)>\s*$/.exec(text);
  const address = (named ? named[2] : text.trim()) ?? '';
  if (!isMailAddress(address)) {
    return null;
  }
  return { address, name: named?.[1]?.trim() || null };
}

/** A plain address with one @, a dotted or local domain and no spaces or angle brackets (what a relay accepts in MAIL FROM / RCPT TO). */
export function isMailAddress(text: string): boolean {
  return text.length <= 320 && /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+$/.test(text);
}

/**
 * SMTP_URL + MAIL_FROM as settings; null when SMTP_URL is unset. smtps:// means implicit TLS;
 * smtp:// means STARTTLS required, unless `?security=none` says the relay is plain (local).
 * Throws with a message naming the variable when either cannot be read.
 */
export function settingsFromEnvironment(smtpUrl: string | undefined, mailFrom: string | undefined): MailSettings | null {
  if (!smtpUrl) {
    return null;
  }
  const url = new URL(smtpUrl);
  const asked = url.searchParams.get('security');
  const security: SmtpSecurity = url.protocol === 'smtps:' ? 'tls' : asked === 'none' ? 'none' : 'starttls';
  const sender = parseSender(mailFrom ?? '');
  if (!sender) {
    throw new Error('MAIL_FROM must be an e-mail address ("Exam Office <exams@uni.example>") when SMTP_URL is set');
  }
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : DEFAULT_PORTS[security],
    security,
    username: url.username ? decodeURIComponent(url.username) : null,
    password: url.password ? decodeURIComponent(url.password) : null,
    fromAddress: sender.address,
    fromName: sender.name,
  };
}
