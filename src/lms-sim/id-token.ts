/**
 * Builds and signs the id_token of an LTI launch (LTI 1.3 core §5), then
 * applies the test's tampering last so every tamper sees a complete token.
 */
import { createHash, randomBytes } from 'node:crypto';
import * as c from './claims.js';
import { encodeJwt, hs256Signer, rs256Signer, unsignedSigner } from './jwt.js';
import type { Signer } from './jwt.js';
import { strangerKey } from './keys.js';
import type { SigningKey } from './keys.js';
import type { LmsConfig } from './state.js';
import type { LaunchRequest, LaunchTamper, LmsContext, LmsUser } from './types.js';

export const DEFAULT_CONTEXT: LmsContext = { id: 'course-1', title: 'Course 1', label: 'COURSE-1' };
const ID_TOKEN_LIFETIME_SECONDS = 300;

export interface LaunchClaimsInput {
  config: LmsConfig;
  request: LaunchRequest;
  nonce: string;
  targetLinkUri: string;
  now?: number;
}

/** Every claim of the launch's id_token before tampering. */
export function buildLaunchClaims(input: LaunchClaimsInput): Record<string, unknown> {
  const { config, request } = input;
  const iat = Math.floor((input.now ?? Date.now()) / 1000);
  return {
    iss: config.issuer,
    aud: config.clientId,
    azp: config.clientId,
    sub: request.user.sub,
    exp: iat + ID_TOKEN_LIFETIME_SECONDS,
    iat,
    nonce: input.nonce,
    ...userClaims(request.user),
    [c.CLAIM_MESSAGE_TYPE]: request.messageType ?? 'LtiResourceLinkRequest',
    [c.CLAIM_VERSION]: '1.3.0',
    [c.CLAIM_DEPLOYMENT_ID]: request.deploymentId ?? config.deploymentId,
    [c.CLAIM_TARGET_LINK_URI]: input.targetLinkUri,
    [c.CLAIM_ROLES]: (request.roles ?? [c.ROLE_LEARNER]).map(c.normalizeRole),
    [c.CLAIM_TOOL_PLATFORM]: platformClaim(config),
    [c.CLAIM_LAUNCH_PRESENTATION]: launchPresentation(config, request),
    ...optionalClaims(config, request),
  };
}

function launchPresentation(config: LmsConfig, request: LaunchRequest): Record<string, unknown> {
  const returnUrl = request.returnUrl === undefined ? `${config.baseUrl}/return` : request.returnUrl;
  return returnUrl === null ? { document_target: 'iframe' } : { document_target: 'iframe', return_url: returnUrl };
}

/** Claims whose presence the LaunchRequest controls (null means "leave out"). */
function optionalClaims(config: LmsConfig, request: LaunchRequest): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const context = request.context === undefined ? DEFAULT_CONTEXT : request.context;
  if (context) {
    claims[c.CLAIM_CONTEXT] = { ...context, type: [c.CONTEXT_TYPE_COURSE_OFFERING] };
    Object.assign(claims, serviceClaims(config, context.id, request.services));
  }
  // Deep linking requests are not about an existing link (LTI DL 2.0 §4.4).
  const resourceLink = request.resourceLink === undefined ? { id: 'rl-1' } : request.resourceLink;
  if (resourceLink && request.messageType !== 'LtiDeepLinkingRequest') {
    claims[c.CLAIM_RESOURCE_LINK] = { ...resourceLink };
  }
  if (request.custom) {
    claims[c.CLAIM_CUSTOM] = { ...request.custom };
  }
  return claims;
}

function userClaims(user: LmsUser): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  if (user.name !== undefined) {
    claims.name = user.name;
  }
  if (user.givenName !== undefined) {
    claims.given_name = user.givenName;
  }
  if (user.familyName !== undefined) {
    claims.family_name = user.familyName;
  }
  if (user.email !== undefined) {
    claims.email = user.email;
  }
  if (user.sisId !== undefined) {
    claims[c.CLAIM_LIS] = { person_sourcedid: user.sisId };
  }
  if (user.legacyUserId !== undefined) {
    claims[c.CLAIM_LTI11_LEGACY_USER_ID] = user.legacyUserId;
  }
  return claims;
}

/** A stable guid per issuer, so repeated runs look like the same LMS instance. */
function platformClaim(config: LmsConfig): Record<string, unknown> {
  const guid = createHash('sha256').update(config.issuer).digest('hex').slice(0, 32);
  return { guid, name: 'examgate simulated LMS', product_family_code: 'examgate-sim' };
}

function serviceClaims(config: LmsConfig, contextId: string, services: LaunchRequest['services']): Record<string, unknown> {
  const claims: Record<string, unknown> = {};
  const base = config.baseUrl;
  const id = encodeURIComponent(contextId);
  if (services?.nrps ?? true) {
    claims[c.CLAIM_NRPS] = { context_memberships_url: `${base}/nrps/${id}/memberships`, service_versions: ['2.0'] };
  }
  if (services?.ags ?? true) {
    claims[c.CLAIM_AGS_ENDPOINT] = { scope: [...c.AGS_SCOPES], lineitems: `${base}/ags/${id}/lineitems` };
  }
  return claims;
}

/** Deep-linking settings (LTI DL 2.0 §4.4.1); `data` is opaque and must come back unchanged. */
export function deepLinkingSettings(config: LmsConfig, data = `opaque-${randomBytes(8).toString('hex')}`): Record<string, unknown> {
  return {
    deep_link_return_url: `${config.baseUrl}/deep-link-return`,
    accept_types: ['ltiResourceLink'],
    accept_presentation_document_targets: ['iframe', 'window'],
    accept_multiple: false,
    data,
  };
}

/**
 * Signs the claims as an RS256 JWT with the LMS key, unless `tamper` says
 * otherwise. Order: claims edit, header edit, then the signing choice, whose
 * signature ignores what the (possibly edited) header claims.
 */
export function signIdToken(claims: Record<string, unknown>, key: SigningKey, tamper?: LaunchTamper): string {
  const finalClaims = tamper?.claims ? tamper.claims(structuredClone(claims)) : claims;
  const mode = tamper?.signWith;
  const alg = mode === 'none' ? 'none' : mode === 'HS256' ? 'HS256' : 'RS256';
  const baseHeader: Record<string, unknown> = { alg, typ: 'JWT', kid: key.kid };
  const header = tamper?.header ? tamper.header(baseHeader) : baseHeader;
  return encodeJwt(header, finalClaims, signerFor(mode, key));
}

function signerFor(mode: LaunchTamper['signWith'], key: SigningKey): Signer {
  if (mode === 'none') {
    return unsignedSigner;
  }
  // The HMAC secret is the LMS's public key PEM: the classic algorithm-confusion
  // attack, which a tool that does not pin RS256 would wrongly accept.
  if (mode === 'HS256') {
    return hs256Signer(key.publicKey.export({ format: 'pem', type: 'spki' }).toString());
  }
  if (mode === 'other-key') {
    return rs256Signer(strangerKey().privateKey);
  }
  return rs256Signer(key.privateKey);
}
