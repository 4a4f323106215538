/**
 * The sample test: each question with its choices and its answer key. The key stays on the
 * server: the test page is built from the prompts and choices only (test-page.ts), and the
 * browser never sends a score. test/examples/sample-questions.test.ts works every answer out
 * on its own, so a wrong key fails the tests instead of a candidate.
 */
export interface Question {
  /** The form field the question's choice is posted in. */
  id: string;
  prompt: string;
  choices: readonly string[];
  answer: string;
}

export const QUESTIONS = [
  { id: 'q1', prompt: 'What is 7 × 6?', choices: ['42', '48'], answer: '42' },
  { id: 'q2', prompt: 'Which of these is a prime number?', choices: ['9', '11'], answer: '11' },
] as const satisfies readonly Question[];

export type QuestionId = (typeof QUESTIONS)[number]['id'];
