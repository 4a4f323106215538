import { ROLE_PREFIX } from './claims.js';

/** What examgate lets a launch do; decided from the LTI roles, most powerful first. */
export type Audience = 'admin' | 'staff' | 'learner';

const STAFF = new Set(['Instructor', 'TeachingAssistant', 'ContentDeveloper', 'Administrator']);
const ADMIN = new Set(['Administrator', 'SysAdmin']);

/**
 * Splits a role into its vocabulary and name. Full URIs name their vocabulary; the short
 * form (`Instructor`) that the certification suite also sends is a context role.
 * Sub-roles (`membership/Instructor#TeachingAssistant`) count as their parent's principal role.
 */
function parseRole(role: string): { vocabulary: 'membership' | 'institution' | 'system' | 'unknown'; name: string } {
  for (const [vocabulary, prefix] of Object.entries(ROLE_PREFIX) as Array<[keyof typeof ROLE_PREFIX, string]>) {
    if (role.startsWith(prefix)) {
      return { vocabulary, name: role.slice(prefix.length) };
    }
  }
  const subRole = /^http:\/\/purl\.imsglobal\.org\/vocab\/lis\/v2\/membership\/(\w+)#\w+$/.exec(role);
  if (subRole?.[1]) {
    return { vocabulary: 'membership', name: subRole[1] };
  }
  if (/^\w+$/.test(role)) {
    return { vocabulary: 'membership', name: role };
  }
  return { vocabulary: 'unknown', name: role };
}

/**
 * Institution/system administrators administer their platform; context Instructor, TA or
 * ContentDeveloper are staff of the course; anyone else with a context role, no role, or an
 * unknown role is treated as a learner — the least privileged audience that can still
 * reach their own test.
 */
export function audienceOf(roles: readonly string[]): Audience {
  const parsed = roles.map(parseRole);
  if (parsed.some((r) => (r.vocabulary === 'institution' || r.vocabulary === 'system') && ADMIN.has(r.name))) {
    return 'admin';
  }
  if (parsed.some((r) => r.vocabulary === 'membership' && STAFF.has(r.name))) {
    return 'staff';
  }
  return 'learner';
}
