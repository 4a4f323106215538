/**
 * Public data shapes of the simulated LMS. Kept apart from the implementation so
 * that tests and the demo can import types without pulling in express.
 */

/** Where the tool under test listens; registered with the LMS before any launch. */
export interface ToolEndpoints {
  loginUrl: string;
  launchUrl: string;
  jwksUrl: string;
  deepLinkingUrl?: string;
}

export interface LmsUser {
  sub: string;
  name?: string;
  givenName?: string;
  familyName?: string;
  email?: string;
  /** Sent as lis.person_sourcedid. */
  sisId?: string;
  /** Sent as the LTI 1.1 migration claim lti11_legacy_user_id. */
  legacyUserId?: string;
}

export interface LmsContext {
  id: string;
  title?: string;
  label?: string;
}

export type LtiMessageType = 'LtiResourceLinkRequest' | 'LtiDeepLinkingRequest';

export interface LaunchRequest {
  user: LmsUser;
  /** Full role URIs or short membership names ('Learner'); default [Learner]. [] is sent as []. */
  roles?: string[];
  /** null = no context claim at all; default context 'course-1'. */
  context?: LmsContext | null;
  /** null = no resource_link claim; default {id:'rl-1'}. */
  resourceLink?: { id: string; title?: string } | null;
  messageType?: LtiMessageType;
  deploymentId?: string;
  targetLinkUri?: string;
  custom?: Record<string, string>;
  /** launch_presentation.return_url; default the LMS's /return page, null leaves it out. */
  returnUrl?: string | null;
  /** Default both true. */
  services?: { nrps?: boolean; ags?: boolean };
  tamper?: LaunchTamper;
}

export interface LaunchTamper {
  /** Edit/delete claims before signing. */
  claims?: (claims: Record<string, unknown>) => Record<string, unknown>;
  /** Edit the JOSE header, e.g. delete kid or set an unknown kid. */
  header?: (header: Record<string, unknown>) => Record<string, unknown>;
  /** other-key: fresh RSA key not in the JWKS (kid kept); none: unsigned; HS256: HMAC. */
  signWith?: 'other-key' | 'none' | 'HS256';
  /** Browser loses all cookies for the tool's origin before POSTing the id_token. */
  dropStateCookie?: boolean;
  /** POST the same id_token+state again after the normal launch; see LaunchResult.replay. */
  replay?: boolean;
}

export interface LaunchResult {
  status: number;
  url: string;
  body: string;
  headers: Headers;
  replay?: LaunchResult;
}

/**
 * One NRPS member, field names exactly as in the membership container.
 * @see https://www.imsglobal.org/spec/lti-nrps/v2p0#membership-container-media-type
 */
export interface RosterMember {
  user_id: string;
  roles: string[];
  status?: 'Active' | 'Inactive' | 'Deleted';
  name?: string;
  given_name?: string;
  family_name?: string;
  email?: string;
  lis_person_sourcedid?: string;
  lti11_legacy_user_id?: string;
}

/** A tool registration the LMS accepted through LTI Dynamic Registration. */
export interface ReceivedRegistration {
  /** The JSON the tool posted, as received. */
  request: Record<string, unknown>;
  /** What the LMS answered with. */
  clientId: string;
  deploymentId: string;
}

/**
 * How the LMS treats its lti_message_hint: Moodle spends it at the first authentication request
 * (a second pass through its auth endpoint fails), Canvas accepts it again until it expires.
 */
export type MessageHintUse = 'single-use' | 'reusable';

/**
 * LTI Platform Storage (1EdTech "LTI Client Side postMessages" and "Platform Storage"), as Canvas
 * offers it: `target` names the frame of the course page that answers lti.put_data and
 * lti.get_data (Canvas: a sibling frame "post_message_forwarding"; "_parent" is the course page).
 * @see https://www.imsglobal.org/spec/lti-pm-s/v0p1
 */
export interface PlatformStorageOptions {
  target: string;
}

/** How this LMS behaves where real platforms differ. Default: like Moodle (single-use hint, no platform storage). */
export interface PlatformBehaviour {
  messageHint?: MessageHintUse;
  platformStorage?: PlatformStorageOptions;
  /** How the LMS reaches the tool's JWKS; default: the global fetch. */
  fetch?: typeof fetch;
}

export interface SimulatedLmsOptions extends PlatformBehaviour {
  baseUrl: string;
  clientId: string;
  deploymentId: string;
  issuer?: string;
  /** NRPS page size; default 50 like Canvas. */
  pageSize?: number;
  /** Lets the demo keep the same key (and therefore kid) across restarts. */
  privateKeyPem?: string;
}

export interface StartOptions extends PlatformBehaviour {
  clientId: string;
  deploymentId: string;
  issuer?: string;
  pageSize?: number;
  /** Serve HTTPS under this host name (still listening on 127.0.0.1) instead of plain HTTP on 127.0.0.1. */
  tls?: { hostname: string; key: string; cert: string };
}

/** A course page that embeds the tool, the way Moodle's "Embed" launch container does. */
export interface CoursePageOptions {
  /** Also offer the activity in a new window (a link with target=_blank), as Moodle's "New window" container does. */
  newWindowLink?: boolean;
}
