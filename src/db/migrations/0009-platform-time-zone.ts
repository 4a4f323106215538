import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * Each platform's default time zone for new tests, an administrator's setting: an LMS launch
 * names no zone, and UTC is rarely where an institution's exams happen. Existing platforms
 * keep UTC, what their tests defaulted to until now.
 */
export const platformTimeZone: Migration = {
  name: '0009-platform-time-zone',
  async up(qi: QueryInterface) {
    await qi.addColumn('lms_platforms', 'default_time_zone', { type: DataTypes.STRING(64), allowNull: false, defaultValue: 'UTC' });
  },
  async down(qi: QueryInterface) {
    await qi.removeColumn('lms_platforms', 'default_time_zone');
  },
};
