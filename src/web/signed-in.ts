/**
 * Who the page header says is signed in, and as what: every page tells the user whose session they are
 * in, so a lecturer who launched as a student (or an admin left signed in) sees it at once.
 */
import type { Audience } from '../lti/roles.js';

export interface SignedIn {
  name: string;
  role: string;
  course?: string;
  /** The header offers Sign out (candidate sessions outside the LMS; a launch session ends with the LMS's). */
  signOut?: boolean;
}

const ROLE_NAMES: Record<Audience, string> = {
  admin: 'LMS administrator',
  staff: 'course staff',
  learner: 'learner',
};

interface LaunchUser {
  user: { sub: string; name?: string; givenName?: string; familyName?: string };
  audience: Audience;
  context: { id: string; title?: string; label?: string } | null;
}

/** The LMS user of a launch; an LMS that sends no name still gets a user shown, by its opaque id. */
export function signedInFromLaunch(launch: LaunchUser): SignedIn {
  const fullName = [launch.user.givenName, launch.user.familyName].filter(Boolean).join(' ');
  const name = launch.user.name ?? (fullName || `LMS user ${launch.user.sub.slice(0, 12)}`);
  const course = launch.context ? (launch.context.title ?? launch.context.label ?? launch.context.id) : undefined;
  return { name, role: ROLE_NAMES[launch.audience], ...(course ? { course } : {}) };
}

/** An administrator of examgate, named by the short sign-in reference the audit trail uses too. */
export function signedInAsAdmin(ref: string): SignedIn {
  return { name: `Administrator (${ref})`, role: 'examgate administrator' };
}
