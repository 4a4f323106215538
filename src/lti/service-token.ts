import { Provider } from 'ltijs';
import type { Platform } from '../platforms/platform.js';

/** LTI Advantage scopes examgate asks for. */
export const SCOPE = {
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
  agsLineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  agsScore: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;

/** The platform refused examgate an access token (wrong scopes, key not enabled, endpoint down). */
export class ServiceTokenError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceTokenError';
  }
}

/**
 * An OAuth2 access token for an LTI service, from ltijs: it signs the client assertion with
 * examgate's key for that platform and caches the token in the database until it expires.
 */
export async function serviceToken(platform: Pick<Platform, 'issuer' | 'clientId'>, scope: string): Promise<string> {
  const registered = await Provider.getPlatform(platform.issuer, platform.clientId);
  if (!registered) {
    throw new ServiceTokenError('The platform is not registered with ltijs.');
  }
  try {
    const token = await registered.platformAccessToken(scope);
    return token.access_token;
  } catch (err) {
    const reason = err instanceof Error ? err.message : 'unknown error';
    throw new ServiceTokenError(`The LMS refused examgate an access token for ${scope} (${reason}).`);
  }
}
