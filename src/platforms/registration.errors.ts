/** /lti/register while DYNAMIC_REGISTRATION is off. */
export class DynamicRegistrationOffError extends Error {
  constructor() {
    super(
      'Dynamic registration is turned off on this examgate. Ask its administrator to register your LMS on the admin page or with the platform command.',
    );
    this.name = 'DynamicRegistrationOffError';
  }
}

export type RegistrationTokenProblem = 'missing' | 'unknown' | 'expired' | 'revoked' | 'used' | 'exhausted' | 'busy';

const TOKEN_MESSAGES: Record<RegistrationTokenProblem, string> = {
  missing: 'This address carries no registration token. Use the registration URL an examgate administrator created for you.',
  unknown: 'This registration URL is not one examgate issued. Check that it was copied whole, or ask for a new one.',
  expired: 'This registration URL has expired. Ask an examgate administrator for a new one.',
  revoked: 'This registration URL was revoked by an examgate administrator. Ask for a new one.',
  used: 'This registration URL has already been used to register an LMS. Ask an examgate administrator for a new one.',
  exhausted: 'This registration URL failed too many times and can no longer be used. Ask an examgate administrator for a new one.',
  busy: 'A registration with this URL is already under way. Wait a minute, then try again.',
};

/** A registration URL that cannot be used (now); the message says why and what to do. */
export class RegistrationTokenError extends Error {
  constructor(readonly problem: RegistrationTokenProblem) {
    super(TOKEN_MESSAGES[problem]);
    this.name = 'RegistrationTokenError';
  }
}

/** The registration URL was opened without the LMS's parameters (e.g. straight in a browser). */
export class RegistrationRequestError extends Error {
  constructor() {
    super('Open this address from your LMS\'s "register tool from URL" page: it needs the openid_configuration parameter.');
    this.name = 'RegistrationRequestError';
  }
}

export type RegistrationStep = 'openid_configuration' | 'registration';

const STEP_MESSAGES: Record<RegistrationStep, string> = {
  openid_configuration:
    "examgate could not read your LMS's OpenID configuration, so nothing was registered. Check that the LMS is reachable from examgate over https, then try again.",
  registration:
    'Your LMS refused the registration, or its answer could not be used, so nothing was registered. Check the tool settings in your LMS, then try again.',
};

/**
 * One step of the registration exchange failed. The message names the step only; `detail`
 * (remote status, host errors, URLs) is for the log and never reaches the page.
 */
export class RegistrationStepError extends Error {
  constructor(
    readonly step: RegistrationStep,
    readonly detail: string,
  ) {
    super(STEP_MESSAGES[step]);
    this.name = 'RegistrationStepError';
  }
}

/** An admin's request for a registration URL that cannot be met (e.g. a lifetime out of range). */
export class InvalidRegistrationUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRegistrationUrlError';
  }
}

export class RegistrationUrlNotFoundError extends Error {
  constructor(id: string) {
    super(`No open registration URL with id ${id} exists (it may be used, revoked or expired already).`);
    this.name = 'RegistrationUrlNotFoundError';
  }
}
