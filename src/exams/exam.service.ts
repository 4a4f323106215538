import type { UnitOfWork } from '../db/unit-of-work.js';
import type { AuditBy } from '../audit/audit.js';
import type { AuditService } from '../audit/audit.service.js';
import type { Logger } from '../logger.js';
import { CANDIDATE_CAP, type Exam, type ExamInput, type ExamStatus } from './exam.js';
import { ExamNotFoundError, ExamStateError } from './exam.errors.js';
import { parseExamInput } from './exam-input.js';
import { examAudit as auditOf, linkPlacementAudit } from './exam-audit.js';
import type { Course, ExamRepository } from './exam.repository.js';

/** Who is acting, as far as tests are concerned: taken from their launch. */
export interface Actor {
  platformId: string;
  contextId: string | null;
  audience: 'admin' | 'staff' | 'learner';
}

/** What a launch tells examgate about its course and resource link. */
export interface LaunchPlacement {
  platformId: string;
  context: { id: string; title?: string } | null;
  resourceLinkId: string | null;
  /** The exam id examgate put in the deep-linking response (custom parameter). */
  examIdFromLink: string | null;
  nrpsUrl: string | null;
  ags: { lineItemsUrl: string | null; lineItemUrl: string | null };
}

/** Where a test's platform keeps the zone its new tests start with (PlatformService, an admin setting). */
export interface PlatformTimeZones {
  defaultTimeZoneOf(platformId: string): Promise<string>;
}

/** The custom parameter a deep-linked resource link carries; Canvas and Moodle echo it on every launch. */
export const EXAM_CUSTOM_PARAMETER = 'examgate_exam';

const TRANSITIONS: Record<'activate' | 'close', { from: ExamStatus; to: ExamStatus; refusal: string }> = {
  activate: { from: 'draft', to: 'active', refusal: 'Only a draft test can be activated.' },
  close: { from: 'active', to: 'closed', refusal: 'Only an active test can be closed.' },
};

/** Tests of a course: only staff of that course (on that platform) ever reach one. Every change is in the audit trail. */
export class ExamService {
  constructor(
    private readonly repository: ExamRepository,
    private readonly settings: { allowHttpUrls: boolean },
    private readonly audit: AuditService,
    private readonly log: Logger,
    private readonly timeZones: PlatformTimeZones,
  ) {}

  /** The zone a new test of the actor's platform starts with. */
  defaultTimeZone(actor: Actor): Promise<string> {
    return this.timeZones.defaultTimeZoneOf(actor.platformId);
  }

  private async parse(actor: Actor, input: ExamInput) {
    return parseExamInput(input, { allowHttp: this.settings.allowHttpUrls, defaultTimeZone: await this.defaultTimeZone(actor) });
  }

  /** The course of a staff actor, created on first sight. */
  async courseOf(actor: Actor): Promise<Course> {
    if (!actor.contextId || actor.audience === 'learner') {
      throw new ExamNotFoundError();
    }
    return (
      (await this.repository.findCourse(actor.platformId, actor.contextId)) ??
      this.repository.upsertCourse(actor.platformId, actor.contextId, null, null)
    );
  }

  async list(actor: Actor): Promise<Exam[]> {
    return this.repository.listExams((await this.courseOf(actor)).id);
  }

  async create(actor: Actor, input: ExamInput, by: AuditBy): Promise<Exam> {
    const fields = await this.parse(actor, input);
    const course = await this.courseOf(actor);
    const exam = await this.repository.transaction(async (transaction) => {
      const created = await this.repository.insertExam(course.id, fields, CANDIDATE_CAP, transaction);
      await this.audit.record(by, auditOf(course.platformId, 'create', null, created), transaction);
      return created;
    });
    this.log.info({ examId: exam.id, courseId: exam.courseId }, 'test created');
    return exam;
  }

  /** The test, if the actor is staff of its course; otherwise ExamNotFoundError (never a hint that it exists). */
  async get(actor: Actor, examId: string): Promise<Exam> {
    const exam = await this.repository.findExam(examId);
    const course = exam && actor.contextId && actor.audience !== 'learner' ? await this.repository.courseById(exam.courseId) : null;
    if (!exam || !course || course.platformId !== actor.platformId || course.contextId !== actor.contextId) {
      throw new ExamNotFoundError();
    }
    return exam;
  }

