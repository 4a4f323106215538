import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class AdminAccountRow extends Model<InferAttributes<AdminAccountRow>, InferCreationAttributes<AdminAccountRow>> {
  declare id: string;
  declare platform_id: string;
  declare username: string;
  declare username_key: string;
  declare password_hash: string;
  declare totp_secret_sealed: string | null;
  declare totp_pending_sealed: string | null;
  declare totp_last_step: number | string | null;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;
}

/** Columns mirror migration 0019; the migration, not sync(), creates the table. */
export function defineAdminAccountModel(sequelize: Sequelize): void {
  AdminAccountRow.init(
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      platform_id: DataTypes.STRING(36),
      username: DataTypes.STRING(500),
      username_key: DataTypes.STRING(1000),
      password_hash: DataTypes.STRING(300),
      totp_secret_sealed: DataTypes.TEXT,
      totp_pending_sealed: DataTypes.TEXT,
      totp_last_step: DataTypes.BIGINT,
      created_at: DataTypes.DATE,
      updated_at: DataTypes.DATE,
    },
    { sequelize, tableName: 'admin_accounts', timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' },
  );
}
