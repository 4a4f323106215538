import { randomUUID } from 'node:crypto';
import { QueryTypes, UniqueConstraintError, type InferAttributes, type Sequelize } from 'sequelize';
import type { CandidateIdPolicy, Exam, ExamStatus, OpenIn, RosterRoles } from './exam.js';
import type { ExamFields } from './exam-input.js';
import { CourseRow, ExamRow, ResourceLinkRow, defineExamModels } from './exam.model.js';
import { dateOf } from '../db/column-date.js';
import { directSql, type DirectSql } from '../db/direct-sql.js';
import { transactionOf, unitOfWorkRunner, type UnitOfWork } from '../db/unit-of-work.js';

export interface Course {
  id: string;
  platformId: string;
  contextId: string;
  title: string | null;
  nrpsUrl: string | null;
}

export interface ResourceLink {
  platformId: string;
  resourceLinkId: string;
  examId: string;
  agsLineItemsUrl: string | null;
  agsLineItemUrl: string | null;
}

/** What every launch reads of its placement: the course and the resource link, either possibly unknown. */
export interface Placement {
  course: Course | null;
  link: ResourceLink | null;
}

interface PlacementRow {
  course_id: string | null;
  course_title: string | null;
  course_nrps_url: string | null;
  link_exam_id: string | null;
  link_ags_lineitems_url: string | null;
  link_ags_lineitem_url: string | null;
}

function toCourse(row: CourseRow): Course {
  return { id: row.id, platformId: row.platform_id, contextId: row.context_id, title: row.title, nrpsUrl: row.nrps_url };
}

/** An exam row's columns as plain data: a model instance, or a row read without the ORM (its dates then come as text on SQLite). */
export type ExamColumns = Omit<
  InferAttributes<ExamRow>,
  'opens_at' | 'closes_at' | 'roster_synced_at' | 'access_expires_at' | 'created_at'
> & {
  opens_at: Date | string | null;
  closes_at: Date | string | null;
  roster_synced_at: Date | string | null;
  access_expires_at: Date | string | null;
};

/**
 * Which tests are a platform's active demo tests, for a statement over `exams e JOIN courses c`
 * (the candidate pages read them beside the candidate's own test: access/own-test.repository.ts).
 */
export const ACTIVE_DEMO_EXAMS = {
  condition: "c.platform_id = ? AND e.is_demo = ? AND e.status = 'active'",
  params: (platformId: string): [string, boolean] => [platformId, true],
};

export function toExam(row: ExamColumns): Exam {
  return {
    id: row.id,
    courseId: row.course_id,
    title: row.title,
    description: row.description,
    status: row.status as ExamStatus,
    window: { opensAt: dateOf(row.opens_at), closesAt: dateOf(row.closes_at), timeZone: row.time_zone },
    durationMinutes: row.duration_minutes,
    deliveryUrl: row.delivery_url,
    finishRedirectUrl: row.finish_redirect_url,
    candidateIdPolicy: row.candidate_id_policy as CandidateIdPolicy,
    rosterRoles: row.roster_roles as RosterRoles,
    enrolOnLaunch: Boolean(row.enrol_on_launch),
    openIn: row.open_in as OpenIn,
    maxCandidates: row.max_candidates,
    isDemo: Boolean(row.is_demo),
    roster: { syncedAt: dateOf(row.roster_synced_at), summary: row.roster_sync_summary },
    accessExpiresAt: dateOf(row.access_expires_at),
  };
}

function toResourceLink(row: ResourceLinkRow): ResourceLink {
  return {
    platformId: row.platform_id,
    resourceLinkId: row.resource_link_id,
    examId: row.exam_id,
    agsLineItemsUrl: row.ags_lineitems_url,
    agsLineItemUrl: row.ags_lineitem_url,
  };
}

function columnsOf(fields: ExamFields) {
  return {
    title: fields.title,
    description: fields.description,
    opens_at: fields.opensAt,
    closes_at: fields.closesAt,
    time_zone: fields.timeZone,
    duration_minutes: fields.durationMinutes,
    delivery_url: fields.deliveryUrl,
    finish_redirect_url: fields.finishRedirectUrl,
    candidate_id_policy: fields.candidateIdPolicy,
    roster_roles: fields.rosterRoles,
    enrol_on_launch: fields.enrolOnLaunch,
    open_in: fields.openIn,
    is_demo: fields.isDemo,
    access_expires_at: fields.accessExpiresAt,
  };
}

/** Queries over courses, tests and the resource links that point at them; nothing else. */
export class ExamRepository {
  readonly #sql: DirectSql;

  constructor(private readonly sequelize: Sequelize) {
    defineExamModels(sequelize);
    this.#sql = directSql(sequelize);
  }

  /** Runs `work` in one unit of work: what it writes through this or another repository commits together, or not at all. */
  transaction<T>(work: (unit: UnitOfWork) => Promise<T>): Promise<T> {
    return unitOfWorkRunner(this.sequelize)(work);
  }

