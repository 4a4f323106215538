import { randomUUID } from 'node:crypto';
import type { AuditBy, AuditChanges } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { UnitOfWork } from '../db/unit-of-work.js';
import type { Exam } from '../exams/exam.js';
import { fullName } from '../permanent/permanent-user.js';
import type { PermanentCandidates, PermanentIdPolicy } from '../permanent/permanent-candidates.service.js';
import {
  accessOf,
  checkListName,
  isOwner,
  memberState,
  planOf,
  type ListAccess,
  type ListMember,
  type ListPlan,
  type ListViewer,
  type PermanentList,
} from './list.js';
import { InvalidListError, ListNotFoundError, ListReadOnlyError } from './list.errors.js';
import type { ListRepository, MemberRow } from './list.repository.js';
import type { StaffDirectory } from './staff-directory.js';

export const MEMBERS_PAGE_SIZE = 25;
/** Most users one form adds to or removes from a list (a page of search results is 25). */
const MOST_PER_CHANGE = 2000;

export interface ListIndex {
  mine: PermanentList[];
  sharedWithMe: PermanentList[];
  /** An admin's view of the platform's other lists; empty for instructors. */
  others: PermanentList[];
}

export interface MembersPage {
  members: ListMember[];
  total: number;
  page: number;
  pages: number;
}

const toMember = (row: MemberRow): ListMember => ({
  userId: row.userId,
  username: row.username,
  name: fullName(row),
  email: row.email,
  state: memberState(row),
});

/**
 * Lists of permanent users (seed 001). Every method takes the viewer (platform and identity
 * from their session, never from the request): a list of another platform, or one neither
 * owned by nor shared with the viewer, is not found; one only shared with them can be used
 * but not changed. Every change is in the audit trail (entity 'permanent-list').
 */
export class PermanentLists {
  constructor(
    private readonly repository: ListRepository,
    private readonly staff: StaffDirectory,
    private readonly permanentCandidates: PermanentCandidates,
    private readonly audit: AuditService,
  ) {}

  async index(viewer: ListViewer): Promise<ListIndex> {
    const lists = await this.repository.visibleTo({ ...viewer, all: viewer.isAdmin });
    const index: ListIndex = { mine: [], sharedWithMe: [], others: [] };
    for (const list of lists) {
      if (isOwner(list, viewer)) {
        index.mine.push(list);
      } else if (viewer.kind === 'lms-user' && (list.sharedWithAll || list.sharedWith.includes(viewer.ref))) {
        index.sharedWithMe.push(list);
      } else {
        index.others.push(list);
      }
    }
    return index;
  }

  /** The list and what the viewer may do with it; ListNotFoundError when they may do nothing. */
  async open(viewer: ListViewer, id: string, unit?: UnitOfWork): Promise<{ list: PermanentList; access: Exclude<ListAccess, null> }> {
    const list = await this.repository.get(viewer.platformId, id, unit);
    const access = list ? accessOf(list, viewer) : null;
    if (!list || !access) {
      throw new ListNotFoundError();
    }
    return { list, access };
  }

  /** The list, when the viewer may change it: ListReadOnlyError when it is only shared with them. */
  async requireChange(viewer: ListViewer, id: string): Promise<PermanentList> {
    const { list, access } = await this.open(viewer, id);
    if (access !== 'change') {
      throw new ListReadOnlyError(list.ownerName);
    }
    return list;
  }

  async create(viewer: ListViewer, rawName: string, by: AuditBy): Promise<PermanentList> {
    const name = nameOf(rawName);
    const id = randomUUID();
    return this.repository.transaction(async (unit) => {
      const owner = { kind: viewer.kind, ref: viewer.ref };
      await this.repository.insert({ id, platformId: viewer.platformId, name, owner, ownerName: viewer.name }, unit);
      await this.record(by, viewer.platformId, id, name, 'create', { name: { from: null, to: name } }, unit);
      return (await this.repository.get(viewer.platformId, id, unit))!;
    });
  }

