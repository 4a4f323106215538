/** No such permanent user on this platform (another platform's users are not found either). */
export class PermanentUserNotFoundError extends Error {
  constructor() {
    super('There is no such permanent user on this platform.');
    this.name = 'PermanentUserNotFoundError';
  }
}

/** Usernames are unique per platform, in any letter case. */
export class PermanentUsernameTakenError extends Error {
  readonly field = 'username';
  constructor(username: string) {
    super(`The username "${username.slice(0, 80)}" is already taken on this platform (in any letter case). Choose another.`);
    this.name = 'PermanentUsernameTakenError';
  }
}

/** A detail or password that breaks a rule; `field` names the form field. */
export class InvalidPermanentUserError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidPermanentUserError';
  }
}
