import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * SSO candidates (seed 001, CSV import (SSO)). Each platform says which launch field an SSO
 * user ID of "the platform's LMS identity" is matched on (`sub`, the SIS id, or the e-mail),
 * and keeps the names of its other SSO setups. A candidate's SSO identity is its auth type
 * ('lms' or an sso_setups id) and SSO user ID; `sso_user_key` (NFC, lower case) is unique per
 * test and auth type, so "Ann@X.org" and "ann@x.org" can never be two candidates when the
 * platform matches on e-mail. No foreign key to sso_setups: an identity is kept as imported.
 */
export const ssoIdentities: Migration = {
  name: '0018-sso-identities',
  async up(qi: QueryInterface) {
    await qi.addColumn('lms_platforms', 'sso_match_field', { type: DataTypes.STRING(16), allowNull: false, defaultValue: 'sub' });
    await qi.createTable('sso_setups', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      platform_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        references: { model: 'lms_platforms', key: 'id' },
        onDelete: 'CASCADE',
      },
      name: { type: DataTypes.STRING(200), allowNull: false },
      name_key: { type: DataTypes.STRING(400), allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('sso_setups', ['platform_id', 'name_key'], { unique: true, name: 'sso_setups_platform_name' });
    await qi.addColumn('candidates', 'sso_auth_type', { type: DataTypes.STRING(36), allowNull: true });
    await qi.addColumn('candidates', 'sso_user_id', { type: DataTypes.STRING(500), allowNull: true });
    await qi.addColumn('candidates', 'sso_user_key', { type: DataTypes.STRING(1000), allowNull: true });
    await qi.addIndex('candidates', ['exam_id', 'sso_auth_type', 'sso_user_key'], { unique: true, name: 'candidates_exam_sso_user' });
  },
  async down(qi: QueryInterface) {
    await qi.removeIndex('candidates', 'candidates_exam_sso_user');
    for (const column of ['sso_user_key', 'sso_user_id', 'sso_auth_type']) {
      await qi.removeColumn('candidates', column);
    }
    await qi.dropTable('sso_setups');
    await qi.removeColumn('lms_platforms', 'sso_match_field');
  },
};
