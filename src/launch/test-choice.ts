import type { AuditBy } from '../audit/audit.js';
import type { Exam } from '../exams/exam.js';
import { InvalidExamError } from '../exams/exam.errors.js';
import { examFormValues } from '../exams/exam.presenter.js';
import type { Actor, ExamService } from '../exams/exam.service.js';
import { field, optionalField } from '../web/form.js';

/** What "create a new test" asks for on a placement page: enough to run it, the rest later through Edit. */
export interface NewTestEssentials {
  title: string;
  opensAt: string;
  closesAt: string;
  timeZone: string;
  durationMinutes: string;
}

const ESSENTIALS = ['title', 'opensAt', 'closesAt', 'timeZone', 'durationMinutes'] as const;

/** A fresh form: the new-test page's defaults, in the platform's default zone. */
export async function blankEssentials(exams: ExamService, actor: Actor): Promise<NewTestEssentials> {
  const { title, opensAt, closesAt, timeZone, durationMinutes } = examFormValues(null, await exams.defaultTimeZone(actor));
  return { title, opensAt, closesAt, timeZone, durationMinutes };
}

/** The essentials the form sent; a field it did not send at all keeps its default (an empty one is empty). */
function essentialsFrom(body: unknown, defaults: NewTestEssentials): NewTestEssentials {
  return Object.fromEntries(ESSENTIALS.map((name) => [name, optionalField(body, name) ?? defaults[name]])) as unknown as NewTestEssentials;
}

export type TestChoice = { exam: Exam } | { error: InvalidExamError; values: NewTestEssentials };

/**
 * The test a placement form chose: an existing test of the course (`examId`), or a new one
 * made from the essentials with every other setting at the new-test defaults. A new test
 * that cannot be made comes back as the error and the typed values, for the form.
 */
export async function chooseTest(exams: ExamService, actor: Actor, body: unknown, by: AuditBy): Promise<TestChoice> {
  const examId = field(body, 'examId');
  if (examId) {
    return { exam: await exams.get(actor, examId) };
  }
  const defaults = examFormValues(null, await exams.defaultTimeZone(actor));
  const values = essentialsFrom(body, defaults);
  try {
    return { exam: await exams.create(actor, { ...defaults, ...values }, by) };
  } catch (err) {
    if (err instanceof InvalidExamError) {
      return { error: err, values };
    }
    throw err;
  }
}