  /** Saves the settings; an edit that changes nothing writes no audit entry. */
  async update(actor: Actor, examId: string, input: ExamInput, by: AuditBy): Promise<Exam> {
    const exam = await this.get(actor, examId);
    if (exam.status === 'closed') {
      throw new ExamStateError('A closed test can no longer be edited.');
    }
    const fields = await this.parse(actor, input);
    await this.repository.transaction(async (transaction) => {
      const before = (await this.repository.findExam(exam.id, transaction)) ?? exam;
      await this.repository.updateExam(exam.id, fields, transaction);
      const after = (await this.repository.findExam(exam.id, transaction)) ?? exam;
      const change = auditOf(actor.platformId, 'update', before, after);
      await this.audit.record(by, Object.keys(change.changes ?? {}).length > 0 ? [change] : [], transaction);
    });
    return this.get(actor, examId);
  }

  async transition(actor: Actor, examId: string, step: 'activate' | 'close', by: AuditBy): Promise<Exam> {
    const exam = await this.get(actor, examId);
    const { from, to, refusal } = TRANSITIONS[step];
    const moved = await this.repository.transaction(async (transaction) => {
      if (!(await this.repository.changeStatus(exam.id, from, to, transaction))) {
        return false;
      }
      await this.audit.record(by, auditOf(actor.platformId, step, { ...exam, status: from }, { ...exam, status: to }), transaction);
      return true;
    });
    if (!moved) {
      throw new ExamStateError(`${refusal} This one is ${exam.status}.`);
    }
    this.log.info({ examId, status: to }, 'test status changed');
    return { ...exam, status: to };
  }

  /** An active test is in use; it has to be closed first, so nobody deletes a running exam by mistake. */
  async delete(actor: Actor, examId: string, by: AuditBy): Promise<void> {
    const exam = await this.get(actor, examId);
    if (exam.status === 'active') {
      throw new ExamStateError('Close the test before deleting it: candidates may be taking it.');
    }
    await this.repository.transaction(async (transaction) => {
      await this.repository.deleteExam(exam.id, transaction);
      await this.audit.record(by, auditOf(actor.platformId, 'delete', exam, null), transaction);
    });
    this.log.info({ examId }, 'test deleted');
  }

  /**
   * The test a resource-link launch opens: the one named by the exam id examgate put in the
   * deep-linking response (the LMS echoes it on every launch, and a new "select content" on
   * the same activity changes it), else the one the link was bound to before (by that first
   * launch, or by staff choosing a test for an unplaced link). Only a test of the launching
   * course opens: a copied course or an edited custom parameter cannot reach another course's
   * test, and a link copied with its course can be given a test of the new course.
   */
  async examForLaunch(placement: LaunchPlacement): Promise<Exam | null> {
    const { course: known, link: bound } = await this.repository.findPlacement(
      placement.platformId,
      placement.context?.id ?? null,
      placement.resourceLinkId,
    );
    if (placement.context) {
      // Every launch refreshes what examgate knows of its course, the roster URL above all.
      await this.repository.refreshCourse(
        known,
        placement.platformId,
        placement.context.id,
        placement.context.title ?? null,
        placement.nrpsUrl,
      );
    }
    if (!placement.resourceLinkId || !placement.context) {
      return null;
    }
    const exam =
      (await this.examOfCourse(placement, placement.examIdFromLink)) ??
      (bound?.examId === placement.examIdFromLink ? null : await this.examOfCourse(placement, bound?.examId ?? null));
    if (!exam) {
      return null;
    }
    const changed =
      !bound ||
      bound.examId !== exam.id ||
      bound.agsLineItemsUrl !== placement.ags.lineItemsUrl ||
      bound.agsLineItemUrl !== placement.ags.lineItemUrl;
    if (changed) {
      await this.repository.bindResourceLink({
        platformId: placement.platformId,
        resourceLinkId: placement.resourceLinkId,
        examId: exam.id,
        agsLineItemsUrl: placement.ags.lineItemsUrl,
        agsLineItemUrl: placement.ags.lineItemUrl,
      });
    }
    return exam;
  }

