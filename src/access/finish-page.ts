import type { Candidate } from '../candidates/candidate.js';
import type { Exam } from '../exams/exam.js';
import { formatInZone } from '../exams/time-zone.js';

/** What the candidate's own finish page says; it has no session, so everything comes from the attempt. */
export interface FinishPage {
  examTitle: string;
  finishedAt: string | null;
  next: string;
  returnUrl: string | null;
}

function whatHappensNext(candidate: Candidate): string {
  if (!candidate.attempt.score) {
    return 'The test system sent no score: your instructor will tell you your result.';
  }
  if (candidate.gradeStatus === 'no_service') {
    return 'Your course does not take scores from examgate: your instructor sees your result here and will tell you.';
  }
  return 'Your score goes to the gradebook of your course, where it shows once the LMS has received it.';
}

export function presentFinishPage(exam: Exam, candidate: Candidate): FinishPage {
  const { finishedAt } = candidate.attempt;
  return {
    examTitle: exam.title,
    // The test's zone, as every time a candidate sees: it is the zone the exam office announced.
    finishedAt: finishedAt ? formatInZone(finishedAt, exam.window.timeZone) : null,
    next: whatHappensNext(candidate),
    returnUrl: candidate.attempt.returnUrl,
  };
}
