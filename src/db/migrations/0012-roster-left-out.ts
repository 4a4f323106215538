import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * The course members a roster sync left out because the test was full, in the order free
 * seats take them: the candidates page names them, and the instructor can add one in place of
 * another. Rewritten by each sync that changes it; gone with the test.
 */
export const rosterLeftOut: Migration = {
  name: '0012-roster-left-out',
  async up(qi: QueryInterface) {
    await qi.createTable('roster_left_out', {
      exam_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        primaryKey: true,
        references: { model: 'exams', key: 'id' },
        onDelete: 'CASCADE',
      },
      lms_user_id: { type: DataTypes.STRING(255), allowNull: false, primaryKey: true },
      // First left out, first in: the position is the member's place in the queue for a freed seat.
      position: { type: DataTypes.INTEGER, allowNull: false },
      name: { type: DataTypes.TEXT, allowNull: true },
      email: { type: DataTypes.STRING(500), allowNull: true },
      sis_id: { type: DataTypes.STRING(255), allowNull: true },
    });
    await qi.addIndex('roster_left_out', ['exam_id', 'position'], { name: 'roster_left_out_queue' });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('roster_left_out');
  },
};