  /** The test `examId` if it belongs to the launch's course; a test of another course is logged and not opened. */
  private async examOfCourse(placement: LaunchPlacement, examId: string | null): Promise<Exam | null> {
    const exam = examId ? await this.repository.findExam(examId) : null;
    if (!exam) {
      return null;
    }
    const course = await this.repository.courseById(exam.courseId);
    if (!course || course.platformId !== placement.platformId || course.contextId !== placement.context?.id) {
      this.log.warn({ examId, resourceLinkId: placement.resourceLinkId }, 'resource link points at a test of another course');
      return null;
    }
    return exam;
  }

  /**
   * Staff choose the test of a link that leads to none (one added without "select content",
   * or copied from another course): the link is bound to it exactly as a placed link is on its
   * first launch, with the gradebook endpoints of this launch. A link that already leads to
   * another test is left alone.
   */
  async placeLink(
    actor: Actor,
    placement: LaunchPlacement & { resourceLinkTitle: string | null },
    examId: string,
    by: AuditBy,
  ): Promise<Exam> {
    const exam = await this.get(actor, examId);
    if (!placement.resourceLinkId) {
      throw new ExamStateError('This page was not opened from a link in the course, so there is no link to give a test.');
    }
    const current = await this.examForLaunch(placement);
    if (current && current.id !== exam.id) {
      throw new ExamStateError(`This link already leads to “${current.title}”. Open that test to change it, or choose again from the LMS.`);
    }
    if (current) {
      return exam;
    }
    const link = { platformId: placement.platformId, resourceLinkId: placement.resourceLinkId };
    const before = await this.repository.findResourceLink(link.platformId, link.resourceLinkId);
    await this.repository.transaction(async (transaction) => {
      await this.repository.bindResourceLink(
        { ...link, examId: exam.id, agsLineItemsUrl: placement.ags.lineItemsUrl, agsLineItemUrl: placement.ags.lineItemUrl },
        transaction,
      );
      await this.audit.record(by, linkPlacementAudit(actor.platformId, exam, placement, before?.examId ?? null), transaction);
    });
    this.log.info({ examId: exam.id, resourceLinkId: link.resourceLinkId }, 'link given a test');
    return exam;
  }

  /** How many courses and tests a platform's tenant holds (the admin pages weigh a move or a removal by it). */
  countsOfPlatform(platformId: string): Promise<{ courses: number; tests: number }> {
    return this.repository.countsOfPlatform(platformId);
  }

  /**
   * Drops a platform's courses when none holds a test (launches create a course on first sight,
   * so a fresh registration may have a few, empty); false, with nothing dropped, when one does.
   */
  removeEmptyCourses(platformId: string, unit: UnitOfWork): Promise<boolean> {
    return this.repository.deleteCoursesWithoutTests(platformId, unit);
  }

  /** For jobs and hand-offs, which act for the system rather than a person. */
  /**
   * The demo tests a candidate of this platform may try (seed 000: "they also gain access to
   * any available demo tests"): active ones, of any course of the platform.
   */
  demoTestsOf(platformId: string): Promise<Exam[]> {
    return this.repository.activeDemoExams(platformId);
  }

  async findForSystem(examId: string): Promise<{ exam: Exam; course: Course } | null> {
    return this.repository.findExamWithCourse(examId);
  }

  /** Reserves `count` anonymous candidate numbers inside the caller's transaction; returns the first. */
  reserveAnonymousNumbers(examId: string, count: number, transaction: UnitOfWork): Promise<number> {
    return this.repository.reserveAnonymousNumbers(examId, count, transaction);
  }

  async resourceLinkFor(platformId: string, resourceLinkId: string) {
    return this.repository.findResourceLink(platformId, resourceLinkId);
  }

  async examsDueForSync(syncedBefore: Date): Promise<Exam[]> {
    return this.repository.examsToSync(syncedBefore);
  }

  async recordRosterSync(examId: string, summary: string, at = new Date()): Promise<void> {
    await this.repository.recordRosterSync(examId, at, summary);
  }
}
