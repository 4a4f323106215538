import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * The way back to the course (the launch's launch_presentation.return_url), kept with the attempt:
 * the candidate comes back from the engine in a new tab that has no examgate session cookie, so
 * the finish page finds it by the attempt reference, not by the session.
 */
export const attemptReturnUrl: Migration = {
  name: '0010-attempt-return-url',
  async up(qi: QueryInterface) {
    await qi.addColumn('candidates', 'attempt_return_url', { type: DataTypes.STRING(2000), allowNull: true });
  },
  async down(qi: QueryInterface) {
    // Not qi.removeColumn: on SQLite it rebuilds the table and loses the composite unique indexes (see 0008).
    await qi.sequelize.query('ALTER TABLE candidates DROP COLUMN attempt_return_url');
  },
};
