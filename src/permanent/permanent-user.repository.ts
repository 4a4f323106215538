import { Op, QueryTypes, UniqueConstraintError, type Sequelize, type WhereOptions } from 'sequelize';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';
import { DETAIL_FIELDS, type CandidacyOf, type DetailField, type PermanentUser, type PermanentUserDetails } from './permanent-user.js';
import { definePermanentUserModel, PermanentUserRow } from './permanent-user.model.js';

/** The permanent_users column of each detail (the bulk upload's repository writes them too). */
export const COLUMN_OF: Record<DetailField, keyof PermanentUserRow & string> = {
  clientId: 'client_id',
  title: 'title',
  firstName: 'first_name',
  lastName: 'last_name',
  email: 'email',
  role: 'role',
  phone: 'phone',
  venue: 'venue',
  bookingStatus: 'booking_status',
};

/** A stored user with its hash: only the service sees it. */
export interface StoredPermanentUser extends PermanentUser {
  passwordHash: string | null;
}

export type Which = 'active' | 'deleted' | 'all';

export interface UserSearch {
  platformId: string;
  /** Part of a name, username or e-mail, any letter case. */
  text: string;
  which: Which;
  offset: number;
  limit: number;
}

export class UsernameClashError extends Error {}

function toUser(row: PermanentUserRow): StoredPermanentUser {
  const details = Object.fromEntries(DETAIL_FIELDS.map((f) => [f, row[COLUMN_OF[f]] as string | null])) as Record<
    DetailField,
    string | null
  >;
  return {
    ...details,
    eligible: Boolean(row.eligible),
    id: row.id,
    platformId: row.platform_id,
    username: row.username,
    passwordState: row.password_pending ? 'pending' : row.password_hash ? 'set' : 'none',
    passwordHash: row.password_pending ? null : row.password_hash,
    passwordWeak: Boolean(row.password_weak),
    mustChangePassword: Boolean(row.must_change_password),
    deletedAt: row.deleted_at ? new Date(row.deleted_at) : null,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  };
}

type DetailColumns = Pick<
  PermanentUserRow,
  'client_id' | 'title' | 'first_name' | 'last_name' | 'email' | 'role' | 'phone' | 'venue' | 'booking_status' | 'eligible'
>;

function detailColumns(d: PermanentUserDetails): DetailColumns {
  return {
    client_id: d.clientId,
    title: d.title,
    first_name: d.firstName,
    last_name: d.lastName,
    email: d.email,
    role: d.role,
    phone: d.phone,
    venue: d.venue,
    booking_status: d.bookingStatus,
    eligible: d.eligible,
  };
}

const SPACED_NAME = "lower(coalesce(first_name, '') || ' ' || coalesce(last_name, ''))";

/** `%`, `_` and the escape itself are literal in a search. */
const likeOf = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Queries over permanent_users; nothing else. */
export class PermanentUserRepository {
  constructor(private readonly sequelize: Sequelize) {
    definePermanentUserModel(sequelize);
  }

  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  /** Throws UsernameClashError when the platform has the username (any case) already. */
  async insert(
    user: { id: string; platformId: string; username: string; usernameKey: string; details: PermanentUserDetails },
    password: { hash: string | null; weak: boolean; mustChange: boolean },
    unit?: UnitOfWork,
  ): Promise<StoredPermanentUser> {
    try {
      const row = await PermanentUserRow.create(
        {
          id: user.id,
          platform_id: user.platformId,
          username: user.username,
          username_key: user.usernameKey,
          ...detailColumns(user.details),
          password_hash: password.hash,
          password_pending: false,
          password_weak: password.weak,
          must_change_password: password.mustChange,
          deleted_at: null,
        },
        { transaction: transactionOf(unit) },
      );
      return toUser(row);
    } catch (err) {
      throw err instanceof UniqueConstraintError ? new UsernameClashError() : err;
    }
  }

  async get(platformId: string, id: string, unit?: UnitOfWork): Promise<StoredPermanentUser | null> {
    const row = await PermanentUserRow.findOne({ where: { id, platform_id: platformId }, transaction: transactionOf(unit) });
    return row ? toUser(row) : null;
  }

