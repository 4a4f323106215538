/**
 * OAuth 2.0 client-credentials token endpoint with a JWT client assertion
 * (LTI Security §4.1, RFC 7523). The assertion is verified against the tool's
 * JWKS fetched over HTTP, as a real platform does.
 */
import type { Request, Response as ExpressResponse } from 'express';
import { SUPPORTED_SCOPES } from './claims.js';
import { verifyRemoteJwt } from './jwt.js';
import { stringParam } from './http-util.js';
import type { LmsState } from './state.js';
import { TOKEN_LIFETIME_SECONDS } from './tokens.js';

const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

class TokenError extends Error {
  constructor(
    readonly status: 400 | 401,
    readonly code: 'invalid_request' | 'invalid_client' | 'invalid_scope' | 'unsupported_grant_type',
    description: string,
  ) {
    super(description);
  }
}

/** jti values already used; an assertion must not be replayed (RFC 7523 §3). */
function assertionGuard(): (jti: unknown) => void {
  const seen = new Set<string>();
  return (jti) => {
    if (typeof jti !== 'string' || jti === '') {
      return;
    }
    if (seen.has(jti)) {
      throw new TokenError(401, 'invalid_client', 'client_assertion jti was already used');
    }
    seen.add(jti);
  };
}

async function verifyAssertion(state: LmsState, assertion: string): Promise<Record<string, unknown>> {
  const tool = state.tool;
  if (!tool) {
    throw new TokenError(401, 'invalid_client', 'no tool is registered');
  }
  try {
    return await verifyRemoteJwt(assertion, {
      jwksUrl: tool.jwksUrl,
      issuer: state.config.clientId,
      subject: state.config.clientId,
      audience: state.url('/token'),
      fetch: state.config.fetch,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TokenError(401, 'invalid_client', `client_assertion rejected: ${reason}`);
  }
}

function grantedScopes(requested: string | undefined): string[] {
  if (!requested) {
    throw new TokenError(400, 'invalid_request', 'scope is required');
  }
  const granted = requested.split(/\s+/).filter((s) => SUPPORTED_SCOPES.includes(s));
  if (granted.length === 0) {
    throw new TokenError(400, 'invalid_scope', `none of the scopes is supported: ${requested}`);
  }
  return granted;
}

/** Express handler for POST /token. */
export function tokenEndpoint(state: LmsState) {
  const rememberJti = assertionGuard();
  return async (req: Request, res: ExpressResponse): Promise<void> => {
    res.set('Cache-Control', 'no-store');
    try {
      const body: unknown = req.body;
      const grantType = stringParam(body, 'grant_type');
      if (grantType !== 'client_credentials') {
        throw new TokenError(400, 'unsupported_grant_type', `grant_type must be client_credentials, got ${grantType ?? '(missing)'}`);
      }
      if (stringParam(body, 'client_assertion_type') !== JWT_BEARER) {
        throw new TokenError(400, 'invalid_request', `client_assertion_type must be ${JWT_BEARER}`);
      }
      const assertion = stringParam(body, 'client_assertion');
      if (!assertion) {
        throw new TokenError(400, 'invalid_request', 'client_assertion is required');
      }
      const scopes = grantedScopes(stringParam(body, 'scope'));
      const claims = await verifyAssertion(state, assertion);
      rememberJti(claims.jti);
      const accessToken = state.tokens.issue(scopes);
      res.json({ access_token: accessToken, token_type: 'Bearer', expires_in: TOKEN_LIFETIME_SECONDS, scope: scopes.join(' ') });
    } catch (error) {
      if (!(error instanceof TokenError)) {
        throw error;
      } // a bug, not a client error: let express answer 500
      res.status(error.status).json({ error: error.code, error_description: error.message });
    }
  };
}
