import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Provider } from 'ltijs';
import type { Platform } from '../platforms/platform.js';

/** LTI Advantage scopes examgate asks for. */
export const SCOPE = {
  nrps: 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
  agsLineItem: 'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  agsScore: 'https://purl.imsglobal.org/spec/lti-ags/scope/score',
} as const;

/** Tokens are used only while they have this long left, so one never expires mid-request. */
const EXPIRY_MARGIN_MS = 30_000;
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

const keyOf = (platform: Pick<Platform, 'issuer' | 'clientId'>, scope: string) => `${platform.issuer}\n${platform.clientId}\n${scope}`;

/** The platform refused examgate an access token (wrong scopes, key not enabled) or did not answer in time. */
export class ServiceTokenError extends Error {
  constructor(
    message: string,
    /** True when asking again cannot help (the LMS refused); false for a timeout or an unreachable LMS. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'ServiceTokenError';
  }
}

/** The fields of ltijs's platform object the exchange needs (private in ltijs's published types). */
interface LtijsPlatformKeys {
  platformKid(): Promise<string>;
  platformPrivateKey(): Promise<string>;
  platformAccessTokenEndpoint(): Promise<string>;
  platformAuthorizationServer(): Promise<string>;
}

/**
 * OAuth2 access tokens for LTI services (LTI Security §4.1): a client assertion signed with
 * examgate's key for that platform (kept by ltijs), exchanged at the platform's token endpoint
 * with a time limit — ltijs's own exchange has none, so a token endpoint that never answers
 * would hold a job forever.
 *
 * One token per platform and scope, kept in memory until shortly before it expires and shared
 * by every job of the process: jobs asking at once wait for the same exchange rather than each
 * asking the LMS (a sync of many courses on exam morning would otherwise hit the token endpoint
 * once per course). A service that answers 401 gets the token `refused`, and the next `get`
 * asks for a fresh one. A process that starts afresh simply asks again.
 */
export class ServiceTokens {
  readonly #cache = new Map<string, { token: string; expiresAt: number }>();
  readonly #pending = new Map<string, Promise<{ token: string; expiresAt: number }>>();

  constructor(private readonly settings: { timeoutMs: number }) {}

  async get(platform: Pick<Platform, 'issuer' | 'clientId'>, scope: string): Promise<string> {
    const key = keyOf(platform, scope);
    const cached = this.#cache.get(key);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) {
      return cached.token;
    }
    let pending = this.#pending.get(key);
    if (!pending) {
      pending = this.#exchange(platform, scope).finally(() => this.#pending.delete(key));
      this.#pending.set(key, pending);
    }
    const fresh = await pending;
    this.#cache.set(key, fresh);
    return fresh.token;
  }

  /**
   * The LMS refused `token` (HTTP 401: revoked, or expired early): forgets it, unless another
   * job already replaced it with a fresh one.
   */
  refused(platform: Pick<Platform, 'issuer' | 'clientId'>, scope: string, token: string): void {
    const key = keyOf(platform, scope);
    if (this.#cache.get(key)?.token === token) {
      this.#cache.delete(key);
    }
  }

  /** Forgets every token (after a platform's keys or endpoints change). */
  forget(): void {
    this.#cache.clear();
  }

  async #exchange(platform: Pick<Platform, 'issuer' | 'clientId'>, scope: string) {
    const registered = (await Provider.getPlatform(platform.issuer, platform.clientId)) as unknown as LtijsPlatformKeys | null;
    if (!registered) {
      throw new ServiceTokenError('The platform is not registered with ltijs.', true);
    }
    const endpoint = await registered.platformAccessTokenEndpoint();
    const assertion = jwt.sign(
      { iss: platform.clientId, sub: platform.clientId, aud: await registered.platformAuthorizationServer(), jti: randomUUID() },
      await registered.platformPrivateKey(),
      { algorithm: 'RS256', expiresIn: 60, keyid: await registered.platformKid() },
    );
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: JWT_BEARER,
      client_assertion: assertion,
      scope,
    });
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: 'POST',
        body: form,
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.settings.timeoutMs),
        redirect: 'error',
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new ServiceTokenError(
        timedOut
          ? `The LMS's token endpoint did not answer within ${this.settings.timeoutMs / 1000} s.`
          : "The LMS's token endpoint could not be reached.",
        false,
      );
    }
    const body = (await response.json().catch(() => null)) as { access_token?: unknown; expires_in?: unknown } | null;
    if (!response.ok || typeof body?.access_token !== 'string') {
      // 5xx and 429 are the LMS's passing trouble; anything else is a refusal another try will not change.
      const passing = response.status >= 500 || response.status === 429;
      throw new ServiceTokenError(`The LMS refused examgate an access token for ${scope} (HTTP ${response.status}).`, !passing);
    }
    const lifetimeSeconds = typeof body.expires_in === 'number' && body.expires_in > 0 ? body.expires_in : 3600;
    return { token: body.access_token, expiresAt: Date.now() + lifetimeSeconds * 1000 };
  }
}
