import { expect } from 'chai';
import { grade, QUESTION_IDS, type Answers } from '../../examples/delivery-engine/grading.js';
import { QUESTIONS } from '../../examples/delivery-engine/questions.js';

function isPrime(n: number): boolean {
  if (!Number.isInteger(n) || n < 2) {
    return false;
  }
  for (let d = 2; d * d <= n; d += 1) {
    if (n % d === 0) {
      return false;
    }
  }
  return true;
}

/**
 * Each question worked out here, apart from its answer key: the prompt it belongs to, and
 * whether a choice is a right answer to it. A question without a solver fails the test, so a
 * new question cannot ship with an unchecked key.
 */
const SOLVERS: Record<string, { prompt: string; isRight: (choice: string) => boolean }> = {
  q1: { prompt: 'What is 7 × 6?', isRight: (choice) => Number(choice) === 7 * 6 },
  q2: { prompt: 'Which of these is a prime number?', isRight: (choice) => isPrime(Number(choice)) },
};

const answersWith = (pick: (question: (typeof QUESTIONS)[number]) => string): Answers =>
  Object.fromEntries(QUESTIONS.map((question) => [question.id, pick(question)])) as Answers;

describe('the sample engine’s questions and their answer keys', () => {
  for (const question of QUESTIONS) {
    it(`when "${question.prompt}" is worked out independently, then exactly one choice is right and it is the key`, () => {
      const solver = SOLVERS[question.id];
      expect(solver, `a solver for ${question.id}`).to.not.equal(undefined);
      expect(question.prompt, 'the solver is for this question').to.equal(solver!.prompt);
      const right = question.choices.filter((choice) => solver!.isRight(choice));
      expect(right, `right choices of ${question.id}`).to.deep.equal([question.answer]);
    });
  }

  it('when every question is answered by its solver, then the score is full marks; one wrong choice costs one point', () => {
    const solved = answersWith((question) => question.choices.find((choice) => SOLVERS[question.id]!.isRight(choice)) ?? '');
    expect(grade(solved)).to.deep.equal({ given: QUESTIONS.length, maximum: QUESTIONS.length });
    for (const question of QUESTIONS) {
      const wrong = question.choices.find((choice) => !SOLVERS[question.id]!.isRight(choice))!;
      expect(grade({ ...solved, [question.id]: wrong }), `${question.id} answered ${wrong}`).to.deep.equal({
        given: QUESTIONS.length - 1,
        maximum: QUESTIONS.length,
      });
    }
  });

  it('then the form fields read are exactly the questions, each with a distinct id', () => {
    expect(QUESTION_IDS).to.deep.equal(QUESTIONS.map((question) => question.id));
    expect(new Set(QUESTION_IDS).size).to.equal(QUESTIONS.length);
  });
});
