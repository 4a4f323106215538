/** Exam input that cannot be used; the message names the field and what is wrong. */
export class InvalidExamError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidExamError';
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
