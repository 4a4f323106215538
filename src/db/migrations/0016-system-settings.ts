import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * System settings (admin page): one row for the installation (`scope` 'installation', no
 * platform) and one per platform that overrides any of it (`scope` = the platform's id, removed
 * with the platform). A null column means "not set here": a platform's falls back to the
 * installation's, the installation's to the environment (FINISH_REDIRECT_URL) or the built-in
 * default. Ways in remember when their lifetime ends (`ways_in.expires_at`), fixed when issued,
 * so a change of the default lifetime applies to links issued after it and never moves old ones.
 */
export const systemSettings: Migration = {
  name: '0016-system-settings',
  async up(qi: QueryInterface) {
    await qi.createTable('system_settings', {
      scope: { type: DataTypes.STRING(36), allowNull: false, primaryKey: true },
      platform_id: {
        type: DataTypes.STRING(36),
        allowNull: true,
        unique: true,
        references: { model: 'lms_platforms', key: 'id' },
        onDelete: 'CASCADE',
      },
      finish_redirect_url: { type: DataTypes.TEXT, allowNull: true },
      link_lifetime_hours: { type: DataTypes.INTEGER, allowNull: true },
      // 'auto' (the browser's language), ';' or ','.
      csv_delimiter: { type: DataTypes.STRING(8), allowNull: true },
      slip_password: { type: DataTypes.BOOLEAN, allowNull: true },
      slip_entry_code: { type: DataTypes.BOOLEAN, allowNull: true },
      slip_link: { type: DataTypes.BOOLEAN, allowNull: true },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addColumn('ways_in', 'expires_at', { type: DataTypes.DATE, allowNull: true });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('system_settings');
    // Not qi.removeColumn, which on SQLite copies the table and loses its indexes (0008).
    await qi.sequelize.query('ALTER TABLE ways_in DROP COLUMN expires_at');
  },
};
