import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

/**
 * E-mail (issue 11 item 5).
 *
 * `mail_settings`: the installation's SMTP relay, one row ('installation') once an admin saves
 * the page; until then SMTP_URL / MAIL_FROM of the environment apply. The password is sealed
 * (it must be read back to log in to the relay) and never shown again.
 *
 * `mail_outbox`: one row per message, written in the transaction of whatever caused it and sent
 * by a job with retries. The body is sealed (registration details carry passwords) and erased
 * once the relay has taken the message; the metadata stays for the status page. `platform_id`
 * is null for the admin's test messages (they belong to no platform).
 *
 * `password_reset_tokens`: the single-use, time-limited links of "Forgot your password?",
 * stored as SHA-256 digests only, so the table never holds a working link.
 */
export const mailOutbox: Migration = {
  name: '0021-mail-outbox',
  async up(qi: QueryInterface) {
    await qi.createTable('mail_settings', {
      id: { type: DataTypes.STRING(16), primaryKey: true },
      host: { type: DataTypes.STRING(253), allowNull: false },
      port: { type: DataTypes.INTEGER, allowNull: false },
      // 'none', 'starttls' (required) or 'tls' (implicit, usually port 465).
      security: { type: DataTypes.STRING(16), allowNull: false },
      username: { type: DataTypes.STRING(320), allowNull: true },
      password_sealed: { type: DataTypes.TEXT, allowNull: true },
      from_address: { type: DataTypes.STRING(320), allowNull: false },
      from_name: { type: DataTypes.STRING(200), allowNull: true },
      updated_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.createTable('mail_outbox', {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      platform_id: {
        type: DataTypes.STRING(36),
        allowNull: true,
        references: { model: 'lms_platforms', key: 'id' },
        onDelete: 'CASCADE',
      },
      // 'registration', 'password-reset', 'reset-link' or 'test'.
      purpose: { type: DataTypes.STRING(24), allowNull: false },
      recipient: { type: DataTypes.STRING(320), allowNull: false },
      subject: { type: DataTypes.STRING(300), allowNull: false },
      body_sealed: { type: DataTypes.TEXT, allowNull: true },
      // 'queued', 'sending', 'sent', 'retrying' or 'failed'.
      status: { type: DataTypes.STRING(16), allowNull: false },
      attempts: { type: DataTypes.INTEGER, allowNull: false, defaultValue: 0 },
      last_error: { type: DataTypes.TEXT, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
      updated_at: { type: DataTypes.DATE, allowNull: false },
      sent_at: { type: DataTypes.DATE, allowNull: true },
    });
    await qi.addIndex('mail_outbox', ['platform_id', 'created_at'], { name: 'mail_outbox_platform' });
    await qi.createTable('password_reset_tokens', {
      token_hash: { type: DataTypes.STRING(64), primaryKey: true },
      permanent_user_id: {
        type: DataTypes.STRING(36),
        allowNull: false,
        references: { model: 'permanent_users', key: 'id' },
        onDelete: 'CASCADE',
      },
      expires_at: { type: DataTypes.DATE, allowNull: false },
      used_at: { type: DataTypes.DATE, allowNull: true },
      created_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('password_reset_tokens', ['permanent_user_id'], { name: 'password_reset_tokens_user' });
  },
  async down(qi: QueryInterface) {
    await qi.dropTable('password_reset_tokens');
    await qi.dropTable('mail_outbox');
    await qi.dropTable('mail_settings');
  },
};
