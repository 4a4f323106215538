import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * `imports.listed`: the lines the preview and report pages list (up to 200 per outcome, and
 * each outcome's count and whether any of its lines has a note), kept beside the full `lines`.
 * A 100 000-row import's lines are tens of MB of JSON that the page had to read and parse to
 * show 200 of them; the report CSV still reads them all. NULL for imports stored before: their
 * pages are built from `lines`, as before.
 */
export const importListedLines: Migration = {
  name: '0025-import-listed-lines',
  async up(qi: QueryInterface) {
    await qi.addColumn('imports', 'listed', { type: DataTypes.TEXT, allowNull: true });
  },
  async down(qi: QueryInterface) {
    await qi.removeColumn('imports', 'listed');
  },
};
