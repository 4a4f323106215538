/** Credentials asked for while the test is a draft: they exist, but appear only once it is activated (seed 000/001). */
export class CredentialsHiddenError extends Error {
  constructor() {
    super('One-time usernames and passwords appear, and can be changed, once the test is activated.');
    this.name = 'CredentialsHiddenError';
  }
}

/** A credential action on a candidate who came another way (roster, SSO, …). */
export class NotOneTimeUserError extends Error {
  constructor() {
    super('This candidate is not a one-time user: they have no examgate username or password.');
    this.name = 'NotOneTimeUserError';
  }
}

/** Usernames are unique across the installation: the login page has no course to tell two apart. */
export class UsernameTakenError extends Error {
  readonly field = 'username';
  constructor(username: string) {
    super(
      `The username "${username.slice(0, 80)}" is already taken (usernames are unique across examgate, in any letter case). Choose another.`,
    );
    this.name = 'UsernameTakenError';
  }
}
