/**
 * The platform side of LTI Dynamic Registration: the OpenID configuration a tool reads, and
 * the registration endpoint the tool posts its configuration to, authorised by a registration
 * token the platform handed out. The simulated LMS holds one tool, so every accepted
 * registration receives the LMS's own client id and deployment id and replaces the tool the
 * launches go to.
 * @see https://www.imsglobal.org/spec/lti-dr/v1p0
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response as ExpressResponse } from 'express';
import { SUPPORTED_SCOPES } from './claims.js';
import type { LmsState } from './state.js';
import type { ReceivedRegistration } from './types.js';

/** @see https://www.imsglobal.org/spec/lti-dr/v1p0#lti-configuration-0 */
export const CLAIM_TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
/** @see https://www.imsglobal.org/spec/lti-dr/v1p0#platform-specific-configuration */
export const CLAIM_PLATFORM_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-platform-configuration';

const MESSAGE_TYPES = ['LtiResourceLinkRequest', 'LtiDeepLinkingRequest'];
/** Moodle's registration tokens live an hour; so do these. */
const TOKEN_TTL_MS = 60 * 60 * 1000;

type Json = Record<string, unknown>;

/** An RFC 7591 §3.2.2 error: the code says which kind of metadata was wrong. */
class RegistrationError extends Error {
  constructor(
    readonly code: 'invalid_client_metadata' | 'invalid_redirect_uri',
    description: string,
  ) {
    super(description);
  }
}

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function absoluteUrl(value: unknown, field: string, code: RegistrationError['code'] = 'invalid_client_metadata'): URL {
  if (typeof value === 'string') {
    try {
      const url = new URL(value);
      if (url.protocol === 'https:' || url.protocol === 'http:') {
        return url;
      }
    } catch {
      // reported below
    }
  }
  throw new RegistrationError(code, `${field} must be an absolute http(s) URL, got ${JSON.stringify(value) ?? '(missing)'}`);
}

function requireIncludes(body: Json, field: string, required: string[]): void {
  const value = body[field];
  const missing = required.filter((item) => !Array.isArray(value) || !value.includes(item));
  if (missing.length > 0) {
    throw new RegistrationError('invalid_client_metadata', `${field} must include ${missing.join(' and ')}`);
  }
}

function requireEqual(body: Json, field: string, expected: string): void {
  if (body[field] !== expected) {
    throw new RegistrationError(
      'invalid_client_metadata',
      `${field} must be ${expected}, got ${JSON.stringify(body[field]) ?? '(missing)'}`,
    );
  }
}

/** The tool's URLs must lie in the domain it declares (LTI-DR §3.3.1). */
function requireInDomain(url: URL, field: string, domain: string): void {
  const inDomain = url.host === domain || url.hostname === domain || url.hostname.endsWith(`.${domain}`);
  if (!inDomain) {
    const code = field.startsWith('redirect_uris') ? 'invalid_redirect_uri' : 'invalid_client_metadata';
    throw new RegistrationError(code, `${field} ${url.href} is outside the tool's domain ${domain}`);
  }
}

interface CheckedRegistration {
  loginUrl: string;
  launchUrl: string;
  jwksUrl: string;
  deepLinkingUrl: string;
  toolConfiguration: Json;
}

function checkToolConfiguration(body: Json): Json {
  const configuration = body[CLAIM_TOOL_CONFIGURATION];
  if (!isObject(configuration)) {
    throw new RegistrationError('invalid_client_metadata', `${CLAIM_TOOL_CONFIGURATION} is required`);
  }
  if (typeof configuration.domain !== 'string' || configuration.domain === '') {
    throw new RegistrationError('invalid_client_metadata', `${CLAIM_TOOL_CONFIGURATION}.domain is required`);
  }
  const messages = configuration.messages ?? [];
  if (!Array.isArray(messages) || !messages.every((m) => isObject(m) && MESSAGE_TYPES.includes(String(m.type)))) {
    throw new RegistrationError(
      'invalid_client_metadata',
      `${CLAIM_TOOL_CONFIGURATION}.messages may only name ${MESSAGE_TYPES.join(', ')}`,
    );
  }
  return configuration;
}

/**
 * Validates a tool's registration request (LTI-DR §3.3 and OpenID Connect Registration):
 * the fixed values LTI requires, absolute URLs within the tool's domain, known message types.
 */
