import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * CSV imports (src/imports): one row per uploaded file, first a preview (expiring, nothing of
 * it applied), then, once committed in the same transaction as its rows, the import report
 * (who, when, file name and SHA-256, counts, each row's outcome). `target_id` is what the rows
 * went into (a test for candidate imports); `kind` which import it was. Rows and outcomes are
 * JSON the engine reads back whole: a report is read as one piece, never queried by row.
 */
export const importReports: Migration = {
  name: '0017-import-reports',
  async up(qi: QueryInterface) {
    await qi.createTable('imports', {
      id: { type: DataTypes.STRING(36), allowNull: false, primaryKey: true },
      kind: { type: DataTypes.STRING(40), allowNull: false },
      target_id: { type: DataTypes.STRING(64), allowNull: false },
      // 'preview', 'queued' (a job commits it), 'committed', 'failed'.
      status: { type: DataTypes.STRING(16), allowNull: false },
      file_name: { type: DataTypes.STRING(255), allowNull: false },
      file_sha256: { type: DataTypes.STRING(64), allowNull: false },
      file_bytes: { type: DataTypes.INTEGER, allowNull: false },
      // Who uploaded it (an AuditBy, as JSON): a job's commit is recorded as theirs.
      created_by: { type: DataTypes.TEXT, allowNull: false },
      summary: { type: DataTypes.TEXT, allowNull: false },
      lines: { type: DataTypes.TEXT, allowNull: false },
      payload: { type: DataTypes.TEXT, allowNull: true },
      job_id: { type: DataTypes.STRING(36), allowNull: true },
      error: { type: DataTypes.TEXT, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: true },
      committed_at: { type: DataTypes.DATE, allowNull: true },
    });
    await qi.addIndex('imports', ['target_id', 'kind', 'created_at'], { name: 'imports_target' });
    await qi.addIndex('imports', ['target_id', 'file_sha256'], { name: 'imports_file' });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('imports');
  },
};
