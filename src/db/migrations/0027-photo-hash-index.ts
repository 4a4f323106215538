import type { QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * An index that holds each photo's sha256 beside its user and platform, so the pages that ask
 * which candidates have a photo (the list, the slips, the invigilator sheet; and a browser's
 * revalidation) are answered from the index alone. Without it SQLite reads past every photo's
 * bytes to reach `sha256` (the column after them, stored in the blob's overflow pages): some
 * 45 MB for the slips of 1500 candidates with photos of 30 KB.
 */
export const photoHashIndex: Migration = {
  name: '0027-photo-hash-index',
  async up(qi: QueryInterface) {
    await qi.addIndex('permanent_user_photos', ['user_id', 'platform_id', 'sha256'], { name: 'permanent_user_photos_hash' });
  },
  async down(qi: QueryInterface) {
    await qi.removeIndex('permanent_user_photos', 'permanent_user_photos_hash');
  },
};