  async rename(viewer: ListViewer, id: string, rawName: string, by: AuditBy): Promise<void> {
    const name = nameOf(rawName);
    await this.changing(viewer, id, async (list, unit) => {
      if (list.name !== name) {
        await this.repository.update(id, { name }, unit);
        await this.record(by, list.platformId, id, name, 'rename', { name: { from: list.name, to: name } }, unit);
      }
    });
  }

  /** The list goes; its users, and the candidates it once added to tests, stay. */
  async remove(viewer: ListViewer, id: string, by: AuditBy): Promise<PermanentList> {
    return this.changing(viewer, id, async (list, unit) => {
      await this.repository.remove(id, unit);
      await this.record(by, list.platformId, id, list.name, 'delete', { members: { from: list.memberCount, to: null } }, unit);
      return list;
    });
  }

  /** Adds users of the list's platform (others are ignored, never added); returns how many joined. */
  async addMembers(viewer: ListViewer, id: string, userIds: string[], by: AuditBy): Promise<number> {
    const wanted = [...new Set(userIds)].slice(0, MOST_PER_CHANGE);
    if (wanted.length === 0) {
      throw new InvalidListError('users', 'Choose at least one permanent user to add to the list.');
    }
    return this.changing(viewer, id, async (list, unit) => {
      const fresh = await this.repository.newMembers(id, list.platformId, wanted, unit);
      if (fresh.length > 0) {
        await this.repository.addMembers(id, fresh, unit);
        await this.record(
          by,
          list.platformId,
          id,
          list.name,
          'add-members',
          countChange(list.memberCount, list.memberCount + fresh.length),
          unit,
        );
      }
      return fresh.length;
    });
  }

  async removeMembers(viewer: ListViewer, id: string, userIds: string[], by: AuditBy): Promise<number> {
    const chosen = [...new Set(userIds)].slice(0, MOST_PER_CHANGE);
    if (chosen.length === 0) {
      throw new InvalidListError('members', 'Choose at least one member to take off the list.');
    }
    return this.changing(viewer, id, async (list, unit) => {
      const removed = await this.repository.removeMembers(id, chosen, unit);
      if (removed > 0) {
        await this.record(
          by,
          list.platformId,
          id,
          list.name,
          'remove-members',
          countChange(list.memberCount, list.memberCount - removed),
          unit,
        );
      }
      return removed;
    });
  }

  /**
   * Shares with every instructor of the platform or not, and with named colleagues: only staff
   * of the same platform examgate has seen launch can be named (a `sub` typed into the form
   * that is not one of them is refused), and never the owner.
   */
  async setSharing(
    viewer: ListViewer,
    id: string,
    change: { withAll?: boolean; add?: string[]; remove?: string[] },
    by: AuditBy,
  ): Promise<void> {
    await this.changing(viewer, id, async (list, unit) => {
      const add = [...new Set(change.add ?? [])].slice(0, 100);
      const known = new Set((await this.staff.bySubs(list.platformId, add, unit)).map((s) => s.sub));
      const unknown = add.filter((sub) => !known.has(sub));
      if (unknown.length > 0) {
        throw new InvalidListError(
          'colleagues',
          'Only colleagues of this platform who have opened examgate can be chosen. Search for them by name or e-mail.',
        );
      }
      const added = add.filter((sub) => !list.sharedWith.includes(sub) && !(list.owner.kind === 'lms-user' && list.owner.ref === sub));
      const removed = (change.remove ?? []).filter((sub) => list.sharedWith.includes(sub));
      const changes: AuditChanges = {};
      if (change.withAll !== undefined && change.withAll !== list.sharedWithAll) {
        await this.repository.update(id, { sharedWithAll: change.withAll }, unit);
        changes.sharedWithAll = { from: list.sharedWithAll, to: change.withAll };
      }
      await this.repository.share(id, added, unit);
      await this.repository.unshare(id, removed, unit);
      if (added.length + removed.length > 0) {
        changes.sharedWith = { from: list.sharedWith.length, to: list.sharedWith.length + added.length - removed.length };
      }
      if (Object.keys(changes).length > 0) {
        await this.record(by, list.platformId, id, list.name, 'share', changes, unit);
      }
    });
  }

