import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * Launches inside an LMS frame whose browser keeps no cookie there: the LMS address a login
 * continues to once examgate knows its cookie sticks, the digest of the secret a login keeps in
 * the LMS's platform storage instead, and the short-lived hand-overs that carry a launch
 * validated in such a frame into a first-party window.
 */
export const embeddedLaunches: Migration = {
  name: '0007-embedded-launches',
  async up(qi: QueryInterface) {
    // Nullable: a login recorded before this migration continues the old way (straight to the LMS).
    await qi.addColumn('login_requests', 'redirect_url', { type: DataTypes.TEXT, allowNull: true });
    await qi.addColumn('login_requests', 'storage_proof_hash', { type: DataTypes.STRING(64), allowNull: true });

    await qi.createTable('session_handovers', {
      // Only a digest of the code: the code itself travels once, in a form post body.
      code_hash: { type: DataTypes.STRING(64), primaryKey: true },
      launch: { type: DataTypes.TEXT, allowNull: false },
      landing: { type: DataTypes.STRING(200), allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('session_handovers', ['expires_at'], { name: 'session_handovers_expires_at' });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('session_handovers');
    await qi.removeColumn('login_requests', 'storage_proof_hash');
    await qi.removeColumn('login_requests', 'redirect_url');
  },
};
