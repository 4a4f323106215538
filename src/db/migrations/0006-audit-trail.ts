import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * The audit trail: one row per change to a platform, deployment, test or candidate. No
 * foreign keys on purpose: the history of a removed platform or deleted test must outlive it.
 */
export const auditTrail: Migration = {
  name: '0006-audit-trail',
  async up(qi: QueryInterface) {
    await qi.createTable('audit_entries', {
      // A sequence, not a uuid: entries written in one statement share a time, and "newest first" needs a tiebreak.
      seq: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      at: { type: DataTypes.DATE, allowNull: false },
      actor_kind: { type: DataTypes.STRING(16), allowNull: false },
      actor_platform_id: { type: DataTypes.STRING(36), allowNull: true },
      actor_sub: { type: DataTypes.STRING(255), allowNull: true },
      actor_name: { type: DataTypes.TEXT, allowNull: true },
      actor_ref: { type: DataTypes.STRING(255), allowNull: true },
      via: { type: DataTypes.STRING(32), allowNull: false },
      entity_type: { type: DataTypes.STRING(16), allowNull: false },
      entity_id: { type: DataTypes.STRING(255), allowNull: false },
      action: { type: DataTypes.STRING(32), allowNull: false },
      label: { type: DataTypes.TEXT, allowNull: true },
      platform_id: { type: DataTypes.STRING(36), allowNull: true },
      exam_id: { type: DataTypes.STRING(36), allowNull: true },
      changes: { type: DataTypes.TEXT, allowNull: false },
    });
    await qi.addIndex('audit_entries', ['exam_id', 'seq'], { name: 'audit_entries_exam' });
    await qi.addIndex('audit_entries', ['entity_type', 'seq'], { name: 'audit_entries_entity' });
    await qi.addIndex('audit_entries', ['platform_id', 'seq'], { name: 'audit_entries_platform' });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('audit_entries');
  },
};
