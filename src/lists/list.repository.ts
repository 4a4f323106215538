import { QueryTypes, type Sequelize } from 'sequelize';
import { dateOf } from '../db/column-date.js';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';
import type { ListOwner, PermanentList } from './list.js';

interface ListRow {
  id: string;
  platform_id: string;
  name: string;
  owner_kind: string;
  owner_ref: string;
  owner_name: string | null;
  shared_with_all: boolean | number;
  member_count: number | string;
  created_at: Date | string;
  updated_at: Date | string;
}

/** A member row: the user's details as the list and the add-to-test plan need them. */
export interface MemberRow {
  userId: string;
  username: string;
  firstName: string | null;
  lastName: string | null;
  email: string | null;
  deletedAt: Date | null;
  eligible: boolean;
}

/** Who is looking, as a query needs it: their identity, and whether they see every list of the platform. */
export interface VisibleTo extends ListOwner {
  platformId: string;
  all: boolean;
}

const LIST_COLUMNS = `l.id, l.platform_id, l.name, l.owner_kind, l.owner_ref, l.owner_name, l.shared_with_all, l.created_at, l.updated_at,
  (SELECT COUNT(*) FROM permanent_list_members m WHERE m.list_id = l.id) AS member_count`;

/** `%`, `_` and the escape itself are literal in a search. */
const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

const MEMBER_SEARCH = `(u.username_key LIKE :like ESCAPE '\\' OR lower(u.first_name) LIKE :like ESCAPE '\\'
  OR lower(u.last_name) LIKE :like ESCAPE '\\' OR lower(u.email) LIKE :like ESCAPE '\\'
  OR lower(coalesce(u.first_name, '') || ' ' || coalesce(u.last_name, '')) LIKE :like ESCAPE '\\')`;

/** Queries over the lists tables (permanent_lists, their members and shares); nothing else. */
export class ListRepository {
  constructor(private readonly sequelize: Sequelize) {}

  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  private select<T extends object>(sql: string, replacements: Record<string, unknown>, unit?: UnitOfWork): Promise<T[]> {
    return this.sequelize.query<T>(sql, { replacements, type: QueryTypes.SELECT, transaction: transactionOf(unit) });
  }

  private async write(sql: string, replacements: Record<string, unknown>, unit?: UnitOfWork): Promise<void> {
    await this.sequelize.query(sql, { replacements, transaction: transactionOf(unit) });
  }

  async insert(list: { id: string; platformId: string; name: string; owner: ListOwner; ownerName: string | null }, unit: UnitOfWork) {
    const now = new Date();
    await this.write(
      `INSERT INTO permanent_lists (id, platform_id, name, owner_kind, owner_ref, owner_name, shared_with_all, created_at, updated_at)
       VALUES (:id, :platformId, :name, :kind, :ref, :ownerName, :no, :now, :now)`,
      { ...list, kind: list.owner.kind, ref: list.owner.ref, no: false, now },
      unit,
    );
  }

  /** The list of this platform with this id, or null (another platform's is never found). */
  async get(platformId: string, id: string, unit?: UnitOfWork): Promise<PermanentList | null> {
    const [row] = await this.select<ListRow>(
      `SELECT ${LIST_COLUMNS} FROM permanent_lists l WHERE l.id = :id AND l.platform_id = :platformId`,
      { id, platformId },
      unit,
    );
    return row ? (await this.withShares([row], unit))[0]! : null;
  }

