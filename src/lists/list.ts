/**
 * Lists of permanent users (seed 001): a named group of one platform's permanent users,
 * owned by an instructor (their LTI user) or an institution admin, shared with named
 * colleagues or with every instructor of the platform, and added to a test in one go.
 */

/** Who owns a list: an LMS user of the platform (by `sub`) or an institution admin account (by its id). */
export interface ListOwner {
  kind: 'lms-user' | 'admin-account';
  ref: string;
}

export interface PermanentList {
  id: string;
  platformId: string;
  name: string;
  owner: ListOwner;
  ownerName: string | null;
  sharedWithAll: boolean;
  /** LTI `sub`s of the named colleagues it is shared with. */
  sharedWith: string[];
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** Who is looking: an instructor from a launch, or an institution admin (an account, or an LMS administrator's launch). */
export interface ListViewer extends ListOwner {
  platformId: string;
  name: string | null;
  /** Institution admins look after every list of their platform (an owner who left, a list to tidy). */
  isAdmin: boolean;
}

/**
 * What a viewer may do with a list: `change` (rename, delete, members, sharing) or `use` (see it and
 * add it to a test), or nothing — and then the list does not exist for them (404, like any wall).
 */
export type ListAccess = 'change' | 'use' | null;

export const LIST_NAME_MAX = 200;

export function isOwner(list: Pick<PermanentList, 'owner'>, viewer: ListOwner): boolean {
  return list.owner.kind === viewer.kind && list.owner.ref === viewer.ref;
}

export function accessOf(
  list: Pick<PermanentList, 'platformId' | 'owner' | 'sharedWithAll' | 'sharedWith'>,
  viewer: ListViewer,
): ListAccess {
  if (list.platformId !== viewer.platformId) {
    return null;
  }
  if (isOwner(list, viewer) || viewer.isAdmin) {
    return 'change';
  }
  // Shares name LTI users: an admin account is never "shared with", it administers instead.
  if (viewer.kind === 'lms-user' && (list.sharedWithAll || list.sharedWith.includes(viewer.ref))) {
    return 'use';
  }
  return null;
}

/** A list name: trimmed, NFC, 1..200 characters, no control characters; the problem in words otherwise. */
export function checkListName(raw: string): { name: string } | { error: string } {
  const name = raw.normalize('NFC').replace(/\s+/g, ' ').trim();
  if (!name) {
    return { error: 'Give the list a name, for example “Resit candidates, spring term”.' };
  }
  if (name.length > LIST_NAME_MAX) {
    return { error: `A list name has at most ${LIST_NAME_MAX} characters; this one has ${name.length}.` };
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    return { error: 'A list name cannot hold control characters.' };
  }
  return { name };
}

/** A member as the list page shows them; `state` says whether adding to a test takes them. */
export interface ListMember {
  userId: string;
  username: string;
  name: string;
  email: string | null;
  state: 'current' | 'deleted' | 'not-eligible';
}

export function memberState(user: { deletedAt: Date | null; eligible: boolean }): ListMember['state'] {
  if (user.deletedAt) {
    return 'deleted';
  }
  return user.eligible ? 'current' : 'not-eligible';
}

/** How a list splits for one test: who will be added, who is on it already, who cannot be. */
export interface ListPlan {
  toAdd: string[];
  alreadyOn: number;
  deleted: number;
  notEligible: number;
  active: number;
  cap: number;
}

export function planOf(
  members: Array<{ userId: string; state: ListMember['state']; onTest: boolean }>,
  exam: { active: number; cap: number },
): ListPlan {
  const plan: ListPlan = { toAdd: [], alreadyOn: 0, deleted: 0, notEligible: 0, active: exam.active, cap: exam.cap };
  for (const m of members) {
    if (m.onTest) {
      plan.alreadyOn += 1;
    } else if (m.state === 'deleted') {
      plan.deleted += 1;
    } else if (m.state === 'not-eligible') {
      plan.notEligible += 1;
    } else {
      plan.toAdd.push(m.userId);
    }
  }
  return plan;
}

/** Room left on the test after the plan, negative when the list does not fit. */
export function roomAfter(plan: ListPlan): number {
  return plan.cap - plan.active - plan.toAdd.length;
}
