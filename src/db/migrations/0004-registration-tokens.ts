import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * Registration URLs an admin hands out for LTI Dynamic Registration (only a hash of each
 * token is kept), and a status per platform so a dynamically registered LMS waits for an
 * admin's approval before it can launch or frame examgate.
 */
export const registrationTokens: Migration = {
  name: '0004-registration-tokens',
  async up(qi: QueryInterface) {
    await qi.createTable('registration_tokens', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      token_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      /** Set while one registration is under way with this token; a stale one (crashed process) lapses. */
      attempt_started_at: { type: DataTypes.DATE, allowNull: true },
      used_at: { type: DataTypes.DATE, allowNull: true },
      /** Kept as plain values, not a reference: the list still says who used it after the platform is removed. */
      used_by_platform_id: { type: DataTypes.STRING(36), allowNull: true },
      used_by_platform_name: { type: DataTypes.STRING(200), allowNull: true },
      revoked_at: { type: DataTypes.DATE, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addColumn('lms_platforms', 'status', { type: DataTypes.STRING(10), allowNull: false, defaultValue: 'active' });
  },
  async down(qi: QueryInterface) {
    await qi.removeColumn('lms_platforms', 'status');
    await qi.dropTable('registration_tokens');
  },
};
