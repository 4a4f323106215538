import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * Start leaves the LMS frame: each test says where the delivery engine opens (a new tab or the
 * whole window), and an attempt is *handed off* when examgate signs the hand-off and *started*
 * only when the engine reports it. Until now `started_at` was written at hand-off time, so for
 * the attempts already under way it is also the time they were handed off.
 */
export const openInAndHandedOff: Migration = {
  name: '0008-open-in-and-handed-off',
  async up(qi: QueryInterface) {
    await qi.addColumn('exams', 'open_in', { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'new_tab' });
    await qi.addColumn('candidates', 'handed_off_at', { type: DataTypes.DATE, allowNull: true });
    await qi.sequelize.query(
      "UPDATE candidates SET handed_off_at = started_at WHERE attempt_state IN ('started', 'finished') AND started_at IS NOT NULL",
    );
  },
  async down(qi: QueryInterface) {
    // An attempt handed off but not yet started was "started" under the old meaning.
    await qi.sequelize.query(
      "UPDATE candidates SET attempt_state = 'started', started_at = handed_off_at WHERE attempt_state = 'handed_off'",
    );
    // Not qi.removeColumn: on SQLite it copies the table and turns its composite unique indexes into
    // single-column ones (one candidate per test). Both databases drop a plain column in place.
    await qi.sequelize.query('ALTER TABLE candidates DROP COLUMN handed_off_at');
    await qi.sequelize.query('ALTER TABLE exams DROP COLUMN open_in');
  },
};
