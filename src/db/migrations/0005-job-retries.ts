import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * Jobs that survive faults: each claim writes a fresh lease token (only its holder may write
 * progress or the outcome), runs are counted against a per-job limit, and a failed run waits
 * until `run_after` before its next try.
 */
export const jobRetries: Migration = {
  name: '0005-job-retries',
  async up(qi: QueryInterface) {
    await qi.addColumn('jobs', 'lease_token', { type: DataTypes.STRING(36), allowNull: true });
    await qi.addColumn('jobs', 'attempts', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 });
    await qi.addColumn('jobs', 'max_attempts', { type: DataTypes.INTEGER, allowNull: false, defaultValue: 1 });
    await qi.addColumn('jobs', 'run_after', { type: DataTypes.DATE, allowNull: true });
  },
  async down(qi: QueryInterface) {
    for (const column of ['run_after', 'max_attempts', 'attempts', 'lease_token']) {
      await qi.removeColumn('jobs', column);
    }
  },
};
