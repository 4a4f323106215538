/**
 * The tool's side of the LTI Dynamic Registration exchange, done by examgate itself rather
 * than by ltijs (whose HTTP client follows redirects and reads bodies of any size): read the
 * LMS's OpenID configuration, post examgate's client registration to its registration
 * endpoint. Every request is http(s) only (https in production), follows no redirect, and is
 * bounded in time and size. Failures name the step; what went wrong in detail is for the log.
 * @see https://www.imsglobal.org/spec/lti-dr/v1p0
 */
import { RegistrationStepError, type RegistrationStep } from './registration.errors.js';

/** @see https://www.imsglobal.org/spec/lti-dr/v1p0#lti-configuration-0 */
const CLAIM_TOOL_CONFIGURATION = 'https://purl.imsglobal.org/spec/lti-tool-configuration';
/** The services examgate uses: AGS (gradebook columns, scores) and NRPS (the roster). */
const SCOPES = [
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly',
  'https://purl.imsglobal.org/spec/lti-ags/scope/lineitem',
  'https://purl.imsglobal.org/spec/lti-ags/scope/score',
  'https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly',
  'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly',
];
/** An OpenID configuration or a registration answer is a few KB; anything far larger is not one. */
export const MAX_EXCHANGE_BYTES = 64 * 1024;

export interface ExchangeLimits {
  timeoutMs: number;
  allowHttp: boolean;
  maxBytes?: number;
}

/** What examgate needs from the LMS's OpenID configuration (LTI-DR §3.4). */
export interface LmsConfiguration {
  issuer: string;
  authorizationEndpoint: string;
  tokenEndpoint: string;
  jwksUri: string;
  registrationEndpoint: string;
  claimsSupported: string[];
}

/** The tool's URLs the registration announces. */
export interface ToolUrls {
  publicUrl: string;
  loginUrl: string;
  launchUrl: string;
  jwksUrl: string;
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkedUrl(step: RegistrationStep, value: unknown, what: string, allowHttp: boolean): string {
  const url = typeof value === 'string' && URL.canParse(value) ? new URL(value) : null;
  if (!url || !(url.protocol === 'https:' || (allowHttp && url.protocol === 'http:'))) {
    throw new RegistrationStepError(step, `${what} is not an ${allowHttp ? 'http(s)' : 'https'} URL: ${JSON.stringify(value)}`);
  }
  return url.href;
}

/** Reads at most `maxBytes` of the body; a larger one is cut off, not buffered. */
async function readLimited(step: RegistrationStep, response: Response, maxBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBytes || !response.body) {
    await response.body?.cancel();
    throw new RegistrationStepError(step, declared > maxBytes ? `body of ${declared} bytes exceeds ${maxBytes}` : 'empty body');
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      throw new RegistrationStepError(step, `body exceeds ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** For the log: an LMS may put its registration token in the query (Canvas does), so only origin and path. */
function withoutQuery(url: string): string {
  const parsed = new URL(url);
  return `${parsed.origin}${parsed.pathname}`;
}

async function requestJson(step: RegistrationStep, href: string, init: RequestInit, limits: ExchangeLimits): Promise<Json> {
  const url = withoutQuery(href);
  try {
    const response = await fetch(href, { ...init, redirect: 'manual', signal: AbortSignal.timeout(limits.timeoutMs) });
    if (response.status >= 300 && response.status < 400) {
      await response.body?.cancel();
      throw new RegistrationStepError(step, `${url} answered a redirect (${response.status}), which is not followed`);
    }
    const text = await readLimited(step, response, limits.maxBytes ?? MAX_EXCHANGE_BYTES);
    if (!response.ok) {
      throw new RegistrationStepError(step, `${url} answered HTTP ${response.status}: ${text.slice(0, 500)}`);
    }
    const body: unknown = JSON.parse(text);
    if (!isObject(body)) {
      throw new RegistrationStepError(step, `${url} did not answer a JSON object`);
    }
    return body;
  } catch (err) {
    if (err instanceof RegistrationStepError) {
      throw err;
    }
    const cause = err instanceof Error && err.cause instanceof Error ? err.cause.message : String(err);
    throw new RegistrationStepError(step, `${url}: ${err instanceof Error ? err.name : 'error'} (${cause})`);
  }
}

/** Fetches and checks the LMS's OpenID configuration. */
export async function readLmsConfiguration(url: string, limits: ExchangeLimits): Promise<LmsConfiguration> {
  const step = 'openid_configuration';
  const body = await requestJson(
    step,
    checkedUrl(step, url, 'openid_configuration', limits.allowHttp),
    { headers: { accept: 'application/json' } },
    limits,
  );
  const need = (field: string) => checkedUrl(step, body[field], field, limits.allowHttp).replace(/\/+$/, '');
  const claims = Array.isArray(body.claims_supported) ? body.claims_supported.filter((c): c is string => typeof c === 'string') : [];
  return {
    issuer: need('issuer'),
    authorizationEndpoint: need('authorization_endpoint'),
    tokenEndpoint: need('token_endpoint'),
    jwksUri: need('jwks_uri'),
    registrationEndpoint: need('registration_endpoint'),
    claimsSupported: claims,
  };
}

/** examgate's client registration (OpenID Connect Registration with the LTI tool configuration claim, LTI-DR §3.3). */
export function toolRegistration(tool: ToolUrls, claimsSupported: string[]): Json {
  return {
    application_type: 'web',
    response_types: ['id_token'],
    grant_types: ['implicit', 'client_credentials'],
    initiate_login_uri: tool.loginUrl,
    redirect_uris: [tool.launchUrl],
    client_name: 'examgate',
    jwks_uri: tool.jwksUrl,
    token_endpoint_auth_method: 'private_key_jwt',
    scope: SCOPES.join(' '),
    [CLAIM_TOOL_CONFIGURATION]: {
      domain: new URL(tool.publicUrl).host,
      description: 'Candidates, access and delivery for assessments',
      target_link_uri: tool.launchUrl,
      claims: claimsSupported,
      messages: [
        { type: 'LtiResourceLinkRequest', label: 'examgate' },
        // Tests are placed through content selection, where a teacher adds an activity or an assignment
        // (LTI-DR message placements; Canvas's names, which other LMSs ignore). No launch container is
        // asked for: embedding, every LMS's default, is what examgate recommends (README: Inside the LMS).
        {
          type: 'LtiDeepLinkingRequest',
          target_link_uri: tool.launchUrl,
          label: 'examgate test',
          placements: ['assignment_selection', 'link_selection'],
        },
      ],
    },
  };
}

/** Posts the registration with the LMS's registration token; returns the client id (and deployment id) it granted. */
export async function postRegistration(
  endpoint: string,
  registration: Json,
  registrationToken: string | undefined,
  limits: ExchangeLimits,
): Promise<{ clientId: string; deploymentId: string | undefined }> {
  const step = 'registration';
  const headers: Record<string, string> = { 'content-type': 'application/json', accept: 'application/json' };
  if (registrationToken) {
    headers.authorization = `Bearer ${registrationToken}`;
  }
  const answer = await requestJson(step, endpoint, { method: 'POST', headers, body: JSON.stringify(registration) }, limits);
  if (typeof answer.client_id !== 'string' || answer.client_id === '') {
    throw new RegistrationStepError(step, 'the registration answer carries no client_id');
  }
  const configuration = answer[CLAIM_TOOL_CONFIGURATION];
  const deploymentId = isObject(configuration) && typeof configuration.deployment_id === 'string' ? configuration.deployment_id : undefined;
  return { clientId: answer.client_id, deploymentId };
}
