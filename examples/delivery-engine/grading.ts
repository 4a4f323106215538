import { QUESTIONS, type QuestionId } from './questions.js';
import type { Score } from './report-client.js';

export type { QuestionId } from './questions.js';

/** The form fields the test page's questions post; nothing else on the form is read. */
export const QUESTION_IDS: QuestionId[] = QUESTIONS.map((question) => question.id);

/** The candidate's choice per question; '' when a question was left unanswered. */
export type Answers = Record<QuestionId, string>;

/** One point per right answer; unanswered or unknown values count as wrong. The maximum is the number of questions. */
export function grade(answers: Readonly<Answers>): Score {
  const given = QUESTIONS.filter((question) => answers[question.id] === question.answer).length;
  return { given, maximum: QUESTIONS.length };
}
