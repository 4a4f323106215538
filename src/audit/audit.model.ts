import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class AuditRow extends Model<InferAttributes<AuditRow>, InferCreationAttributes<AuditRow>> {
  declare seq: CreationOptional<number>;
  declare at: Date;
  declare actor_kind: string;
  declare actor_platform_id: string | null;
  declare actor_sub: string | null;
  declare actor_name: string | null;
  declare actor_ref: string | null;
  declare via: string;
  declare entity_type: string;
  declare entity_id: string;
  declare action: string;
  declare label: string | null;
  declare platform_id: string | null;
  declare exam_id: string | null;
  /** JSON of AuditChanges. */
  declare changes: string;
}

/** Columns mirror migration 0006; the migration, not sync(), creates the table. */
export function defineAuditModel(sequelize: Sequelize): void {
  AuditRow.init(
    {
      seq: { type: DataTypes.INTEGER, primaryKey: true, autoIncrement: true },
      at: DataTypes.DATE,
      actor_kind: DataTypes.STRING(16),
      actor_platform_id: DataTypes.STRING(36),
      actor_sub: DataTypes.STRING(255),
      actor_name: DataTypes.TEXT,
      actor_ref: DataTypes.STRING(255),
      via: DataTypes.STRING(32),
      entity_type: DataTypes.STRING(16),
      entity_id: DataTypes.STRING(255),
      action: DataTypes.STRING(32),
      label: DataTypes.TEXT,
      platform_id: DataTypes.STRING(36),
      exam_id: DataTypes.STRING(36),
      changes: DataTypes.TEXT,
    },
    { sequelize, tableName: 'audit_entries', timestamps: false },
  );
}
