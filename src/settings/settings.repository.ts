import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';
import { INSTALLATION, type DelimiterSetting, type SettingsScope, type SettingsValues } from './settings.js';

interface SettingsRow {
  scope: string;
  finish_redirect_url: string | null;
  link_lifetime_hours: number | string | null;
  csv_delimiter: string | null;
  slip_password: boolean | number | null;
  slip_entry_code: boolean | number | null;
  slip_link: boolean | number | null;
}

// SQLite answers booleans as 0/1, PostgreSQL as true/false.
const flag = (value: boolean | number | null): boolean | null => (value === null ? null : Boolean(value));
const delimiter = (value: string | null): DelimiterSetting | null => (value === 'auto' || value === ';' || value === ',' ? value : null);

function valuesOf(row: SettingsRow): SettingsValues {
  return {
    finishRedirectUrl: row.finish_redirect_url,
    linkLifetimeHours: row.link_lifetime_hours === null ? null : Number(row.link_lifetime_hours),
    csvDelimiter: delimiter(row.csv_delimiter),
    slipPassword: flag(row.slip_password),
    slipEntryCode: flag(row.slip_entry_code),
    slipLink: flag(row.slip_link),
  };
}

/** Queries over system_settings (migration 0016): every scope's row at once, and one scope's write. */
export class SettingsRepository {
  constructor(private readonly sequelize: Sequelize) {}

  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  /** Every scope that sets anything, by scope: a few rows, read whole so one read serves every platform. */
  async all(unit?: UnitOfWork): Promise<Map<SettingsScope, SettingsValues>> {
    const rows = await this.sequelize.query<SettingsRow>('SELECT * FROM system_settings', {
      type: QueryTypes.SELECT,
      transaction: transactionOf(unit),
    });
    return new Map(rows.map((row) => [row.scope, valuesOf(row)]));
  }

  /** Writes one scope's values whole (inserting its row the first time). */
  async save(scope: SettingsScope, values: SettingsValues, at: Date, unit: UnitOfWork): Promise<void> {
    await this.sequelize.query(
      `INSERT INTO system_settings (scope, platform_id, finish_redirect_url, link_lifetime_hours, csv_delimiter,
         slip_password, slip_entry_code, slip_link, updated_at)
       VALUES (:scope, :platformId, :finish, :lifetime, :delimiter, :password, :code, :link, :at)
       ON CONFLICT (scope) DO UPDATE SET finish_redirect_url = excluded.finish_redirect_url,
         link_lifetime_hours = excluded.link_lifetime_hours, csv_delimiter = excluded.csv_delimiter,
         slip_password = excluded.slip_password, slip_entry_code = excluded.slip_entry_code,
         slip_link = excluded.slip_link, updated_at = excluded.updated_at`,
      {
        replacements: {
          scope,
          platformId: scope === INSTALLATION ? null : scope,
          finish: values.finishRedirectUrl,
          lifetime: values.linkLifetimeHours,
          delimiter: values.csvDelimiter,
          password: values.slipPassword,
          code: values.slipEntryCode,
          link: values.slipLink,
          at,
        },
        transaction: transactionOf(unit),
      },
    );
  }
}
