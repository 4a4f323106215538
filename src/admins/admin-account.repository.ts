import { Op, UniqueConstraintError, type Sequelize } from 'sequelize';
import { defineAdminAccountModel, AdminAccountRow } from './admin-account.model.js';

/** An account as stored: hash and sealed secrets stay between this file and the service. */
export interface StoredAdminAccount {
  id: string;
  platformId: string;
  username: string;
  passwordHash: string;
  totpSealed: string | null;
  totpPendingSealed: string | null;
  totpLastStep: number | null;
  createdAt: Date;
}

export class AccountClashError extends Error {}

const toAccount = (row: AdminAccountRow): StoredAdminAccount => ({
  id: row.id,
  platformId: row.platform_id,
  username: row.username,
  passwordHash: row.password_hash,
  totpSealed: row.totp_secret_sealed,
  totpPendingSealed: row.totp_pending_sealed,
  // BIGINT comes back as text on PostgreSQL.
  totpLastStep: row.totp_last_step === null ? null : Number(row.totp_last_step),
  createdAt: new Date(row.created_at),
});

/** Queries over admin_accounts; nothing else. */
export class AdminAccountRepository {
  constructor(sequelize: Sequelize) {
    defineAdminAccountModel(sequelize);
  }

  async insert(account: {
    id: string;
    platformId: string;
    username: string;
    usernameKey: string;
    passwordHash: string;
  }): Promise<StoredAdminAccount> {
    try {
      const row = await AdminAccountRow.create({
        id: account.id,
        platform_id: account.platformId,
        username: account.username,
        username_key: account.usernameKey,
        password_hash: account.passwordHash,
        totp_secret_sealed: null,
        totp_pending_sealed: null,
        totp_last_step: null,
      });
      return toAccount(row);
    } catch (err) {
      throw err instanceof UniqueConstraintError ? new AccountClashError() : err;
    }
  }

  async get(id: string): Promise<StoredAdminAccount | null> {
    const row = await AdminAccountRow.findByPk(id);
    return row ? toAccount(row) : null;
  }

  async byUsername(usernameKey: string): Promise<StoredAdminAccount[]> {
    return (await AdminAccountRow.findAll({ where: { username_key: usernameKey }, limit: 10 })).map(toAccount);
  }

  async ofPlatform(platformId: string): Promise<StoredAdminAccount[]> {
    return (await AdminAccountRow.findAll({ where: { platform_id: platformId }, order: [['username_key', 'ASC']] })).map(toAccount);
  }

  async countOf(platformId: string): Promise<number> {
    return AdminAccountRow.count({ where: { platform_id: platformId } });
  }

  async setPendingTotp(id: string, sealed: string | null): Promise<void> {
    await AdminAccountRow.update({ totp_pending_sealed: sealed }, { where: { id } });
  }

  async enableTotp(id: string, sealed: string, step: number): Promise<void> {
    await AdminAccountRow.update({ totp_secret_sealed: sealed, totp_pending_sealed: null, totp_last_step: step }, { where: { id } });
  }

  async disableTotp(id: string): Promise<void> {
    await AdminAccountRow.update({ totp_secret_sealed: null, totp_pending_sealed: null, totp_last_step: null }, { where: { id } });
  }

  /**
   * Takes TOTP step `step` for the account only if it is later than the last one taken: the
   * conditional update is the single point where two processes racing with one code meet, so
   * exactly one of them wins.
   */
  async takeStep(id: string, step: number): Promise<boolean> {
    const [count] = await AdminAccountRow.update(
      { totp_last_step: step },
      { where: { id, [Op.or]: [{ totp_last_step: null }, { totp_last_step: { [Op.lt]: step } }] } },
    );
    return count === 1;
  }

  /** Every account's sealed TOTP secret (admins are few: no paging). */
  async sealedSecrets(): Promise<Array<{ id: string; sealed: string }>> {
    const rows = await AdminAccountRow.findAll({
      where: { totp_secret_sealed: { [Op.ne]: null } },
      attributes: ['id', 'totp_secret_sealed'],
    });
    return rows.map((r) => ({ id: r.id, sealed: r.totp_secret_sealed! }));
  }

  /** Replaces a sealed secret only if it is still `from` (another process starting at once may have re-sealed it). */
  async replaceSealed(id: string, from: string, to: string): Promise<void> {
    await AdminAccountRow.update({ totp_secret_sealed: to }, { where: { id, totp_secret_sealed: from } });
  }

  async setPasswordHash(id: string, passwordHash: string): Promise<void> {
    await AdminAccountRow.update({ password_hash: passwordHash }, { where: { id } });
  }

  async remove(id: string): Promise<void> {
    await AdminAccountRow.destroy({ where: { id } });
  }
}
