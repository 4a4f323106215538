import { DataTypes, Model, type Sequelize, type InferAttributes, type InferCreationAttributes } from 'sequelize';

export class RegistrationTokenRow extends Model<InferAttributes<RegistrationTokenRow>, InferCreationAttributes<RegistrationTokenRow>> {
  declare id: string;
  declare token_hash: string;
  declare expires_at: Date;
  declare attempts: number;
  declare attempt_started_at: Date | null;
  declare used_at: Date | null;
  declare used_by_platform_id: string | null;
  declare used_by_platform_name: string | null;
  declare revoked_at: Date | null;
  declare created_at?: Date;
}

/** Columns mirror migration 0004. */
export function defineRegistrationTokenModel(sequelize: Sequelize): void {
  RegistrationTokenRow.init(
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      token_hash: DataTypes.STRING(64),
      expires_at: DataTypes.DATE,
      attempts: DataTypes.INTEGER,
      attempt_started_at: DataTypes.DATE,
      used_at: DataTypes.DATE,
      used_by_platform_id: DataTypes.STRING(36),
      used_by_platform_name: DataTypes.STRING(200),
      revoked_at: DataTypes.DATE,
      created_at: DataTypes.DATE,
    },
    { sequelize, tableName: 'registration_tokens', timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' },
  );
}
