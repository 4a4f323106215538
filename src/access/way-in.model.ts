import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class WayInRow extends Model<InferAttributes<WayInRow>, InferCreationAttributes<WayInRow>> {
  declare id: string;
  declare exam_id: string;
  declare candidate_id: string;
  declare kind: string;
  declare lookup_hash: string;
  declare sealed_value: string;
  declare created_at: Date;
  declare revoked_at: Date | null;
  declare expires_at: Date | null;
}

/** Columns mirror migrations 0015 and 0016; the migration, not sync(), creates the table. */
export function defineWayInModel(sequelize: Sequelize): void {
  WayInRow.init(
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      exam_id: DataTypes.STRING(36),
      candidate_id: DataTypes.STRING(36),
      kind: DataTypes.STRING(8),
      lookup_hash: DataTypes.STRING(64),
      sealed_value: DataTypes.TEXT,
      created_at: DataTypes.DATE,
      revoked_at: DataTypes.DATE,
      expires_at: DataTypes.DATE,
    },
    { sequelize, tableName: 'ways_in', timestamps: false },
  );
}
