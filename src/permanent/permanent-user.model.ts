import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class PermanentUserRow extends Model<InferAttributes<PermanentUserRow>, InferCreationAttributes<PermanentUserRow>> {
  declare id: string;
  declare platform_id: string;
  declare username: string;
  declare username_key: string;
  declare client_id: string | null;
  declare title: string | null;
  declare first_name: string | null;
  declare last_name: string | null;
  declare email: string | null;
  declare role: string | null;
  declare phone: string | null;
  declare eligible: boolean;
  declare venue: string | null;
  declare booking_status: string | null;
  declare password_hash: string | null;
  declare password_pending: boolean;
  declare password_weak: boolean;
  declare must_change_password: boolean;
  declare deleted_at: Date | null;
  declare created_at: CreationOptional<Date>;
  declare updated_at: CreationOptional<Date>;
}

const text = (length: number) => ({ type: DataTypes.STRING(length), allowNull: true });

/** Columns mirror migration 0019; the migration, not sync(), creates the table. */
export function definePermanentUserModel(sequelize: Sequelize): void {
  PermanentUserRow.init(
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      platform_id: DataTypes.STRING(36),
      username: DataTypes.STRING(500),
      username_key: DataTypes.STRING(1000),
      client_id: text(200),
      title: text(100),
      first_name: text(200),
      last_name: text(200),
      email: text(320),
      role: text(100),
      phone: text(50),
      eligible: DataTypes.BOOLEAN,
      venue: text(200),
      booking_status: text(100),
      password_hash: text(300),
      password_pending: DataTypes.BOOLEAN,
      password_weak: DataTypes.BOOLEAN,
      must_change_password: DataTypes.BOOLEAN,
      deleted_at: DataTypes.DATE,
      created_at: DataTypes.DATE,
      updated_at: DataTypes.DATE,
    },
    { sequelize, tableName: 'permanent_users', timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' },
  );
}
