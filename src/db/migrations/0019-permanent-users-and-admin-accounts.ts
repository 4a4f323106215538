import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

const platformRef = {
  type: DataTypes.STRING(36),
  allowNull: false,
  references: { model: 'lms_platforms', key: 'id' },
  onDelete: 'CASCADE',
} as const;

/**
 * Institution admin accounts and permanent users, both per platform (the tenant).
 *
 * `admin_accounts`: username + scrypt hash (the parameters travel inside the hash string, so
 * they can be raised later without a migration), an optional TOTP secret (sealed: it must be
 * read back to check codes) and the last TOTP step accepted, so a code is never used twice.
 *
 * `permanent_users`: the seed 004 columns (Client ID … Booking Status) as the later bulk
 * upload will fill them. `password_hash` is null while `password_pending` says a hash is still
 * being made by the hashing job: such a user cannot sign in at all (never with a stale or empty
 * hash). `password_weak` flags a chosen password that breaks the seed 002 rule;
 * `must_change_password` forces a change at the next sign-in. Deleting sets `deleted_at`
 * (undelete clears it): the row stays, so the tests they took keep their candidate.
 * Usernames are unique per platform on `username_key` (NFC, lower case).
 *
 * `candidates.permanent_user_id` links a candidate of source 'permanent' to the user.
 */
export const permanentUsersAndAdminAccounts: Migration = {
  name: '0019-permanent-users-and-admin-accounts',
  async up(qi: QueryInterface) {
    await qi.createTable('admin_accounts', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      platform_id: platformRef,
      username: { type: DataTypes.STRING(500), allowNull: false },
      username_key: { type: DataTypes.STRING(1000), allowNull: false },
      password_hash: { type: DataTypes.STRING(300), allowNull: false },
      totp_secret_sealed: { type: DataTypes.TEXT, allowNull: true },
      totp_pending_sealed: { type: DataTypes.TEXT, allowNull: true },
      totp_last_step: { type: DataTypes.BIGINT, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('admin_accounts', ['platform_id', 'username_key'], { unique: true, name: 'admin_accounts_username' });

    await qi.createTable('permanent_users', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      platform_id: platformRef,
      username: { type: DataTypes.STRING(500), allowNull: false },
      username_key: { type: DataTypes.STRING(1000), allowNull: false },
      client_id: { type: DataTypes.STRING(200), allowNull: true },
      title: { type: DataTypes.STRING(100), allowNull: true },
      first_name: { type: DataTypes.STRING(200), allowNull: true },
      last_name: { type: DataTypes.STRING(200), allowNull: true },
      email: { type: DataTypes.STRING(320), allowNull: true },
      role: { type: DataTypes.STRING(100), allowNull: true },
      phone: { type: DataTypes.STRING(50), allowNull: true },
      eligible: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: true },
      venue: { type: DataTypes.STRING(200), allowNull: true },
      booking_status: { type: DataTypes.STRING(100), allowNull: true },
      password_hash: { type: DataTypes.STRING(300), allowNull: true },
      password_pending: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      password_weak: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      must_change_password: { type: DataTypes.BOOLEAN, allowNull: false, defaultValue: false },
      deleted_at: { type: DataTypes.DATE, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('permanent_users', ['platform_id', 'username_key'], { unique: true, name: 'permanent_users_username' });
    await qi.addIndex('permanent_users', ['platform_id', 'last_name', 'first_name'], { name: 'permanent_users_name' });
    await qi.addIndex('permanent_users', ['username_key'], { name: 'permanent_users_login' });

    await qi.addColumn('candidates', 'permanent_user_id', {
      type: DataTypes.STRING(36),
      allowNull: true,
      references: { model: 'permanent_users', key: 'id' },
      onDelete: 'SET NULL',
    });
    await qi.addIndex('candidates', ['permanent_user_id'], { name: 'candidates_permanent_user' });
  },
  async down(qi: QueryInterface) {
    await qi.removeIndex('candidates', 'candidates_permanent_user');
    await qi.removeColumn('candidates', 'permanent_user_id');
    await qi.dropTable('permanent_users');
    await qi.dropTable('admin_accounts');
  },
};
