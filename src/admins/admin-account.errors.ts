/** No such admin account on this platform. */
export class AdminAccountNotFoundError extends Error {
  constructor() {
    super('There is no such admin account on this platform.');
    this.name = 'AdminAccountNotFoundError';
  }
}

/** A username, password or code an admin form refuses; `field` names the form field. */
export class InvalidAdminAccountError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidAdminAccountError';
  }
}
