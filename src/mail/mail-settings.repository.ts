import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';
import type { SmtpSecurity } from './mail-settings.js';

/** The row as stored: the password still sealed. */
export interface StoredMailSettings {
  host: string;
  port: number;
  security: SmtpSecurity;
  username: string | null;
  passwordSealed: string | null;
  fromAddress: string;
  fromName: string | null;
  updatedAt: Date;
}

interface Row {
  host: string;
  port: number | string;
  security: string;
  username: string | null;
  password_sealed: string | null;
  from_address: string;
  from_name: string | null;
  updated_at: Date | string;
}

const ID = 'installation';

/** The one row of mail_settings (migration 0021). */
export class MailSettingsRepository {
  constructor(private readonly sequelize: Sequelize) {}

  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  async get(unit?: UnitOfWork): Promise<StoredMailSettings | null> {
    const [row] = await this.sequelize.query<Row>('SELECT * FROM mail_settings WHERE id = :id', {
      replacements: { id: ID },
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    if (!row) {
      return null;
    }
    return {
      host: row.host,
      port: Number(row.port),
      security: row.security as SmtpSecurity,
      username: row.username,
      passwordSealed: row.password_sealed,
      fromAddress: row.from_address,
      fromName: row.from_name,
      updatedAt: new Date(row.updated_at),
    };
  }

  async save(settings: Omit<StoredMailSettings, 'updatedAt'>, at: Date, unit: UnitOfWork): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO mail_settings (id, host, port, security, username, password_sealed, from_address, from_name, updated_at)
       VALUES (:id, :host, :port, :security, :username, :passwordSealed, :fromAddress, :fromName, :at)
       ON CONFLICT (id) DO UPDATE SET host = excluded.host, port = excluded.port, security = excluded.security,
         username = excluded.username, password_sealed = excluded.password_sealed, from_address = excluded.from_address,
         from_name = excluded.from_name, updated_at = excluded.updated_at`,
      { replacements: { id: ID, ...settings, at }, transaction: transactionOf(unit) },
    );
  }
}