  /**
   * The course `contextId` and the resource link `resourceLinkId` of a platform, in one
   * statement (every launch reads both; db/direct-sql.ts). Either id may be null.
   */
  async findPlacement(platformId: string, contextId: string | null, resourceLinkId: string | null): Promise<Placement> {
    const [row] = await this.#sql.rows<PlacementRow>(
      `SELECT c.id AS course_id, c.title AS course_title, c.nrps_url AS course_nrps_url, l.exam_id AS link_exam_id,
              l.ags_lineitems_url AS link_ags_lineitems_url, l.ags_lineitem_url AS link_ags_lineitem_url
       FROM (SELECT 1 AS launch) AS one
       LEFT JOIN courses c ON c.platform_id = ? AND c.context_id = ?
       LEFT JOIN exam_resource_links l ON l.platform_id = ? AND l.resource_link_id = ?`,
      [platformId, contextId, platformId, resourceLinkId],
    );
    return {
      course:
        row?.course_id && contextId !== null
          ? { id: row.course_id, platformId, contextId, title: row.course_title, nrpsUrl: row.course_nrps_url }
          : null,
      link:
        row?.link_exam_id && resourceLinkId !== null
          ? {
              platformId,
              resourceLinkId,
              examId: row.link_exam_id,
              agsLineItemsUrl: row.link_ags_lineitems_url,
              agsLineItemUrl: row.link_ags_lineitem_url,
            }
          : null,
    };
  }

  /** Records the course a launch came from; writes only when something about it changed. */
  async upsertCourse(platformId: string, contextId: string, title: string | null, nrpsUrl: string | null): Promise<Course> {
    return this.refreshCourse(await this.findCourse(platformId, contextId), platformId, contextId, title, nrpsUrl);
  }

  /** `upsertCourse` for a launch that has read the course already (`known`, null when there was none). */
  async refreshCourse(
    known: Course | null,
    platformId: string,
    contextId: string,
    title: string | null,
    nrpsUrl: string | null,
  ): Promise<Course> {
    const where = { platform_id: platformId, context_id: contextId };
    // A launch without the NRPS claim does not erase a URL an earlier launch gave us.
    if (known && (title ?? known.title) === known.title && (nrpsUrl ?? known.nrpsUrl) === known.nrpsUrl) {
      return known;
    }
    let existing = known ? await CourseRow.findOne({ where }) : null;
    if (!existing) {
      try {
        const row = await CourseRow.create({ id: randomUUID(), ...where, title, nrps_url: nrpsUrl });
        return toCourse(row);
      } catch (err) {
        // The first launches of a course often arrive together: another one created it first.
        if (!(err instanceof UniqueConstraintError)) {
          throw err;
        }
        existing = (await CourseRow.findOne({ where })) as CourseRow;
      }
    }
    // A launch without the NRPS claim does not erase a URL an earlier launch gave us.
    const next = { title: title ?? existing.title, nrps_url: nrpsUrl ?? existing.nrps_url };
    if (next.title !== existing.title || next.nrps_url !== existing.nrps_url) {
      await existing.update(next);
    }
    return toCourse(existing);
  }

  /** How much of a platform's tenant lives here: its courses and their tests. */
  async countsOfPlatform(platformId: string, unit?: UnitOfWork): Promise<{ courses: number; tests: number }> {
    const transaction = transactionOf(unit);
    const [row] = await this.sequelize.query<{ courses: number | string; tests: number | string }>(
      `SELECT (SELECT COUNT(*) FROM courses WHERE platform_id = :platformId) AS courses,
              (SELECT COUNT(*) FROM exams e JOIN courses c ON c.id = e.course_id WHERE c.platform_id = :platformId) AS tests`,
      { replacements: { platformId }, type: QueryTypes.SELECT, transaction },
    );
    return { courses: Number(row?.courses ?? 0), tests: Number(row?.tests ?? 0) };
  }

  /**
   * Deletes the platform's courses (and their resource links) when none of them holds a test;
   * when one does, deletes nothing and answers false. Call inside the unit that relies on it.
   */
  async deleteCoursesWithoutTests(platformId: string, unit: UnitOfWork): Promise<boolean> {
    const transaction = transactionOf(unit);
    const { tests } = await this.countsOfPlatform(platformId, unit);
    if (tests > 0) {
      return false;
    }
    await ResourceLinkRow.destroy({ where: { platform_id: platformId }, transaction });
    await CourseRow.destroy({ where: { platform_id: platformId }, transaction });
    return true;
  }

  async findCourse(platformId: string, contextId: string): Promise<Course | null> {
    const row = await CourseRow.findOne({ where: { platform_id: platformId, context_id: contextId } });
    return row ? toCourse(row) : null;
  }

  async courseById(id: string): Promise<Course | null> {
    const row = await CourseRow.findByPk(id);
    return row ? toCourse(row) : null;
  }

  async insertExam(courseId: string, fields: ExamFields, maxCandidates: number, unit?: UnitOfWork): Promise<Exam> {
    const transaction = transactionOf(unit);
    const row = await ExamRow.create(
      {
        id: randomUUID(),
        course_id: courseId,
        status: 'draft',
        max_candidates: maxCandidates,
        next_anonymous_number: 1,
        roster_synced_at: null,
        roster_sync_summary: null,
        ...columnsOf(fields),
      },
      { transaction },
    );
    return toExam(row);
  }

  async updateExam(id: string, fields: ExamFields, unit?: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    await ExamRow.update(columnsOf(fields), { where: { id }, transaction });
  }

  /** Compare-and-set, so two instructors clicking at once cannot skip a step. */
  async changeStatus(id: string, from: ExamStatus, to: ExamStatus, unit?: UnitOfWork): Promise<boolean> {
    const transaction = transactionOf(unit);
    const [changed] = await ExamRow.update({ status: to }, { where: { id, status: from }, transaction });
    return changed > 0;
  }

  async deleteExam(id: string, unit?: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    await ExamRow.destroy({ where: { id }, transaction });
  }

  /**
   * A test and its course in one statement, without the ORM: every page of a candidate outside
   * the LMS reads them (db/direct-sql.ts), and an exam-start storm reads them 1500 times a minute.
   */
  async findExamWithCourse(id: string): Promise<{ exam: Exam; course: Course } | null> {
    const [row] = await this.#sql.rows<
      ExamColumns & { c_platform_id: string; c_context_id: string; c_title: string | null; c_nrps_url: string | null }
    >(
      `SELECT e.*, c.platform_id AS c_platform_id, c.context_id AS c_context_id, c.title AS c_title, c.nrps_url AS c_nrps_url
         FROM exams e JOIN courses c ON c.id = e.course_id WHERE e.id = ?`,
      [id],
    );
    if (!row) {
      return null;
    }
    const course = {
      id: row.course_id,
      platformId: row.c_platform_id,
      contextId: row.c_context_id,
      title: row.c_title,
      nrpsUrl: row.c_nrps_url,
    };
    return { exam: toExam(row), course };
  }

  async findExam(id: string, unit?: UnitOfWork): Promise<Exam | null> {
    const transaction = transactionOf(unit);
    const row = await ExamRow.findByPk(id, { transaction });
    return row ? toExam(row) : null;
  }

  /** The active demo tests of every course of a platform, oldest first; without the ORM, for every candidate's dashboard. */
  async activeDemoExams(platformId: string): Promise<Exam[]> {
    const rows = await this.#sql.rows<ExamColumns>(
      `SELECT e.* FROM exams e JOIN courses c ON c.id = e.course_id WHERE ${ACTIVE_DEMO_EXAMS.condition} ORDER BY e.created_at ASC, e.id ASC`,
      ACTIVE_DEMO_EXAMS.params(platformId),
    );
    return rows.map(toExam);
  }

  async listExams(courseId: string): Promise<Exam[]> {
    const rows = await ExamRow.findAll({ where: { course_id: courseId }, order: [['created_at', 'ASC']] });
    return rows.map(toExam);
  }

  /** Every test whose roster a scheduled sync should refresh. */
  async examsToSync(syncedBefore: Date): Promise<Exam[]> {
    const rows = await this.sequelize.query<{ id: string }>(
      `SELECT e.id FROM exams e JOIN courses c ON c.id = e.course_id
        WHERE e.status <> 'closed' AND c.nrps_url IS NOT NULL
          AND (e.roster_synced_at IS NULL OR e.roster_synced_at < :syncedBefore)`,
      { replacements: { syncedBefore }, type: QueryTypes.SELECT },
    );
    const exams = await ExamRow.findAll({ where: { id: rows.map((r) => r.id) } });
    return exams.map(toExam);
  }

  async recordRosterSync(id: string, syncedAt: Date, summary: string): Promise<void> {
    await ExamRow.update({ roster_synced_at: syncedAt, roster_sync_summary: summary }, { where: { id } });
  }

  /** Reserves `count` anonymous candidate numbers; returns the first. Call inside the transaction that uses them. */
  async reserveAnonymousNumbers(id: string, count: number, unit: UnitOfWork): Promise<number> {
    const transaction = transactionOf(unit);
    await ExamRow.increment('next_anonymous_number', { by: count, where: { id }, transaction });
    const row = await ExamRow.findByPk(id, { transaction, attributes: ['next_anonymous_number'] });
    return (row?.next_anonymous_number ?? count + 1) - count;
  }

  /** Points a resource link at a test; a later launch of the same link refreshes its AGS endpoints. */
  async bindResourceLink(link: ResourceLink, unit?: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    await ResourceLinkRow.upsert(
      {
        platform_id: link.platformId,
        resource_link_id: link.resourceLinkId,
        exam_id: link.examId,
        ags_lineitems_url: link.agsLineItemsUrl,
        ags_lineitem_url: link.agsLineItemUrl,
      },
      { transaction },
    );
  }

  async findResourceLink(platformId: string, resourceLinkId: string): Promise<ResourceLink | null> {
    const row = await ResourceLinkRow.findOne({ where: { platform_id: platformId, resource_link_id: resourceLinkId } });
    return row ? toResourceLink(row) : null;
  }

  async resourceLinksOf(examId: string): Promise<ResourceLink[]> {
    const rows = await ResourceLinkRow.findAll({ where: { exam_id: examId } });
    return rows.map(toResourceLink);
  }
}
