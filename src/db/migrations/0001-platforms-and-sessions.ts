import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

/** Platforms (tenants), their deployments, launch sessions, and the replay guard for LTI nonces. */
export const platformsAndSessions: Migration = {
  name: '0001-platforms-and-sessions',
  async up(qi: QueryInterface) {
    await qi.createTable('lms_platforms', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      issuer: { type: DataTypes.STRING(500), allowNull: false },
      client_id: { type: DataTypes.STRING(255), allowNull: false },
      name: { type: DataTypes.STRING(200), allowNull: false },
      preset: { type: DataTypes.STRING(20), allowNull: false },
      auth_url: { type: DataTypes.STRING(1000), allowNull: false },
      token_url: { type: DataTypes.STRING(1000), allowNull: false },
      jwks_url: { type: DataTypes.STRING(1000), allowNull: false },
      new_deployment_policy: { type: DataTypes.STRING(10), allowNull: true },
      ltijs_platform_id: { type: DataTypes.STRING(64), allowNull: false },
      ...timestamps,
    });
    await qi.addIndex('lms_platforms', ['issuer', 'client_id'], { unique: true, name: 'lms_platforms_issuer_client_id' });

    await qi.createTable('platform_deployments', {
      platform_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        primaryKey: true,
        references: { model: 'lms_platforms', key: 'id' },
        onDelete: 'CASCADE',
      },
      deployment_id: { type: DataTypes.STRING(255), allowNull: false, primaryKey: true },
      status: { type: DataTypes.STRING(10), allowNull: false },
      source: { type: DataTypes.STRING(20), allowNull: false },
      ...timestamps,
    });

    await qi.createTable('lti_nonces', {
      nonce: { type: DataTypes.STRING(255), primaryKey: true },
      expires_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('lti_nonces', ['expires_at'], { name: 'lti_nonces_expires_at' });

    await qi.createTable('sessions', {
      id_hash: { type: DataTypes.STRING(64), primaryKey: true },
      platform_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        references: { model: 'lms_platforms', key: 'id' },
        onDelete: 'CASCADE',
      },
      user_sub: { type: DataTypes.STRING(255), allowNull: false },
      launch: { type: DataTypes.TEXT, allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('sessions', ['expires_at'], { name: 'sessions_expires_at' });

    await qi.createTable('login_requests', {
      state: { type: DataTypes.STRING(100), primaryKey: true },
      params: { type: DataTypes.TEXT, allowNull: false },
      expires_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('login_requests', ['expires_at'], { name: 'login_requests_expires_at' });
  },
  async down(qi: QueryInterface) {
    for (const table of ['login_requests', 'sessions', 'lti_nonces', 'platform_deployments', 'lms_platforms']) {
      await qi.dropTable(table);
    }
  },
};
