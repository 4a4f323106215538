/** Input for a candidate that cannot be used; the message names the field. */
export class InvalidCandidateError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidCandidateError';
  }
}

/** Adding would pass the test's candidate cap; the message says how many still fit. */
export class CandidateCapError extends Error {
  constructor(
    readonly cap: number,
    readonly room: number,
    wanted: number,
  ) {
    super(
      `A test holds at most ${cap} candidates. ${room === 0 ? 'No more fit' : `Only ${room} more fit`}; ` + `you tried to add ${wanted}.`,
    );
    this.name = 'CandidateCapError';
  }
}

export class CandidateNotFoundError extends Error {
  constructor() {
    super('This candidate does not exist on this test.');
    this.name = 'CandidateNotFoundError';
  }
}

export class DuplicateCandidateIdError extends Error {
  constructor(candidateId: string) {
    super(`Candidate ID "${candidateId.slice(0, 80)}" is already used on this test; candidate IDs must be unique within a test.`);
    this.name = 'DuplicateCandidateIdError';
  }
}

/** Start or finish asked of an attempt in the wrong state. */
export class AttemptStateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttemptStateError';
  }
}

/** An instructor's choice of a left-out member no longer holds (a sync or a colleague got there first). */
export class LeftOutChoiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LeftOutChoiceError';
  }
}

/** A batch (a file, a generated series) that cannot be added as it is; nothing of it was. Every problem found is listed. */
export class CandidateBatchError extends Error {
  constructor(readonly problems: ReadonlyArray<{ field: string; message: string }>) {
    super(problems.map((p) => p.message).join(' '));
    this.name = 'CandidateBatchError';
  }
}
