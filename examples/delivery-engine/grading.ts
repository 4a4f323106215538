import type { Score } from './report-client.js';

/**
 * The answer key of the sample test. It lives on the server only: the page shows the
 * questions, never which choice is right, and the browser never sends a score.
 */
const ANSWER_KEY = { q1: '42', q2: '9' } as const;

export type QuestionId = keyof typeof ANSWER_KEY;

/** The form fields the test page's questions post; nothing else on the form is read. */
export const QUESTION_IDS = Object.keys(ANSWER_KEY) as QuestionId[];

/** The candidate's choice per question; '' when a question was left unanswered. */
export type Answers = Record<QuestionId, string>;

/** One point per right answer; unanswered or unknown values count as wrong. The maximum is the number of questions. */
export function grade(answers: Readonly<Answers>): Score {
  const given = QUESTION_IDS.filter((id) => answers[id] === ANSWER_KEY[id]).length;
  return { given, maximum: QUESTION_IDS.length };
}