  /** The users of `ids` on the platform, in one read (a list of 1500 is added at once); unknown ids are left out. */
  async getMany(platformId: string, ids: string[]): Promise<Map<string, StoredPermanentUser>> {
    const users = new Map<string, StoredPermanentUser>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await PermanentUserRow.findAll({ where: { id: { [Op.in]: ids.slice(i, i + 500) }, platform_id: platformId } });
      rows.forEach((row) => users.set(row.id, toUser(row)));
    }
    return users;
  }

  /** One page of a platform's users, by last name, first name, username. */
  async search(query: UserSearch): Promise<{ users: PermanentUser[]; total: number }> {
    const where: WhereOptions = { platform_id: query.platformId };
    if (query.which !== 'all') {
      Object.assign(where, { deleted_at: query.which === 'active' ? null : { [Op.ne]: null } });
    }
    const text = query.text.normalize('NFC').trim().toLowerCase();
    if (text) {
      // Lower-cased on both sides (LIKE is case-sensitive on PostgreSQL); SQLite has no default LIKE escape.
      const searched = ['username_key', 'lower(first_name)', 'lower(last_name)', 'lower(email)', SPACED_NAME];
      Object.assign(where, { [Op.or]: searched.map((column) => this.sequelize.literal(`${column} LIKE :like ESCAPE '\\'`)) });
    }
    const { rows, count } = await PermanentUserRow.findAndCountAll({
      where,
      order: [
        ['last_name', 'ASC'],
        ['first_name', 'ASC'],
        ['username_key', 'ASC'],
      ],
      offset: query.offset,
      limit: query.limit,
      replacements: { like: likeOf(text) },
    });
    return { users: rows.map(toUser), total: count };
  }

  /** Throws UsernameClashError when another user of the platform has the username. */
  async update(
    platformId: string,
    id: string,
    change: { username: string; usernameKey: string; details: PermanentUserDetails },
    unit?: UnitOfWork,
  ): Promise<void> {
    try {
      await PermanentUserRow.update(
        { username: change.username, username_key: change.usernameKey, ...detailColumns(change.details) },
        { where: { id, platform_id: platformId }, transaction: transactionOf(unit) },
      );
    } catch (err) {
      throw err instanceof UniqueConstraintError ? new UsernameClashError() : err;
    }
  }

  async setDeleted(platformId: string, id: string, deletedAt: Date | null, unit?: UnitOfWork): Promise<void> {
    await PermanentUserRow.update({ deleted_at: deletedAt }, { where: { id, platform_id: platformId }, transaction: transactionOf(unit) });
  }

  async setPassword(id: string, password: { hash: string; weak: boolean; mustChange: boolean }, unit?: UnitOfWork): Promise<void> {
    await PermanentUserRow.update(
      { password_hash: password.hash, password_pending: false, password_weak: password.weak, must_change_password: password.mustChange },
      { where: { id }, transaction: transactionOf(unit) },
    );
  }

  /** Users of any platform with this username key who may sign in: not deleted, a hash that is ready. */
  async signInCandidates(usernameKey: string): Promise<StoredPermanentUser[]> {
    const rows = await PermanentUserRow.findAll({
      where: { username_key: usernameKey, deleted_at: null, password_pending: false, password_hash: { [Op.ne]: null } },
      limit: 10,
    });
    return rows.map(toUser);
  }

  /** The tests the user is an active candidate of, newest first: what their candidate session covers. */
  async activeCandidacies(permanentUserId: string): Promise<Array<{ examId: string; candidateId: string }>> {
    const rows = await this.sequelize.query<{ exam_id: string; id: string }>(
      `SELECT c.exam_id, c.id FROM candidates c JOIN exams e ON e.id = c.exam_id
        WHERE c.permanent_user_id = :permanentUserId AND c.status = 'active' ORDER BY e.created_at DESC, c.id`,
      { replacements: { permanentUserId }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({ examId: r.exam_id, candidateId: r.id }));
  }

  /**
   * Which of `ids` are candidates of the test already, leaving out the candidates `except` (rows
   * the caller has just added in `unit` and is checking against everyone else's).
   */
  async alreadyOn(examId: string, ids: string[], unit?: UnitOfWork, except: string[] = []): Promise<Set<string>> {
    if (ids.length === 0) {
      return new Set();
    }
    const leaveOut = except.length > 0 ? ' AND id NOT IN (:except)' : '';
    const rows = await this.sequelize.query<{ permanent_user_id: string }>(
      `SELECT permanent_user_id FROM candidates WHERE exam_id = :examId AND permanent_user_id IN (:ids)${leaveOut}`,
      { replacements: { examId, ids, except }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
    return new Set(rows.map((r) => r.permanent_user_id));
  }

  /** The tests the user is a candidate of, newest first. */
  async candidacies(permanentUserId: string): Promise<CandidacyOf[]> {
    const rows = await this.sequelize.query<{ exam_id: string; title: string; status: string; candidate_id: string; cstatus: string }>(
      `SELECT e.id AS exam_id, e.title, e.status, c.candidate_id, c.status AS cstatus
         FROM candidates c JOIN exams e ON e.id = c.exam_id
        WHERE c.permanent_user_id = :permanentUserId ORDER BY e.created_at DESC`,
      { replacements: { permanentUserId }, type: QueryTypes.SELECT },
    );
    return rows.map((r) => ({
      examId: r.exam_id,
      examTitle: r.title,
      examStatus: r.status,
      candidateLabel: r.candidate_id,
      candidateStatus: r.cstatus,
    }));
  }
}
