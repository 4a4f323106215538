import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * The bulk upload of permanent users (seed 004) and its passwords at scale.
 *
 * `permanent_import_options`: the options an admin chose on one upload form (upload type,
 * passwords, existing details and their defaults, forced change, deletes, e-mail), as JSON; the
 * common password inside is sealed. The preview, the commit and a job that commits later all
 * read the same row, so what the admin saw is what is applied.
 *
 * `permanent_password_queue`: the passwords an upload gave its users, sealed under SECRET_KEY,
 * waiting for the hashing job (the upload never hashes: 100 000 slow hashes would take minutes).
 * One entry per user (a later upload replaces it); the job writes the hash and deletes the entry
 * in one transaction, so a crash loses nothing and writes nothing twice.
 *
 * `permanent_password_handouts`: the generated passwords of one upload whose users get no
 * e-mail, sealed, for the admin to download once (deleted on download).
 */
export const permanentPasswordQueue: Migration = {
  name: '0020-permanent-password-queue',
  async up(qi: QueryInterface) {
    const platformRef = {
      type: DataTypes.STRING(36),
      allowNull: false,
      references: { model: 'lms_platforms', key: 'id' },
      onDelete: 'CASCADE',
    } as const;
    await qi.createTable('permanent_import_options', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      platform_id: platformRef,
      options: { type: DataTypes.TEXT, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.createTable('permanent_password_queue', {
      user_id: {
        type: DataTypes.STRING(36),
        primaryKey: true,
        references: { model: 'permanent_users', key: 'id' },
        onDelete: 'CASCADE',
      },
      platform_id: platformRef,
      sealed: { type: DataTypes.TEXT, allowNull: false },
      queued_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('permanent_password_queue', ['platform_id', 'user_id'], { name: 'permanent_password_queue_platform' });
    await qi.createTable('permanent_password_handouts', {
      options_id: {
        type: DataTypes.STRING(36),
        primaryKey: true,
        references: { model: 'permanent_import_options', key: 'id' },
        onDelete: 'CASCADE',
      },
      platform_id: platformRef,
      sealed: { type: DataTypes.TEXT, allowNull: false },
      count: { type: DataTypes.INTEGER, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
    });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('permanent_password_handouts');
    await qi.dropTable('permanent_password_queue');
    await qi.dropTable('permanent_import_options');
  },
};
