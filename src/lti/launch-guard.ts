import jwt from 'jsonwebtoken';
import type { NextFunction, Request, Response } from 'express';
import { inLaunchScope } from './launch-scope.js';

export interface LaunchRejection {
  status: number;
  code: string;
}

/**
 * Checks ltijs does not make, run before it sees an id_token: the header must name a key
 * (kid) and use RS256 only (ltijs passes the header's own alg to the verifier and checks it
 * afterwards), `iat` must be there and not lie in the future beyond the allowed clock skew,
 * and `exp` must be there and not lie in the past beyond it.
 */
export function inspectIdToken(idToken: string, clockSkewSeconds: number, now = Date.now() / 1000): LaunchRejection | null {
  const checked = checkIdToken(idToken, clockSkewSeconds, now);
  return 'kid' in checked ? null : checked;
}

function checkIdToken(idToken: string, clockSkewSeconds: number, now: number): LaunchRejection | { kid: string } {
  const decoded = jwt.decode(idToken, { complete: true });
  if (!decoded || typeof decoded.payload !== 'object') {
    return { status: 400, code: 'INVALID_JWT' };
  }
  if (decoded.header.alg !== 'RS256') {
    return { status: 401, code: 'ALG_NOT_RS256' };
  }
  if (!decoded.header.kid) {
    return { status: 401, code: 'KID_NOT_FOUND' };
  }
  const { iat, exp, nonce } = decoded.payload;
  if (typeof iat !== 'number') {
    return { status: 401, code: 'NO_IAT_CLAIM' };
  }
  if (iat > now + clockSkewSeconds) {
    return { status: 401, code: 'IAT_IN_FUTURE' };
  }
  // jsonwebtoken only checks exp when the token has one; OIDC Core §2 makes it required.
  if (typeof exp !== 'number') {
    return { status: 401, code: 'NO_EXP_CLAIM' };
  }
  if (exp < now - clockSkewSeconds) {
    return { status: 401, code: 'EXP_IN_PAST' };
  }
  if (typeof nonce !== 'string' || nonce.length === 0) {
    return { status: 401, code: 'NO_NONCE_CLAIM' };
  }
  return { kid: decoded.header.kid };
}

/** Express middleware form: rejected launches go to `reject`, never on to ltijs. */
export function launchGuard(
  clockSkewSeconds: number,
  reject: (req: Request, res: Response, rejection: LaunchRejection) => void,
): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const body: unknown = req.body;
    const idToken = typeof body === 'object' && body !== null ? (body as { id_token?: unknown }).id_token : undefined;
    if (req.method !== 'POST' || idToken === undefined) {
      next();
      return;
    }
    const checked =
      typeof idToken === 'string' ? checkIdToken(idToken, clockSkewSeconds, Date.now() / 1000) : { status: 400, code: 'INVALID_JWT' };
    if (!('kid' in checked)) {
      reject(req, res, checked);
      return;
    }
    // ltijs validates next, in this scope: its storage hands it the key this kid names (lti-database.ts).
    inLaunchScope(checked.kid, next);
  };
}
