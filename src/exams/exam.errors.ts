export interface FieldProblem {
  field: string;
  message: string;
}

/**
 * Exam input that cannot be used. It holds every problem the form has (so the page shows them all
 * at once); `field` and `message` are the first, for callers that name one.
 */
export class InvalidExamError extends Error {
  readonly problems: readonly FieldProblem[];

  constructor(
    readonly field: string,
    message: string,
    more: readonly FieldProblem[] = [],
  ) {
    super(message);
    this.name = 'InvalidExamError';
    this.problems = [{ field, message }, ...more];
  }

  static of(problems: readonly [FieldProblem, ...FieldProblem[]]): InvalidExamError {
    const [first, ...more] = problems;
    return new InvalidExamError(first.field, first.message, more);
  }

  /** The message for each field, for the form's inline errors. */
  get byField(): Record<string, string> {
    return Object.fromEntries(this.problems.map((p) => [p.field, p.message]));
  }
}

/** No such test, or not one the caller may see: the two are indistinguishable on purpose. */
export class ExamNotFoundError extends Error {
  constructor() {
    super('This test does not exist or belongs to another course.');
    this.name = 'ExamNotFoundError';
  }
}

/** A status change the test's lifecycle (draft → active → closed) does not allow. */
export class ExamStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExamStateError';
  }
}
