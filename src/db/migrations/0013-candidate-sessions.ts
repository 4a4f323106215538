import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * Sessions that did not come from an LMS launch: a candidate who signed in with one-time
 * credentials, a direct link or an entry code. `kind` tells them apart ('launch' or
 * 'candidate'); for a candidate session `launch` holds its principal (who, on which test, by
 * which way in), `candidate_id` names the candidate and `way` the way in, so changing their
 * password or revoking their link can end the sessions it opened. Candidates remember which way in their latest
 * hand-off came from (`attempt_way`): the way back after a finish depends on it. A candidate
 * outside the LMS who tries a demo test becomes a candidate of it `demo_for` their own
 * candidate (candidates.id), once per demo test.
 */
export const candidateSessions: Migration = {
  name: '0013-candidate-sessions',
  async up(qi: QueryInterface) {
    await qi.addColumn('sessions', 'kind', { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'launch' });
    await qi.addColumn('sessions', 'candidate_id', { type: DataTypes.STRING(36), allowNull: true });
    await qi.addColumn('sessions', 'way', { type: DataTypes.STRING(16), allowNull: true });
    await qi.addIndex('sessions', ['candidate_id'], { name: 'sessions_candidate' });
    await qi.addColumn('candidates', 'attempt_way', { type: DataTypes.STRING(16), allowNull: true });
    await qi.addColumn('candidates', 'demo_for', { type: DataTypes.STRING(36), allowNull: true });
    await qi.addIndex('candidates', ['exam_id', 'demo_for'], { unique: true, name: 'candidates_exam_demo_for' });
  },
  async down(qi: QueryInterface) {
    // Not qi.removeColumn: on SQLite it rebuilds the table and loses the composite unique indexes (see 0008).
    await qi.removeIndex('sessions', 'sessions_candidate');
    await qi.removeIndex('candidates', 'candidates_exam_demo_for');
    for (const [table, column] of [
      ['candidates', 'demo_for'],
      ['candidates', 'attempt_way'],
      ['sessions', 'candidate_id'],
      ['sessions', 'way'],
      ['sessions', 'kind'],
    ] as const) {
      await qi.sequelize.query(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    }
  },
};
