/** No such list for this viewer: another platform's, or one neither owned by nor shared with them. */
export class ListNotFoundError extends Error {
  constructor() {
    super('There is no such list, or it is not shared with you.');
    this.name = 'ListNotFoundError';
  }
}

/** The viewer may use the list (it is shared with them) but not change it. */
export class ListReadOnlyError extends Error {
  constructor(ownerName: string | null) {
    super(
      `This list is shared with you: you can add it to your tests, but only its owner${ownerName ? ` (${ownerName})` : ''} can change it.`,
    );
    this.name = 'ListReadOnlyError';
  }
}

/** A list form field that breaks a rule; `field` names it. */
export class InvalidListError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidListError';
  }
}
