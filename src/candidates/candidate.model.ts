import { DataTypes, Model, type CreationOptional, type InferAttributes, type InferCreationAttributes, type Sequelize } from 'sequelize';

export class CandidateRow extends Model<InferAttributes<CandidateRow>, InferCreationAttributes<CandidateRow>> {
  declare id: string;
  declare exam_id: string;
  declare candidate_id: string;
  declare source: string;
  declare lms_user_id: string | null;
  declare name: string | null;
  declare email: string | null;
  declare sis_id: string | null;
  declare extra_time_minutes: number;
  declare building: string | null;
  declare room: string | null;
  declare sso_auth_type: CreationOptional<string | null>;
  declare sso_user_id: CreationOptional<string | null>;
  declare sso_user_key: CreationOptional<string | null>;
  declare status: string;
  declare withdrawn_reason: string | null;
  declare edited_fields: string;
  declare attempt_state: string;
  declare attempt_ref: string | null;
  declare attempt_delivery_url: string | null;
  declare attempt_return_url: string | null;
  declare attempt_way: string | null;
  declare demo_for: string | null;
  declare handed_off_at: Date | null;
  declare started_at: Date | null;
  declare finished_at: Date | null;
  declare score_given: number | null;
  declare score_maximum: number | null;
  declare grade_status: string | null;
  declare resource_link_id: string | null;
  declare created_at: CreationOptional<Date>;
}

/** Columns mirror migrations 0002, 0008, 0010, 0013 and 0018; the migrations, not sync(), create the table. */
export function defineCandidateModel(sequelize: Sequelize): void {
  CandidateRow.init(
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      exam_id: DataTypes.STRING(36),
      candidate_id: DataTypes.STRING(500),
      source: DataTypes.STRING(16),
      lms_user_id: DataTypes.STRING(255),
      name: DataTypes.TEXT,
      email: DataTypes.TEXT,
      sis_id: DataTypes.STRING(255),
      extra_time_minutes: DataTypes.INTEGER,
      building: DataTypes.STRING(255),
      room: DataTypes.STRING(255),
      sso_auth_type: DataTypes.STRING(36),
      sso_user_id: DataTypes.STRING(500),
      sso_user_key: DataTypes.STRING(1000),
      status: DataTypes.STRING(10),
      withdrawn_reason: DataTypes.STRING(20),
      edited_fields: DataTypes.STRING(200),
      attempt_state: DataTypes.STRING(12),
      attempt_ref: DataTypes.STRING(64),
      attempt_delivery_url: DataTypes.STRING(2000),
      attempt_return_url: DataTypes.STRING(2000),
      attempt_way: DataTypes.STRING(16),
      demo_for: DataTypes.STRING(36),
      handed_off_at: DataTypes.DATE,
      started_at: DataTypes.DATE,
      finished_at: DataTypes.DATE,
      score_given: DataTypes.DOUBLE,
      score_maximum: DataTypes.DOUBLE,
      grade_status: DataTypes.STRING(12),
      resource_link_id: DataTypes.STRING(255),
      created_at: DataTypes.DATE,
    },
    { sequelize, tableName: 'candidates', timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' },
  );
}
