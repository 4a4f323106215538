/** The registration fields an error can be about (the admin form's field names). */
export type PlatformField = 'preset' | 'issuer' | 'clientId' | 'deploymentIds' | 'authUrl' | 'tokenUrl' | 'jwksUrl' | 'defaultTimeZone';

/** Registration input that cannot be used; the message says why, `field` which input it is about. */
export class InvalidPlatformError extends Error {
  constructor(
    message: string,
    readonly field: PlatformField = 'preset',
  ) {
    super(message);
    this.name = 'InvalidPlatformError';
  }
}

export class PlatformExistsError extends Error {
  constructor(issuer: string, clientId: string) {
    super(`A platform with issuer ${issuer} and client id ${clientId} is already registered.`);
    this.name = 'PlatformExistsError';
  }
}

export class PlatformNotFoundError extends Error {
  constructor(what: string) {
    super(`No platform ${what} is registered.`);
    this.name = 'PlatformNotFoundError';
  }
}

/** A move of a platform to a new registration that cannot be done; the message says why and what to do. */
export class PlatformMoveRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PlatformMoveRefusedError';
  }
}

/** The platform's key set could not be fetched or holds no usable key. */
export class JwksUnreachableError extends Error {
  constructor(jwksUrl: string, reason: string) {
    super(`The platform's JWKS URL ${jwksUrl} is unreachable or unusable: ${reason}`);
    this.name = 'JwksUnreachableError';
  }
}

/** A launch named a deployment that is not (yet) allowed to launch. */
export class DeploymentNotAllowedError extends Error {
  constructor(
    readonly deploymentId: string,
    readonly held: boolean,
  ) {
    super(
      held
        ? `Deployment ${deploymentId} is new to examgate and waits for an administrator's approval.`
        : `Deployment ${deploymentId} is not known for this platform.`,
    );
    this.name = 'DeploymentNotAllowedError';
  }
}

/** An SSO setting an admin chose (match field, setup name) that cannot be used; the message says why. */
export class InvalidSsoSettingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidSsoSettingError';
  }
}

/** No SSO setup of that id on the platform (another platform's setup is none of its own). */
export class SsoSetupNotFoundError extends Error {
  constructor() {
    super('No such SSO setup on this platform.');
    this.name = 'SsoSetupNotFoundError';
  }
}
