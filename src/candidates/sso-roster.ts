import type { SsoMatchField } from '../platforms/platform.js';
import { LMS_IDENTITY } from '../platforms/sso-setup.js';
import type { Candidate, LmsPerson } from './candidate.js';
import { ssoUserKey } from './candidate.repository.js';

/** The value of a person (a launch, a roster member) an SSO user ID of the LMS identity is compared with. */
export function ssoValueOf(person: Pick<LmsPerson, 'userId' | 'sisId' | 'email'>, field: SsoMatchField): string | null {
  const value = field === 'sub' ? person.userId : field === 'sis_id' ? person.sisId : person.email;
  return value?.normalize('NFC').trim() || null;
}

/** Whether an SSO candidate's ID is that value: e-mail in any letter case, `sub` and SIS id exactly. */
export function ssoMatches(candidate: Candidate, value: string, field: SsoMatchField): boolean {
  if (candidate.ssoAuthType !== LMS_IDENTITY || !candidate.ssoUserId || candidate.lmsUserId !== null) {
    return false;
  }
  return field === 'email' ? ssoUserKey(candidate.ssoUserId) === ssoUserKey(value) : candidate.ssoUserId === value;
}

/**
 * The test's candidates as a roster sync should see them: an SSO candidate no LMS user is linked
 * to yet, whose SSO user ID is a member's field the platform matches on, counts as that member's
 * candidate. So the sync adds no second (roster) candidate for the person, and the member's
 * first launch links the SSO candidate itself (sso-candidates.service.ts). Nothing is written here.
 */
export function withSsoMembers(existing: Candidate[], members: ReadonlyArray<LmsPerson>, field: SsoMatchField | null): Candidate[] {
  const unlinked = field ? existing.filter((c) => c.ssoAuthType === LMS_IDENTITY && c.ssoUserId && c.lmsUserId === null) : [];
  if (unlinked.length === 0 || !field) {
    return existing;
  }
  const linkedUsers = new Set(existing.map((c) => c.lmsUserId).filter((id): id is string => id !== null));
  const virtual = new Map<string, string>();
  for (const member of members) {
    const value = ssoValueOf(member, field);
    if (!value || linkedUsers.has(member.userId)) {
      continue;
    }
    const candidate = unlinked.find((c) => !virtual.has(c.id) && ssoMatches(c, value, field));
    if (candidate) {
      virtual.set(candidate.id, member.userId);
    }
  }
  return existing.map((c) => (virtual.has(c.id) ? { ...c, lmsUserId: virtual.get(c.id)! } : c));
}
