import { DataTypes, Model, type InferAttributes, type InferCreationAttributes, type Sequelize, type CreationOptional } from 'sequelize';

export class CourseRow extends Model<InferAttributes<CourseRow>, InferCreationAttributes<CourseRow>> {
  declare id: string;
  declare platform_id: string;
  declare context_id: string;
  declare title: string | null;
  declare nrps_url: string | null;
}

export class ExamRow extends Model<InferAttributes<ExamRow>, InferCreationAttributes<ExamRow>> {
  declare id: string;
  declare course_id: string;
  declare title: string;
  declare description: string;
  declare status: string;
  declare opens_at: Date | null;
  declare closes_at: Date | null;
  declare time_zone: string;
  declare duration_minutes: number | null;
  declare delivery_url: string | null;
  declare finish_redirect_url: string | null;
  declare candidate_id_policy: string;
  declare roster_roles: string;
  declare enrol_on_launch: boolean;
  declare open_in: string;
  declare max_candidates: number;
  declare is_demo: boolean;
  declare next_anonymous_number: number;
  declare roster_synced_at: Date | null;
  declare roster_sync_summary: string | null;
  declare access_expires_at: Date | null;
  declare created_at: CreationOptional<Date>;
}

export class ResourceLinkRow extends Model<InferAttributes<ResourceLinkRow>, InferCreationAttributes<ResourceLinkRow>> {
  declare platform_id: string;
  declare resource_link_id: string;
  declare exam_id: string;
  declare ags_lineitems_url: string | null;
  declare ags_lineitem_url: string | null;
}

const options = { timestamps: true, createdAt: 'created_at', updatedAt: 'updated_at' } as const;
const url = DataTypes.STRING(2000);

/** Columns mirror migrations 0002, 0008 and 0015; the migrations, not sync(), create the tables. */
export function defineExamModels(sequelize: Sequelize): void {
  CourseRow.init(
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      platform_id: DataTypes.STRING(36),
      context_id: DataTypes.STRING(255),
      title: DataTypes.TEXT,
      nrps_url: url,
    },
    { sequelize, tableName: 'courses', ...options },
  );
  ExamRow.init(
    {
      id: { type: DataTypes.STRING(36), primaryKey: true },
      course_id: DataTypes.STRING(36),
      title: DataTypes.STRING(255),
      description: DataTypes.TEXT,
      status: DataTypes.STRING(10),
      opens_at: DataTypes.DATE,
      closes_at: DataTypes.DATE,
      time_zone: DataTypes.STRING(64),
      duration_minutes: DataTypes.INTEGER,
      delivery_url: url,
      finish_redirect_url: url,
      candidate_id_policy: DataTypes.STRING(16),
      roster_roles: DataTypes.STRING(16),
      enrol_on_launch: DataTypes.BOOLEAN,
      open_in: DataTypes.STRING(16),
      max_candidates: DataTypes.INTEGER,
      is_demo: DataTypes.BOOLEAN,
      next_anonymous_number: DataTypes.INTEGER,
      roster_synced_at: DataTypes.DATE,
      roster_sync_summary: DataTypes.TEXT,
      access_expires_at: DataTypes.DATE,
      created_at: DataTypes.DATE,
    },
    { sequelize, tableName: 'exams', ...options },
  );
  ResourceLinkRow.init(
    {
      platform_id: { type: DataTypes.STRING(36), primaryKey: true },
      resource_link_id: { type: DataTypes.STRING(255), primaryKey: true },
      exam_id: DataTypes.STRING(36),
      ags_lineitems_url: url,
      ags_lineitem_url: url,
    },
    { sequelize, tableName: 'exam_resource_links', ...options },
  );
}
