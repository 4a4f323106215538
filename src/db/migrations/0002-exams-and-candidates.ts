import { DataTypes, type QueryInterface } from 'sequelize';
import type { Migration } from '../migrator.js';

const timestamps = {
  created_at: { type: DataTypes.DATE, allowNull: false },
  updated_at: { type: DataTypes.DATE, allowNull: false },
};

const uuid = { type: DataTypes.STRING(36), primaryKey: true };

function ref(table: string, allowNull = false) {
  return { type: DataTypes.STRING(36), allowNull, references: { model: table, key: 'id' }, onDelete: 'CASCADE' };
}

/**
 * Courses (LTI contexts), tests (`exams`), the resource links that point at them, their
 * candidates, background jobs, examgate's own signing keys and single-use token ids.
 */
export const examsAndCandidates: Migration = {
  name: '0002-exams-and-candidates',
  async up(qi: QueryInterface) {
    await qi.createTable('courses', {
      id: uuid,
      platform_id: ref('lms_platforms'),
      context_id: { type: DataTypes.STRING(255), allowNull: false },
      title: { type: DataTypes.TEXT, allowNull: true },
      nrps_url: { type: DataTypes.STRING(2000), allowNull: true },
      ...timestamps,
    });
    await qi.addIndex('courses', ['platform_id', 'context_id'], { unique: true, name: 'courses_platform_context' });

    await qi.createTable('exams', {
      id: uuid,
      course_id: ref('courses'),
      title: { type: DataTypes.STRING(255), allowNull: false },
      description: { type: DataTypes.TEXT, allowNull: false },
      status: { type: DataTypes.STRING(10), allowNull: false },
      opens_at: { type: DataTypes.DATE, allowNull: true },
      closes_at: { type: DataTypes.DATE, allowNull: true },
      time_zone: { type: DataTypes.STRING(64), allowNull: false },
      duration_minutes: { type: DataTypes.INTEGER, allowNull: true },
      delivery_url: { type: DataTypes.STRING(2000), allowNull: true },
      finish_redirect_url: { type: DataTypes.STRING(2000), allowNull: true },
      candidate_id_policy: { type: DataTypes.STRING(16), allowNull: false },
      roster_roles: { type: DataTypes.STRING(16), allowNull: false },
      enrol_on_launch: { type: DataTypes.BOOLEAN, allowNull: false },
      max_candidates: { type: DataTypes.INTEGER, allowNull: false },
      is_demo: { type: DataTypes.BOOLEAN, allowNull: false },
      next_anonymous_number: { type: DataTypes.INTEGER, allowNull: false },
      roster_synced_at: { type: DataTypes.DATE, allowNull: true },
      roster_sync_summary: { type: DataTypes.TEXT, allowNull: true },
      ...timestamps,
    });
    await qi.addIndex('exams', ['course_id'], { name: 'exams_course' });

    await qi.createTable('exam_resource_links', {
      platform_id: { ...ref('lms_platforms'), primaryKey: true },
      resource_link_id: { type: DataTypes.STRING(255), allowNull: false, primaryKey: true },
      exam_id: ref('exams'),
      ags_lineitems_url: { type: DataTypes.STRING(2000), allowNull: true },
      ags_lineitem_url: { type: DataTypes.STRING(2000), allowNull: true },
      ...timestamps,
    });
    await qi.addIndex('exam_resource_links', ['exam_id'], { name: 'exam_resource_links_exam' });

    await qi.createTable('candidates', {
      id: uuid,
      exam_id: ref('exams'),
      candidate_id: { type: DataTypes.STRING(500), allowNull: false },
      source: { type: DataTypes.STRING(16), allowNull: false },
      lms_user_id: { type: DataTypes.STRING(255), allowNull: true },
      name: { type: DataTypes.TEXT, allowNull: true },
      email: { type: DataTypes.TEXT, allowNull: true },
      sis_id: { type: DataTypes.STRING(255), allowNull: true },
      extra_time_minutes: { type: DataTypes.INTEGER, allowNull: false },
      building: { type: DataTypes.STRING(255), allowNull: true },
      room: { type: DataTypes.STRING(255), allowNull: true },
      status: { type: DataTypes.STRING(10), allowNull: false },
      withdrawn_reason: { type: DataTypes.STRING(20), allowNull: true },
      edited_fields: { type: DataTypes.STRING(200), allowNull: false },
      attempt_state: { type: DataTypes.STRING(12), allowNull: false },
      attempt_ref: { type: DataTypes.STRING(64), allowNull: true },
      attempt_delivery_url: { type: DataTypes.STRING(2000), allowNull: true },
      started_at: { type: DataTypes.DATE, allowNull: true },
      finished_at: { type: DataTypes.DATE, allowNull: true },
      score_given: { type: DataTypes.DOUBLE, allowNull: true },
      score_maximum: { type: DataTypes.DOUBLE, allowNull: true },
      grade_status: { type: DataTypes.STRING(12), allowNull: true },
      resource_link_id: { type: DataTypes.STRING(255), allowNull: true },
      ...timestamps,
    });
    await qi.addIndex('candidates', ['exam_id', 'candidate_id'], { unique: true, name: 'candidates_exam_candidate_id' });
    await qi.addIndex('candidates', ['exam_id', 'lms_user_id'], { unique: true, name: 'candidates_exam_lms_user' });
    await qi.addIndex('candidates', ['attempt_ref'], { unique: true, name: 'candidates_attempt_ref' });

    await qi.createTable('jobs', {
      id: uuid,
      kind: { type: DataTypes.STRING(40), allowNull: false },
      subject_id: { type: DataTypes.STRING(36), allowNull: true },
      status: { type: DataTypes.STRING(10), allowNull: false },
      progress_done: { type: DataTypes.INTEGER, allowNull: false },
      progress_total: { type: DataTypes.INTEGER, allowNull: true },
      result: { type: DataTypes.TEXT, allowNull: true },
      error: { type: DataTypes.TEXT, allowNull: true },
      locked_until: { type: DataTypes.DATE, allowNull: true },
      started_at: { type: DataTypes.DATE, allowNull: true },
      finished_at: { type: DataTypes.DATE, allowNull: true },
      ...timestamps,
    });
    await qi.addIndex('jobs', ['status', 'created_at'], { name: 'jobs_status_created' });
    await qi.addIndex('jobs', ['kind', 'subject_id', 'created_at'], { name: 'jobs_subject' });

    await qi.createTable('signing_keys', {
      kid: { type: DataTypes.STRING(64), primaryKey: true },
      private_key: { type: DataTypes.TEXT, allowNull: false },
      public_jwk: { type: DataTypes.TEXT, allowNull: false },
      created_at: { type: DataTypes.DATE, allowNull: false },
    });

    await qi.createTable('used_token_ids', {
      jti: { type: DataTypes.STRING(255), primaryKey: true },
      expires_at: { type: DataTypes.DATE, allowNull: false },
    });
    await qi.addIndex('used_token_ids', ['expires_at'], { name: 'used_token_ids_expires_at' });
  },
  async down(qi: QueryInterface) {
    for (const table of ['used_token_ids', 'signing_keys', 'jobs', 'candidates', 'exam_resource_links', 'exams', 'courses']) {
      await qi.dropTable(table);
    }
  },
};
