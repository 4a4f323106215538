/**
 * Wall-clock times in an IANA time zone, without a date library: instructors type local
 * times of the test's zone, examgate stores UTC instants and shows them back in that zone.
 */

export function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const DAY_MS = 86_400_000;
const WALL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;

/** Offset of `zone` from UTC at `instant`, in milliseconds (positive east of Greenwich). */
function offsetAt(instant: number, zone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(instant));
  const field = (type: string) => Number(parts.find((p) => p.type === type)?.value);
  const asUtc = Date.UTC(field('year'), field('month') - 1, field('day'), field('hour'), field('minute'), field('second'));
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * 'YYYY-MM-DDTHH:mm' (an <input type="datetime-local"> value) in `zone` → the UTC instant,
 * or null when the text is not such a time. A wall time skipped by a DST jump moves forward
 * by the gap (02:30 → 03:30); one that occurs twice takes the earlier instant.
 */
export function wallTimeToUtc(wallTime: string, zone: string): Date | null {
  const m = WALL_TIME.exec(wallTime);
  if (!m) {
    return null;
  }
  const [, y, mo, d, h, mi] = m.map(Number) as [number, number, number, number, number, number];
  const naive = Date.UTC(y, mo - 1, d, h, mi);
  const check = new Date(naive);
  // Date.UTC rolls 2026-02-30 over into March; such a date does not exist.
  if (check.getUTCMonth() !== mo - 1 || check.getUTCDate() !== d || check.getUTCHours() !== h || check.getUTCMinutes() !== mi) {
    return null;
  }
  // The zone's offsets a day either side cover any DST change near this time.
  const before = naive - offsetAt(naive - DAY_MS, zone);
  const after = naive - offsetAt(naive + DAY_MS, zone);
  const real = [before, after].filter((t) => utcToWallTime(new Date(t), zone) === wallTime).sort((a, b) => a - b);
  return new Date(real[0] ?? before);
}

/** The instant as 'YYYY-MM-DDTHH:mm' in `zone`, to fill a datetime-local input. */
export function utcToWallTime(instant: Date, zone: string): string {
  const local = new Date(instant.getTime() + offsetAt(instant.getTime(), zone));
  return local.toISOString().slice(0, 16);
}

/**
 * A readable time in the test's zone, naming the zone so nobody guesses: "Tue 1 Dec 2026, 20:10 (Europe/Oslo)".
 * Built from parts rather than a locale's dateStyle, whose wording ("at", commas) differs between ICU versions.
 */
export function formatInZone(instant: Date, zone: string): string {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: zone,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')} (${zone})`;
}
