import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * The nonce examgate issued at login initiation, kept with that login's state so a launch is
 * accepted only with it; and the shared throttle counters every process counts into.
 */
export const loginNoncesAndThrottle: Migration = {
  name: '0003-login-nonces-and-throttle',
  async up(qi: QueryInterface) {
    // Nullable: a login recorded before this migration has no nonce and can no longer complete.
    await qi.addColumn('login_requests', 'nonce', { type: DataTypes.STRING(100), allowNull: true });

    await qi.createTable('throttle_counters', {
      bucket: { type: DataTypes.STRING(60), primaryKey: true },
      // A digest of the key (an address, an account): no personal data at rest.
      subject: { type: DataTypes.STRING(64), primaryKey: true },
      // Epoch milliseconds: compared and computed in SQL the same way on SQLite and PostgreSQL.
      window_start: { type: DataTypes.BIGINT, allowNull: false },
      hits: { type: DataTypes.INTEGER, allowNull: false },
      expires_at: { type: DataTypes.BIGINT, allowNull: false },
    });
    await qi.addIndex('throttle_counters', ['expires_at'], { name: 'throttle_counters_expires_at' });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('throttle_counters');
    await qi.removeColumn('login_requests', 'nonce');
  },
};
