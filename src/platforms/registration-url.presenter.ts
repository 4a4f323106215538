import type { RegistrationUrlSummary } from './registration-token.service.js';

/** "in 24 hours", "in 45 minutes", "in 3 days" (or "… ago"): how far `date` lies from `now`. */
export function relativeWords(date: Date, now: Date): string {
  const minutes = Math.round((date.getTime() - now.getTime()) / 60_000);
  const size = Math.abs(minutes);
  const [count, unit] = size < 60 ? [size, 'minute'] : size < 48 * 60 ? [Math.round(size / 60), 'hour'] : [Math.round(size / 1440), 'day'];
  const amount = `${count} ${unit}${count === 1 ? '' : 's'}`;
  return minutes >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** "2 December 2026, 20:15 UTC": examgate's admin pages show UTC and say so. */
export function utcWords(date: Date): string {
  const day = date.toLocaleDateString('en-GB', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
  const time = date.toLocaleTimeString('en-GB', { timeZone: 'UTC', hour: '2-digit', minute: '2-digit' });
  return `${day}, ${time} UTC`;
}

const STATUS_WORDS: Record<RegistrationUrlSummary['status'], string> = {
  open: 'open: not used yet',
  used: 'used',
  expired: 'expired',
  revoked: 'revoked',
  exhausted: 'spent: too many failed attempts',
};

/** A registration URL as a row of the admin list. */
export function presentRegistrationUrl(summary: RegistrationUrlSummary, now: Date) {
  const used =
    summary.status === 'used' ? `used ${utcWords(summary.usedAt ?? now)} by ${summary.usedByPlatformName ?? 'a platform'}` : null;
  return {
    id: summary.id,
    created: utcWords(summary.createdAt),
    expires: `${utcWords(summary.expiresAt)} (${relativeWords(summary.expiresAt, now)})`,
    status: used ?? STATUS_WORDS[summary.status],
    attempts: summary.attempts,
    revocable: summary.status === 'open',
  };
}
