import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * Candidate photos of permanent users (a bulk upload's ZIP, `photos/<username>.jpg|png`).
 *
 * `permanent_user_photos`: at most one photo per permanent user, written in the same transaction
 * as the upload's commit. `content_type` comes from the bytes (JPEG or PNG magic numbers), never
 * from the file name; `sha256` lets a re-upload of the same photo be "unchanged".
 *
 * `permanent_upload_photos`: the photos of one upload's preview, keyed by the upload's options
 * row (one per upload form sent), until its commit copies them into permanent_user_photos and
 * deletes them. A photo refused while reading the ZIP is kept as its reason (no bytes), so the
 * preview and the report list every entry. Housekeeping drops the stage of a preview nobody
 * committed once the preview has expired.
 */
export const permanentUserPhotos: Migration = {
  name: '0024-permanent-user-photos',
  async up(qi: QueryInterface) {
    await qi.createTable('permanent_user_photos', {
      user_id: {
        type: DataTypes.STRING(36),
        primaryKey: true,
        references: { model: 'permanent_users', key: 'id' },
        onDelete: 'CASCADE',
      },
      platform_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        references: { model: 'lms_platforms', key: 'id' },
        onDelete: 'CASCADE',
      },
      content_type: { type: DataTypes.STRING(32), allowNull: false },
      bytes: { type: DataTypes.BLOB, allowNull: false },
      size: { type: DataTypes.INTEGER, allowNull: false },
      sha256: { type: DataTypes.STRING(64), allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.createTable('permanent_upload_photos', {
      options_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        primaryKey: true,
        references: { model: 'permanent_import_options', key: 'id' },
        onDelete: 'CASCADE',
      },
      entry: { type: DataTypes.STRING(1000), allowNull: false, primaryKey: true },
      username_key: { type: DataTypes.STRING(2000), allowNull: true },
      content_type: { type: DataTypes.STRING(32), allowNull: true },
      bytes: { type: DataTypes.BLOB, allowNull: true },
      size: { type: DataTypes.INTEGER, allowNull: false },
      sha256: { type: DataTypes.STRING(64), allowNull: true },
      refused: { type: DataTypes.STRING(500), allowNull: true },
      staged_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('permanent_upload_photos', ['staged_at'], { name: 'permanent_upload_photos_staged_at' });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('permanent_upload_photos');
    await qi.dropTable('permanent_user_photos');
  },
};
