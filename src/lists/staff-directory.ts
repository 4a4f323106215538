import type { UnitOfWork } from '../db/unit-of-work.js';
import type { LaunchContext } from '../lti/launch-context.js';
import type { SeenStaff, StaffDirectoryRepository } from './staff-directory.repository.js';

export type { SeenStaff } from './staff-directory.repository.js';

const SEARCH_LIMIT = 20;

/** The name a launch gives its user: the full name, else given + family name, else none. */
export function launchName(launch: LaunchContext): string | null {
  const name = launch.user.name ?? [launch.user.givenName, launch.user.familyName].filter(Boolean).join(' ');
  return name.trim().slice(0, 300) || null;
}

/**
 * The staff of each platform examgate has seen launch (name and e-mail of their latest
 * launch): the people an owner can share a list with. An LMS gives examgate no staff
 * directory of its own, so only colleagues who have opened examgate once can be chosen.
 */
export class StaffDirectory {
  constructor(private readonly repository: StaffDirectoryRepository) {}

  /** Remembers a staff launch; learners are never recorded. */
  async saw(launch: LaunchContext): Promise<void> {
    if (launch.audience === 'learner') {
      return;
    }
    await this.repository.saw(launch.platformId, {
      sub: launch.user.sub,
      name: launchName(launch),
      email: launch.user.email?.slice(0, 320) ?? null,
    });
  }

  /** Colleagues of the platform whose name or e-mail holds `text` (nothing for an empty search). */
  search(platformId: string, text: string, except: string | null): Promise<SeenStaff[]> {
    if (!text.trim()) {
      return Promise.resolve([]);
    }
    return this.repository
      .search(platformId, text.slice(0, 200), SEARCH_LIMIT + 1)
      .then((found) => found.filter((s) => s.sub !== except).slice(0, SEARCH_LIMIT));
  }

  bySubs(platformId: string, subs: string[], unit?: UnitOfWork): Promise<SeenStaff[]> {
    return this.repository.bySubs(platformId, subs, unit);
  }
}
