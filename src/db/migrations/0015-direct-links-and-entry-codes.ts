import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * Personal ways in that need no LMS: a direct link and an entry code per candidate. A way in
 * is found by the SHA-256 of what the candidate brings (`lookup_hash`), never by the value
 * itself; the value is kept sealed only so staff can show and export it again. A revoked row
 * stays, so its link or code says "withdrawn" instead of "unknown". At most one live (not
 * revoked) way of each kind per candidate: two staff opening the page at once cannot issue two.
 * A test may override when its ways in expire (`exams.access_expires_at`).
 */
export const directLinksAndEntryCodes: Migration = {
  name: '0015-direct-links-and-entry-codes',
  async up(qi: QueryInterface) {
    await qi.createTable('ways_in', {
      id: { type: DataTypes.STRING(36), allowNull: false, primaryKey: true },
      exam_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        references: { model: 'exams', key: 'id' },
        onDelete: 'CASCADE',
      },
      candidate_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        references: { model: 'candidates', key: 'id' },
        onDelete: 'CASCADE',
      },
      // 'link' or 'code'.
      kind: { type: DataTypes.STRING(8), allowNull: false },
      lookup_hash: { type: DataTypes.STRING(64), allowNull: false, unique: true },
      sealed_value: { type: DataTypes.TEXT, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      revoked_at: { type: DataTypes.DATE, allowNull: true },
    });
    await qi.addIndex('ways_in', ['exam_id', 'kind'], { name: 'ways_in_exam' });
    // Every candidate's ways in, revoked ones too: what the staff page and issuing look up per candidate.
    await qi.addIndex('ways_in', ['candidate_id', 'kind'], { name: 'ways_in_candidate' });
    // A partial unique index: both SQLite and PostgreSQL have them, with the same syntax.
    await qi.sequelize.query('CREATE UNIQUE INDEX ways_in_one_live ON ways_in (candidate_id, kind) WHERE revoked_at IS NULL');
    await qi.addColumn('exams', 'access_expires_at', { type: DataTypes.DATE, allowNull: true });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('ways_in');
    // Not qi.removeColumn, which on SQLite copies the table and loses its indexes (0008).
    await qi.sequelize.query('ALTER TABLE exams DROP COLUMN access_expires_at');
  },
};
