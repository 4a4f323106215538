import type { LtijsIdToken, LtijsPlatform } from 'ltijs';
import Auth from 'ltijs/dist/Utils/Auth.js';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { launchCookieOptions } from '../web/cookie-policy.js';
import { CLAIM } from './claims.js';

/** The verified claims of an id_token, as ltijs's validator returns them. */
export type VerifiedClaims = Awaited<ReturnType<typeof Auth.validateToken>>;

/**
 * The token object ltijs's own launch handling would build from the verified claims (what
 * its DeepLinking and service calls read: issuer, client and deployment ids, the platform
 * context with the deep-linking settings). Not stored, and no ltik is signed for it.
 */
function ltijsToken(claims: VerifiedClaims, path: string): LtijsIdToken {
  const claim = (name: string) => claims[name] as never;
  return {
    iss: claims.iss,
    user: claims.sub,
    userInfo: {
      given_name: claims.given_name as string | undefined,
      family_name: claims.family_name as string | undefined,
      name: claims.name as string | undefined,
      email: claims.email as string | undefined,
    },
    platformInfo: claim(CLAIM.toolPlatform),
    clientId: claims.clientId,
    platformId: claims.platformId,
    deploymentId: claim(CLAIM.deploymentId),
    platformContext: {
      user: claims.sub,
      context: claim(CLAIM.context),
      resource: claim(CLAIM.resourceLink),
      messageType: claim(CLAIM.messageType),
      version: claim(CLAIM.version),
      deepLinkingSettings: claim(CLAIM.deepLinkingSettings),
      lis: claim(CLAIM.lis),
      path,
      roles: claim(CLAIM.roles),
      targetLinkUri: claim(CLAIM.targetLinkUri),
      custom: claim(CLAIM.custom),
      launchPresentation: claim(CLAIM.launchPresentation),
      endpoint: claim(CLAIM.agsEndpoint),
      namesRoles: claim(CLAIM.namesRoleService),
    },
  };
}

/**
 * An id_token posted to the launch path, validated by ltijs's own validator (Auth.validateToken:
 * the signature with the platform's key, the issuer against the browser's signed state cookie,
 * aud and azp, alg, the token's age, the nonce through the storage plugin, the LTI claims)
 * with the same inputs ltijs's launch handling gives it. What that handling adds around the
 * validator is its ltik flow, which examgate does not use (ltiaas mode, examgate's own
 * session): two rows written per launch (skipped in lti-database.ts) and an ltik signed with
 * the secret — jsonwebtoken first tries the secret as a PEM key, which costs more CPU than the
 * id_token's own signature check. So the valid launch goes to `onValid` from here, and a
 * refused one to `onInvalid` with ltijs's error, as ltijs would pass them.
 * Registered before ltijs's own handling; a post without an id_token goes on to it.
 */
export function validatedLaunch(deps: {
  encryptionKey: string;
  tokenMaxAgeSeconds: number;
  secureCookies: boolean;
  database: unknown;
  getPlatform: (issuer: string, clientId: string) => Promise<LtijsPlatform | false>;
  onValid: (claims: VerifiedClaims, token: LtijsIdToken, req: Request, res: Response, next: NextFunction) => Promise<void>;
  onInvalid: (req: Request, res: Response) => void;
}): RequestHandler {
  const cookie = launchCookieOptions(deps.secureCookies);
  return (req, res, next) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const { id_token: idToken, state } = body;
    if (req.method !== 'POST' || typeof idToken !== 'string') {
      next();
      return;
    }
    const stateCookie = `state${String(state)}`;
    const validation = { iss: (req.signedCookies as Record<string, unknown> | undefined)?.[stateCookie], maxAge: deps.tokenMaxAgeSeconds };
    // The state cookie has done its job either way; ltijs clears it too.
    res.clearCookie(stateCookie, cookie);
    Auth.validateToken(
      idToken,
      false,
      validation,
      (issuer, clientId) => deps.getPlatform(issuer, clientId),
      deps.encryptionKey,
      deps.database,
    )
      .then(
        (claims) => deps.onValid(claims, ltijsToken(claims, req.path), req, res, next),
        (err: unknown) => {
          res.locals.err = {
            status: 401,
            error: 'Unauthorized',
            details: { description: 'Error validating the id_token', message: err instanceof Error ? err.message : String(err) },
          };
          deps.onInvalid(req, res);
        },
      )
      .catch(next);
  };
}
