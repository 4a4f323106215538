import { randomBytes } from 'node:crypto';
import { RESTART_FIELD } from './login-initiation.js';
import type { LoginParams } from './login-request.repository.js';

/**
 * What a new, first-party window re-posts to the login route when the frame keeps no cookie:
 * the same, still unused, login initiation, startable once (the one-use RESTART_FIELD marker).
 * Used by the cookie check (login-continue.routes.ts) and the platform-storage launch.
 */
export function newWindowLogin(loginUrl: string, params: LoginParams) {
  // A top-level window has no platform storage frame around it; it keeps cookies instead.
  const { lti_storage_target: _storage, ...rest } = params;
  return { loginUrl, params: { ...rest, [RESTART_FIELD]: randomBytes(16).toString('base64url') } };
}
