import { CLAIM, MESSAGE_TYPE } from './claims.js';
import type { SsoMatchField } from '../platforms/platform.js';
import { audienceOf, type Audience } from './roles.js';

/**
 * examgate's own view of a validated launch. ltijs verifies; everything after the launch
 * works with this shape only, so no other module needs to know claim URIs or ltijs.
 */
export interface LaunchContext {
  platformId: string;
  issuer: string;
  clientId: string;
  deploymentId: string;
  messageType: (typeof MESSAGE_TYPE)[keyof typeof MESSAGE_TYPE];
  user: {
    sub: string;
    name?: string;
    givenName?: string;
    familyName?: string;
    email?: string;
    legacyUserId?: string;
    sisId?: string;
  };
  roles: string[];
  audience: Audience;
  context: { id: string; title?: string; label?: string } | null;
  resourceLink: { id: string; title?: string } | null;
  custom: Record<string, string>;
  /**
   * Where the LMS wants the user sent back (launch_presentation.return_url), http(s) only.
   * Optional: sessions stored before examgate kept it have none.
   */
  returnUrl?: string | null;
  /** LTI Advantage endpoints the launch offered; null when the LMS has the service switched off. */
  services: { nrpsUrl: string | null; agsLineItemsUrl: string | null; agsLineItemUrl: string | null };
  /**
   * The launch field the platform matched SSO-imported candidates on when this launch came in
   * (its setting at that moment: a change applies from the next launch). Kept so a lobby needs
   * no read of the platform; absent in sessions stored before examgate kept it.
   */
  ssoMatchField?: SsoMatchField;
  /**
   * ltijs's token of a deep-linking launch, for the response ltijs signs (lti-services.ts);
   * null for other launches, which need nothing more of ltijs (and whose sessions stay small).
   */
  ltiToken: unknown;
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** Service endpoints are used with a bearer token: only absolute http(s) URLs are kept. */
function httpUrl(value: unknown): string | null {
  return typeof value === 'string' && /^https?:\/\//.test(value) && value.length <= 2000 ? value : null;
}

function record(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

function stringsOnly(value: unknown): Record<string, string> {
  const entries = Object.entries(record(value) ?? {}).filter((e): e is [string, string] => typeof e[1] === 'string');
  return Object.fromEntries(entries);
}

/** Maps the claims of an id_token that ltijs has just verified, from the platform that sent it. */
export function toLaunchContext(
  platform: { id: string; ssoMatchField: SsoMatchField },
  claims: Record<string, unknown>,
  ltiToken: unknown,
): LaunchContext {
  const roles = Array.isArray(claims[CLAIM.roles])
    ? (claims[CLAIM.roles] as unknown[]).filter((r): r is string => typeof r === 'string')
    : [];
  const context = record(claims[CLAIM.context]);
  const resourceLink = record(claims[CLAIM.resourceLink]);
  const lis = record(claims[CLAIM.lis]);
  const nrps = record(claims[CLAIM.namesRoleService]);
  const ags = record(claims[CLAIM.agsEndpoint]);
  const presentation = record(claims[CLAIM.launchPresentation]);
  const aud = Array.isArray(claims.aud) ? (claims.azp ?? claims.aud[0]) : claims.aud;
  const messageType = claims[CLAIM.messageType] === MESSAGE_TYPE.deepLinking ? MESSAGE_TYPE.deepLinking : MESSAGE_TYPE.resourceLink;
  return {
    platformId: platform.id,
    issuer: String(claims.iss),
    clientId: String(aud),
    deploymentId: String(claims[CLAIM.deploymentId]),
    messageType,
    user: {
      sub: String(claims.sub),
      name: text(claims.name),
      givenName: text(claims.given_name),
      familyName: text(claims.family_name),
      email: text(claims.email),
      legacyUserId: text(claims[CLAIM.legacyUserId]),
      sisId: text(lis?.person_sourcedid),
    },
    roles,
    audience: audienceOf(roles),
    context: context && text(context.id) ? { id: String(context.id), title: text(context.title), label: text(context.label) } : null,
    resourceLink: resourceLink && text(resourceLink.id) ? { id: String(resourceLink.id), title: text(resourceLink.title) } : null,
    custom: stringsOnly(claims[CLAIM.custom]),
    // A link examgate shows to the user: an LMS-given javascript: or data: URL must not become one.
    returnUrl: httpUrl(presentation?.return_url),
    services: {
      nrpsUrl: httpUrl(nrps?.context_memberships_url),
      agsLineItemsUrl: httpUrl(ags?.lineitems),
      agsLineItemUrl: httpUrl(ags?.lineitem),
    },
    ltiToken: messageType === MESSAGE_TYPE.deepLinking ? ltiToken : null,
    ssoMatchField: platform.ssoMatchField,
  };
}
