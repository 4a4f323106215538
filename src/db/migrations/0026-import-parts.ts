import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * `import_parts`: an import's lines (what the report CSV lists) and its payload (the planned
 * rows a commit applies) as numbered JSON parts of at most IMPORT_PART_ROWS rows each, instead
 * of one JSON text per import. A 100 000-row file made two texts of tens of MB, which the
 * process held several times over (the text, the driver's copy, the database's) while storing
 * and reading them; a part is a few hundred kB. Imports stored before keep `imports.lines` and
 * `imports.payload`, which are read when an import has no parts.
 */
export const importParts: Migration = {
  name: '0026-import-parts',
  async up(qi: QueryInterface) {
    await qi.createTable('import_parts', {
      import_id: { type: DataTypes.STRING(36), allowNull: false, primaryKey: true },
      // 'lines' or 'payload'.
      part: { type: DataTypes.STRING(8), allowNull: false, primaryKey: true },
      seq: { type: DataTypes.INTEGER, allowNull: false, primaryKey: true },
      body: { type: DataTypes.TEXT, allowNull: false },
    });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('import_parts');
  },
};
