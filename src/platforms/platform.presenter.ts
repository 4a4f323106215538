import type { TenantCounts } from './platform-move.service.js';
import { formatInZone } from '../exams/time-zone.js';
import type { Platform } from './platform.js';

const counted = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/** "3 courses, 1 test, 120 candidates": what a platform holds, in words. */
export function holdsText(counts: TenantCounts): string {
  return [
    counted(counts.courses, 'course', 'courses'),
    counted(counts.tests, 'test', 'tests'),
    counted(counts.candidates, 'candidate', 'candidates'),
  ].join(', ');
}

/** A platform as the admin pages show it: never ltijs's internal id; times in the platform's default zone, named. */
export function presentPlatform(platform: Platform) {
  const { ltijsPlatformId: _internal, ...visible } = platform;
  const deployments = platform.deployments.map((d) => ({ ...d, firstSeenAt: formatInZone(d.firstSeenAt, platform.defaultTimeZone) }));
  return { ...visible, deployments };
}

/**
 * The admin page's list: each platform with what it holds and, where the same LMS (issuer) is
 * registered more than once, the move this one could take: another registration's courses,
 * tests and candidates, into this one while it holds no test of its own.
 */
export function presentPlatformList(list: Array<{ platform: Platform; counts: TenantCounts }>) {
  return list.map(({ platform, counts }) => {
    const sameLms = list.filter((other) => other.platform.issuer === platform.issuer && other.platform.id !== platform.id);
    return {
      ...presentPlatform(platform),
      counts,
      holds: holdsText(counts),
      otherRegistrations: sameLms.map((other) => ({
        id: other.platform.id,
        name: other.platform.name,
        clientId: other.platform.clientId,
        holds: holdsText(other.counts),
      })),
      // A new, empty registration is where an earlier one's data can go.
      mayReceiveMove: counts.tests === 0,
    };
  });
}
