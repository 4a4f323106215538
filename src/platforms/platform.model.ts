import { DataTypes, Model, type CreationOptional, type Sequelize, type InferAttributes, type InferCreationAttributes } from 'sequelize';

export class PlatformRow extends Model<InferAttributes<PlatformRow>, InferCreationAttributes<PlatformRow>> {
  declare id: string;
  declare issuer: string;
  declare client_id: string;
  declare name: string;
  declare preset: string;
  declare auth_url: string;
  declare token_url: string;
  declare jwks_url: string;
  declare new_deployment_policy: string | null;
  declare default_time_zone: string;
  declare sso_match_field: CreationOptional<string>;
  declare ltijs_platform_id: string;
  declare status: string;
}

export class DeploymentRow extends Model<InferAttributes<DeploymentRow>, InferCreationAttributes<DeploymentRow>> {
  declare platform_id: string;
  declare deployment_id: string;
  declare status: string;
  declare source: string;
  declare created_at?: Date;
}

const options = { timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' } as const;

/** Columns mirror migrations 0001, 0004, 0009 and 0018; the migration, not sync(), creates the tables. */
export function definePlatformModels(sequelize: Sequelize): void {
  PlatformRow.init(
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      issuer: DataTypes.STRING(500),
      client_id: DataTypes.STRING(255),
      name: DataTypes.STRING(200),
      preset: DataTypes.STRING(20),
      auth_url: DataTypes.STRING(1000),
      token_url: DataTypes.STRING(1000),
      jwks_url: DataTypes.STRING(1000),
      new_deployment_policy: DataTypes.STRING(10),
      default_time_zone: DataTypes.STRING(64),
      sso_match_field: DataTypes.STRING(16),
      ltijs_platform_id: DataTypes.STRING(64),
      status: DataTypes.STRING(10),
    },
    { sequelize, tableName: 'lms_platforms', ...options },
  );
  DeploymentRow.init(
    {
      platform_id: { type: DataTypes.STRING(36), primaryKey: true },
      deployment_id: { type: DataTypes.STRING(255), primaryKey: true },
      status: DataTypes.STRING(10),
      source: DataTypes.STRING(20),
      created_at: DataTypes.DATE,
    },
    { sequelize, tableName: 'platform_deployments', ...options },
  );
}