export function checkRegistration(body: unknown): CheckedRegistration {
  if (!isObject(body)) {
    throw new RegistrationError('invalid_client_metadata', 'the registration must be a JSON object');
  }
  requireEqual(body, 'application_type', 'web');
  requireIncludes(body, 'response_types', ['id_token']);
  requireIncludes(body, 'grant_types', ['implicit', 'client_credentials']);
  requireEqual(body, 'token_endpoint_auth_method', 'private_key_jwt');
  if (typeof body.client_name !== 'string' || body.client_name.trim() === '') {
    throw new RegistrationError('invalid_client_metadata', 'client_name is required');
  }
  const redirects = body.redirect_uris;
  if (!Array.isArray(redirects) || redirects.length === 0) {
    throw new RegistrationError('invalid_redirect_uri', 'redirect_uris must list at least one URL');
  }
  const configuration = checkToolConfiguration(body);
  const domain = String(configuration.domain);
  const urls: Array<[string, URL]> = [
    ['initiate_login_uri', absoluteUrl(body.initiate_login_uri, 'initiate_login_uri')],
    ['jwks_uri', absoluteUrl(body.jwks_uri, 'jwks_uri')],
    ['target_link_uri', absoluteUrl(configuration.target_link_uri, `${CLAIM_TOOL_CONFIGURATION}.target_link_uri`)],
    ...redirects.map((uri, i): [string, URL] => [`redirect_uris[${i}]`, absoluteUrl(uri, `redirect_uris[${i}]`, 'invalid_redirect_uri')]),
  ];
  for (const [field, url] of urls) {
    requireInDomain(url, field, domain);
  }
  const deepLinking = (configuration.messages as Json[] | undefined)?.find((m) => m.type === 'LtiDeepLinkingRequest');
  const launchUrl = String(configuration.target_link_uri);
  return {
    loginUrl: String(body.initiate_login_uri),
    launchUrl,
    jwksUrl: String(body.jwks_uri),
    deepLinkingUrl: typeof deepLinking?.target_link_uri === 'string' ? deepLinking.target_link_uri : launchUrl,
    toolConfiguration: configuration,
  };
}

/** Registration tokens handed out, the registrations received, and the two endpoints. */
export class RegistrationDesk {
  readonly #tokens = new Map<string, number>();
  readonly received: ReceivedRegistration[] = [];

  constructor(private readonly state: LmsState) {}

  /** A single-use bearer token for the registration endpoint, as the LMS puts in the tool's registration URL. */
  issueToken(now = Date.now()): string {
    const token = randomBytes(24).toString('base64url');
    this.#tokens.set(token, now + TOKEN_TTL_MS);
    return token;
  }

  /** The platform's OpenID configuration (LTI-DR §3.4, OpenID Connect Discovery). */
  configuration(): Json {
    return {
      issuer: this.state.config.issuer,
      authorization_endpoint: this.state.url('/auth'),
      token_endpoint: this.state.url('/token'),
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
      token_endpoint_auth_signing_alg_values_supported: ['RS256'],
      jwks_uri: this.state.url('/jwks'),
      registration_endpoint: this.state.url('/register'),
      scopes_supported: ['openid', ...SUPPORTED_SCOPES],
      response_types_supported: ['id_token'],
      subject_types_supported: ['public', 'pairwise'],
      id_token_signing_alg_values_supported: ['RS256'],
      claims_supported: ['iss', 'sub', 'name', 'given_name', 'family_name', 'email'],
      [CLAIM_PLATFORM_CONFIGURATION]: {
        product_family_code: 'examgate-lms-sim',
        version: '1.0',
        messages_supported: MESSAGE_TYPES.map((type) => ({ type })),
        // The simulator substitutes no custom-parameter variables.
        variables: [],
      },
    };
  }

  readonly openidConfiguration = (_req: Request, res: ExpressResponse): void => {
    res.set('Cache-Control', 'no-store').json(this.configuration());
  };

  /** POST /register: bearer token, then the registration; answers as Moodle does (200, the stored registration). */
  readonly register = (req: Request, res: ExpressResponse): void => {
    const token = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '')?.[1];
    const expiresAt = token === undefined ? undefined : this.#tokens.get(token);
    if (token === undefined || expiresAt === undefined || expiresAt < Date.now()) {
      const description = token === undefined ? 'the registration token is missing' : 'the registration token is unknown, used or expired';
      res
        .status(401)
        .set('WWW-Authenticate', 'Bearer error="invalid_token"')
        .json({ error: 'invalid_token', error_description: description });
      return;
    }
    let checked: CheckedRegistration;
    try {
      checked = checkRegistration(req.body);
    } catch (error) {
      if (!(error instanceof RegistrationError)) {
        throw error;
      }
      res.status(400).json({ error: error.code, error_description: error.message });
      return;
    }
    this.#tokens.delete(token);
    this.#accept(req.body as Json, checked, res);
  };

  #accept(body: Json, checked: CheckedRegistration, res: ExpressResponse): void {
    const { clientId, deploymentId } = this.state.config;
    this.state.tool = {
      loginUrl: checked.loginUrl,
      launchUrl: checked.launchUrl,
      jwksUrl: checked.jwksUrl,
      deepLinkingUrl: checked.deepLinkingUrl,
    };
    this.received.push({ request: body, clientId, deploymentId });
    const requested = typeof body.scope === 'string' ? body.scope.split(/\s+/) : [];
    res.status(200).json({
      ...body,
      client_id: clientId,
      scope: requested.filter((s) => SUPPORTED_SCOPES.includes(s)).join(' '),
      [CLAIM_TOOL_CONFIGURATION]: { ...checked.toolConfiguration, deployment_id: deploymentId },
    });
  }
}
