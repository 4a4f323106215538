import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

const platformRef = {
  type: DataTypes.STRING(36),
  allowNull: false,
  references: { model: 'lms_platforms', key: 'id' },
  onDelete: 'CASCADE',
} as const;

const listRef = {
  type: DataTypes.STRING(36),
  allowNull: false,
  references: { model: 'permanent_lists', key: 'id' },
  onDelete: 'CASCADE',
} as const;

/**
 * Lists of permanent users (seed 001), per platform.
 *
 * `permanent_lists`: a named list with one owner — an LMS user of the platform (`owner_kind`
 * 'lms-user', `owner_ref` = their LTI `sub`) or an institution admin account ('admin-account',
 * admin_accounts.id); `owner_name` is the owner's name when the list was made, for the pages.
 * `shared_with_all` shares it with every instructor of the platform.
 *
 * `permanent_list_members`: who is on a list. A deleted or not-eligible user stays on it (the
 * row in permanent_users stays too); the pages mark them and adding to a test skips them.
 *
 * `permanent_list_shares`: the named colleagues (LTI `sub`s of the platform) a list is shared with.
 *
 * `platform_staff`: the staff (non-learner) LMS users examgate has seen launch, per platform,
 * with the name and e-mail of their latest launch: whom an owner can share a list with.
 */
export const permanentUserLists: Migration = {
  name: '0022-permanent-user-lists',
  async up(qi: QueryInterface) {
    await qi.createTable('permanent_lists', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      platform_id: platformRef,
      name: { type: DataTypes.STRING(200), allowNull: false },
      owner_kind: { type: DataTypes.STRING(16), allowNull: false },
      owner_ref: { type: DataTypes.STRING(255), allowNull: false },
      owner_name: { type: DataTypes.STRING(300), allowNull: true },
      shared_with_all: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('permanent_lists', ['platform_id', 'owner_kind', 'owner_ref'], { name: 'permanent_lists_owner' });

    await qi.createTable('permanent_list_members', {
      list_id: { ...listRef, primaryKey: true },
      permanent_user_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        primaryKey: true,
        references: { model: 'permanent_users', key: 'id' },
        onDelete: 'CASCADE',
      },
      added_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('permanent_list_members', ['permanent_user_id'], { name: 'permanent_list_members_user' });

    await qi.createTable('permanent_list_shares', {
      list_id: { ...listRef, primaryKey: true },
      sub: { type: DataTypes.STRING(255), allowNull: false, primaryKey: true },
    });
    await qi.addIndex('permanent_list_shares', ['sub'], { name: 'permanent_list_shares_sub' });

    await qi.createTable('platform_staff', {
      platform_id: { ...platformRef, primaryKey: true },
      sub: { type: DataTypes.STRING(255), allowNull: false, primaryKey: true },
      name: { type: DataTypes.STRING(300), allowNull: true },
      email: { type: DataTypes.STRING(320), allowNull: true },
      last_seen_at: { type: DataTypes.DATE, allowNull: false },
    });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('platform_staff');
    await qi.dropTable('permanent_list_shares');
    await qi.dropTable('permanent_list_members');
    await qi.dropTable('permanent_lists');
  },
};