  /** Lists the viewer owns or that are shared with them (every list of the platform when `all`), by name. */
  async visibleTo(viewer: VisibleTo): Promise<PermanentList[]> {
    const rows = await this.select<ListRow>(
      `SELECT ${LIST_COLUMNS} FROM permanent_lists l
        WHERE l.platform_id = :platformId AND (:all OR (l.owner_kind = :kind AND l.owner_ref = :ref)
          OR (:lmsUser AND (l.shared_with_all = :yes OR EXISTS (SELECT 1 FROM permanent_list_shares s WHERE s.list_id = l.id AND s.sub = :ref))))
        ORDER BY lower(l.name), l.created_at LIMIT 1000`,
      {
        platformId: viewer.platformId,
        all: viewer.all,
        kind: viewer.kind,
        ref: viewer.ref,
        lmsUser: viewer.kind === 'lms-user',
        yes: true,
      },
    );
    return this.withShares(rows);
  }

  async update(id: string, change: { name?: string; sharedWithAll?: boolean }, unit: UnitOfWork): Promise<void> {
    const sets = ['updated_at = :now'];
    if (change.name !== undefined) {
      sets.push('name = :name');
    }
    if (change.sharedWithAll !== undefined) {
      sets.push('shared_with_all = :sharedWithAll');
    }
    await this.write(`UPDATE permanent_lists SET ${sets.join(', ')} WHERE id = :id`, { id, now: new Date(), ...change }, unit);
  }

  /** Members and shares go with it (foreign keys ON DELETE CASCADE, named here too for clarity on every database). */
  async remove(id: string, unit: UnitOfWork): Promise<void> {
    await this.write('DELETE FROM permanent_list_members WHERE list_id = :id', { id }, unit);
    await this.write('DELETE FROM permanent_list_shares WHERE list_id = :id', { id }, unit);
    await this.write('DELETE FROM permanent_lists WHERE id = :id', { id }, unit);
  }

  /** Of `userIds`, the users of this platform who are not on the list yet. */
  async newMembers(listId: string, platformId: string, userIds: string[], unit: UnitOfWork): Promise<string[]> {
    if (userIds.length === 0) {
      return [];
    }
    const rows = await this.select<{ id: string }>(
      `SELECT u.id FROM permanent_users u WHERE u.platform_id = :platformId AND u.id IN (:userIds)
         AND NOT EXISTS (SELECT 1 FROM permanent_list_members m WHERE m.list_id = :listId AND m.permanent_user_id = u.id)`,
      { listId, platformId, userIds },
      unit,
    );
    return rows.map((r) => r.id);
  }

  async addMembers(listId: string, userIds: string[], unit: UnitOfWork): Promise<void> {
    const now = new Date();
    for (let i = 0; i < userIds.length; i += 500) {
      const chunk = userIds.slice(i, i + 500);
      const values = chunk.map((_id, j) => `(:listId, :u${j}, :now)`).join(', ');
      const replacements = Object.fromEntries(chunk.map((id, j) => [`u${j}`, id]));
      await this.write(
        `INSERT INTO permanent_list_members (list_id, permanent_user_id, added_at) VALUES ${values}`,
        { listId, now, ...replacements },
        unit,
      );
    }
  }