  async members(viewer: ListViewer, id: string, text: string, page: number): Promise<MembersPage> {
    await this.open(viewer, id);
    const wanted = Math.max(1, Math.floor(page) || 1);
    const found = await this.repository.members(id, {
      text: text.slice(0, 200),
      offset: (wanted - 1) * MEMBERS_PAGE_SIZE,
      limit: MEMBERS_PAGE_SIZE,
    });
    return {
      members: found.members.map(toMember),
      total: found.total,
      page: wanted,
      pages: Math.max(1, Math.ceil(found.total / MEMBERS_PAGE_SIZE)),
    };
  }

  /** How the list splits for the test: to add, already candidates, deleted, not eligible; and the cap. */
  async planFor(viewer: ListViewer, id: string, exam: Exam, active: number): Promise<{ list: PermanentList; plan: ListPlan }> {
    const { list } = await this.open(viewer, id);
    const members = await this.repository.membersForExam(id, exam.id);
    return {
      list,
      plan: planOf(
        members.map((m) => ({ ...toMember(m), onTest: m.onTest })),
        { active, cap: exam.maxCandidates },
      ),
    };
  }

  /**
   * Adds the list's current, eligible members who are not candidates yet to the test, through
   * the one path for permanent candidates (PermanentCandidates: all or none, the test's lock, its
   * cap). The list's own entry ('add-to-test', on the test's History) commits with them.
   */
  async addToExam(viewer: ListViewer, id: string, exam: Exam, active: number, policy: PermanentIdPolicy, by: AuditBy): Promise<number> {
    const { list, plan } = await this.planFor(viewer, id, exam, active);
    if (plan.toAdd.length === 0) {
      throw new InvalidListError('list', `Nobody on “${list.name}” can be added: ${nobodyReason(plan)}`);
    }
    return this.permanentCandidates.add(exam, viewer.platformId, plan.toAdd, policy, by, (added, unit) =>
      this.audit.record(
        by,
        {
          entityType: 'permanent-list',
          entityId: list.id,
          action: 'add-to-test',
          label: list.name,
          platformId: list.platformId,
          examId: exam.id,
          changes: { added: { from: null, to: added }, candidateId: { from: null, to: policy } },
        },
        unit,
      ),
    );
  }

  /** Runs a change of a list the viewer may change, inside one transaction. */
  private async changing<T>(viewer: ListViewer, id: string, work: (list: PermanentList, unit: UnitOfWork) => Promise<T>): Promise<T> {
    return this.repository.transaction(async (unit) => {
      const { list, access } = await this.open(viewer, id, unit);
      if (access !== 'change') {
        throw new ListReadOnlyError(list.ownerName);
      }
      return work(list, unit);
    });
  }

  private record(by: AuditBy, platformId: string, id: string, label: string, action: string, changes: AuditChanges, unit: UnitOfWork) {
    return this.audit.record(by, { entityType: 'permanent-list', entityId: id, action, label, platformId, changes }, unit);
  }
}

function nameOf(raw: string): string {
  const checked = checkListName(raw);
  if ('error' in checked) {
    throw new InvalidListError('name', checked.error);
  }
  return checked.name;
}

const countChange = (from: number, to: number): AuditChanges => ({ members: { from, to } });

function nobodyReason(plan: ListPlan): string {
  const parts = [
    plan.alreadyOn ? `${plan.alreadyOn} already a candidate` : '',
    plan.deleted ? `${plan.deleted} deleted` : '',
    plan.notEligible ? `${plan.notEligible} not eligible` : '',
  ].filter(Boolean);
  return parts.length ? `${parts.join(', ')}.` : 'the list has no members. Add some on the list’s page.';
}
