import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * E-mail at scale: `mail_outbox.batch_id` names the batch (up to ~200 messages queued together,
 * e.g. a bulk upload's registration details) that one sending job works through, instead of one
 * job per message. Null for a message sent by a job of its own (queued before this migration, or
 * "Send again"). The index serves the job's "what of my batch is still unsent" read.
 */
export const mailBatches: Migration = {
  name: '0023-mail-batches',
  async up(qi: QueryInterface) {
    await qi.addColumn('mail_outbox', 'batch_id', { type: DataTypes.STRING(36), allowNull: true });
    await qi.addIndex('mail_outbox', ['batch_id', 'status'], { name: 'mail_outbox_batch' });
  },
  async down(qi: QueryInterface) {
    await qi.removeIndex('mail_outbox', 'mail_outbox_batch');
    await qi.removeColumn('mail_outbox', 'batch_id');
  },
};