  /** Removes those of `userIds` that are on the list; returns how many were. */
  async removeMembers(listId: string, userIds: string[], unit: UnitOfWork): Promise<number> {
    if (userIds.length === 0) {
      return 0;
    }
    const [{ n } = { n: 0 }] = await this.select<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM permanent_list_members WHERE list_id = :listId AND permanent_user_id IN (:userIds)',
      { listId, userIds },
      unit,
    );
    await this.write(
      'DELETE FROM permanent_list_members WHERE list_id = :listId AND permanent_user_id IN (:userIds)',
      { listId, userIds },
      unit,
    );
    return Number(n);
  }

  /** One page of the list's members (by last name, first name, username), optionally searched. */
  async members(listId: string, query: { text: string; offset: number; limit: number }): Promise<{ members: MemberRow[]; total: number }> {
    const text = query.text.normalize('NFC').trim().toLowerCase();
    const where = `m.list_id = :listId${text ? ` AND ${MEMBER_SEARCH}` : ''}`;
    const from = 'FROM permanent_list_members m JOIN permanent_users u ON u.id = m.permanent_user_id';
    const replacements = { listId, like: likeOf(text), offset: query.offset, limit: query.limit };
    const [{ n } = { n: 0 }] = await this.select<{ n: number | string }>(`SELECT COUNT(*) AS n ${from} WHERE ${where}`, replacements);
    const rows = await this.select<Record<string, unknown>>(
      `SELECT u.id, u.username, u.first_name, u.last_name, u.email, u.deleted_at, u.eligible ${from} WHERE ${where}
        ORDER BY lower(coalesce(u.last_name, '')), lower(coalesce(u.first_name, '')), u.username_key LIMIT :limit OFFSET :offset`,
      replacements,
    );
    return { members: rows.map(memberOf), total: Number(n) };
  }

  /** Every member with whether they are a candidate of the test already (any status), for the add-to-test plan. */
  async membersForExam(listId: string, examId: string, unit?: UnitOfWork): Promise<Array<MemberRow & { onTest: boolean }>> {
    const rows = await this.select<Record<string, unknown>>(
      `SELECT u.id, u.username, u.first_name, u.last_name, u.email, u.deleted_at, u.eligible,
              EXISTS (SELECT 1 FROM candidates c WHERE c.exam_id = :examId AND c.permanent_user_id = u.id) AS on_test
         FROM permanent_list_members m JOIN permanent_users u ON u.id = m.permanent_user_id
        WHERE m.list_id = :listId ORDER BY lower(coalesce(u.last_name, '')), lower(coalesce(u.first_name, '')), u.username_key`,
      { listId, examId },
      unit,
    );
    return rows.map((r) => ({ ...memberOf(r), onTest: Boolean(Number(r.on_test) || r.on_test === true) }));
  }

  async share(listId: string, subs: string[], unit: UnitOfWork): Promise<void> {
    for (const sub of subs) {
      await this.write(
        `INSERT INTO permanent_list_shares (list_id, sub) SELECT :listId, :sub WHERE NOT EXISTS
           (SELECT 1 FROM permanent_list_shares WHERE list_id = :listId AND sub = :sub)`,
        { listId, sub },
        unit,
      );
    }
  }

  async unshare(listId: string, subs: string[], unit: UnitOfWork): Promise<void> {
    if (subs.length > 0) {
      await this.write('DELETE FROM permanent_list_shares WHERE list_id = :listId AND sub IN (:subs)', { listId, subs }, unit);
    }
  }

  private async withShares(rows: ListRow[], unit?: UnitOfWork): Promise<PermanentList[]> {
    const ids = rows.map((r) => r.id);
    const shares = ids.length
      ? await this.select<{ list_id: string; sub: string }>(
          'SELECT list_id, sub FROM permanent_list_shares WHERE list_id IN (:ids) ORDER BY sub',
          { ids },
          unit,
        )
      : [];
    return rows.map((r) => ({
      id: r.id,
      platformId: r.platform_id,
      name: r.name,
      owner: { kind: r.owner_kind === 'admin-account' ? 'admin-account' : 'lms-user', ref: r.owner_ref },
      ownerName: r.owner_name,
      sharedWithAll: Boolean(Number(r.shared_with_all) || r.shared_with_all === true),
      sharedWith: shares.filter((s) => s.list_id === r.id).map((s) => s.sub),
      memberCount: Number(r.member_count),
      createdAt: dateOf(r.created_at)!,
      updatedAt: dateOf(r.updated_at)!,
    }));
  }
}

function memberOf(r: Record<string, unknown>): MemberRow {
  const text = (v: unknown) => (typeof v === 'string' ? v : null);
  return {
    userId: String(r.id),
    username: String(r.username),
    firstName: text(r.first_name),
    lastName: text(r.last_name),
    email: text(r.email),
    deletedAt: dateOf((r.deleted_at as Date | string | null) ?? null),
    eligible: Boolean(Number(r.eligible) || r.eligible === true),
  };
}
