/**
 * Access tokens issued by the token endpoint, and the middleware that guards
 * the service endpoints with them (RFC 6750 bearer tokens).
 */
import { randomBytes } from 'node:crypto';
import type { NextFunction, Request, RequestHandler, Response as ExpressResponse } from 'express';

export const TOKEN_LIFETIME_SECONDS = 3600;

interface IssuedToken {
  scopes: ReadonlySet<string>;
  expiresAt: number;
}

export class AccessTokens {
  readonly #tokens = new Map<string, IssuedToken>();

  /** Issues an opaque random token granting `scopes` for an hour. */
  issue(scopes: readonly string[], now = Date.now()): string {
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, { scopes: new Set(scopes), expiresAt: now + TOKEN_LIFETIME_SECONDS * 1000 });
    return token;
  }

  /** Forgets every token issued so far: each is refused from now on, as after an LMS revokes them. */
  revokeAll(): void {
    this.#tokens.clear();
  }

  /** Scopes of a live token, or null when unknown or expired. */
  scopesOf(token: string, now = Date.now()): ReadonlySet<string> | null {
    const issued = this.#tokens.get(token);
    if (!issued) {
      return null;
    }
    if (issued.expiresAt <= now) {
      this.#tokens.delete(token);
      return null;
    }
    return issued.scopes;
  }
}

/**
 * Express middleware: lets the request through only with a live bearer token
 * carrying at least one of `anyOf`. 401 for a missing/unknown token, 403 for
 * a token without the scope (RFC 6750 §3.1).
 */
export function requireScope(tokens: AccessTokens, anyOf: readonly string[]): RequestHandler {
  return (req: Request, res: ExpressResponse, next: NextFunction) => {
    const match = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '');
    const scopes = match?.[1] === undefined ? null : tokens.scopesOf(match[1]);
    if (scopes === null) {
      res.set('WWW-Authenticate', 'Bearer error="invalid_token"');
      res.status(401).json({ error: 'invalid_token', error_description: 'missing, unknown or expired bearer token' });
      return;
    }
    if (!anyOf.some((scope) => scopes.has(scope))) {
      res.set('WWW-Authenticate', 'Bearer error="insufficient_scope"');
      res.status(403).json({ error: 'insufficient_scope', error_description: `needs one of: ${anyOf.join(' ')}` });
      return;
    }
    next();
  };
}
