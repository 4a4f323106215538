import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * One-time users: the username and generated password of exactly one candidate on one test.
 * The candidate login page has no course or platform to narrow by, so `username_key` (NFC,
 * lower case) is unique across the installation. The password is sealed (staff show it again
 * after activation), never hashed. Gone with the candidate, and so with the test.
 */
export const oneTimeUsers: Migration = {
  name: '0014-one-time-users',
  async up(qi: QueryInterface) {
    await qi.createTable('one_time_users', {
      candidate_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        primaryKey: true,
        references: { model: 'candidates', key: 'id' },
        onDelete: 'CASCADE',
      },
      exam_id: { type: DataTypes.STRING(36), allowNull: false, references: { model: 'exams', key: 'id' }, onDelete: 'CASCADE' },
      // As staff typed or examgate generated it, for showing.
      username: { type: DataTypes.STRING(500), allowNull: false },
      // Lower-cased, so a few characters may grow (500 typed characters fit well within this).
      username_key: { type: DataTypes.STRING(1000), allowNull: false },
      password_sealed: { type: DataTypes.TEXT, allowNull: false },
      password_set_at: { type: DataTypes.DATE, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('one_time_users', ['username_key'], { unique: true, name: 'one_time_users_username_key' });
    await qi.addIndex('one_time_users', ['exam_id'], { name: 'one_time_users_exam' });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('one_time_users');
  },
};
