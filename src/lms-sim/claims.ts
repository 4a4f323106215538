/**
 * Claim names, scopes, roles and media types used by the simulated LMS.
 * Each constant links the spec section that defines it, so a reader can check
 * the simulator against the standard rather than against another implementation.
 */

const LTI = 'https://purl.imsglobal.org/spec/lti/claim/';

/** @see http://www.imsglobal.org/spec/lti/v1p3/#message-type-claim */
export const CLAIM_MESSAGE_TYPE = `${LTI}message_type`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#lti-version-claim */
export const CLAIM_VERSION = `${LTI}version`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#lti-deployment-id-claim */
export const CLAIM_DEPLOYMENT_ID = `${LTI}deployment_id`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#target-link-uri */
export const CLAIM_TARGET_LINK_URI = `${LTI}target_link_uri`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#roles-claim */
export const CLAIM_ROLES = `${LTI}roles`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#context-claim */
export const CLAIM_CONTEXT = `${LTI}context`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#resource-link-claim */
export const CLAIM_RESOURCE_LINK = `${LTI}resource_link`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#platform-instance-claim */
export const CLAIM_TOOL_PLATFORM = `${LTI}tool_platform`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#launch-presentation-claim */
export const CLAIM_LAUNCH_PRESENTATION = `${LTI}launch_presentation`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#learning-information-services-lis-claim */
export const CLAIM_LIS = `${LTI}lis`;
/** @see http://www.imsglobal.org/spec/lti/v1p3/#custom-properties-and-variable-substitution */
export const CLAIM_CUSTOM = `${LTI}custom`;
/**
 * LTI 1.1 user_id of the same person, for tools migrating from 1.1.
 * @see http://www.imsglobal.org/spec/lti/v1p3/#user-identity-claims
 * @see https://www.imsglobal.org/spec/lti/v1p3/migr#lti-1-1-migration-claim
 */
export const CLAIM_LTI11_LEGACY_USER_ID = `${LTI}lti11_legacy_user_id`;

/** @see https://www.imsglobal.org/spec/lti-nrps/v2p0#lti-1-3-integration */
export const CLAIM_NRPS = 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice';
/** @see https://www.imsglobal.org/spec/lti-ags/v2p0#assignment-and-grade-service-claim */
export const CLAIM_AGS_ENDPOINT = 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint';

const DL = 'https://purl.imsglobal.org/spec/lti-dl/claim/';
/** @see https://www.imsglobal.org/spec/lti-dl/v2p0#deep-linking-settings */
export const CLAIM_DL_SETTINGS = `${DL}deep_linking_settings`;
/** @see https://www.imsglobal.org/spec/lti-dl/v2p0#content-items */
export const CLAIM_DL_CONTENT_ITEMS = `${DL}content_items`;
/** @see https://www.imsglobal.org/spec/lti-dl/v2p0#data */
export const CLAIM_DL_DATA = `${DL}data`;
/** @see https://www.imsglobal.org/spec/lti-dl/v2p0#msg */
export const CLAIM_DL_MSG = `${DL}msg`;

/** @see https://www.imsglobal.org/spec/lti-nrps/v2p0#lti-1-3-integration */
export const SCOPE_NRPS = 'https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly';
const AGS_SCOPE = 'https://purl.imsglobal.org/spec/lti-ags/scope/';
/** @see https://www.imsglobal.org/spec/lti-ags/v2p0#scope-and-allowed-http-methods */
export const SCOPE_AGS_LINEITEM = `${AGS_SCOPE}lineitem`;
/** @see https://www.imsglobal.org/spec/lti-ags/v2p0#scope-and-allowed-http-methods */
export const SCOPE_AGS_LINEITEM_READONLY = `${AGS_SCOPE}lineitem.readonly`;
/** @see https://www.imsglobal.org/spec/lti-ags/v2p0#scope-and-allowed-http-methods */
export const SCOPE_AGS_RESULT_READONLY = `${AGS_SCOPE}result.readonly`;
/** @see https://www.imsglobal.org/spec/lti-ags/v2p0#scope-and-allowed-http-methods */
export const SCOPE_AGS_SCORE = `${AGS_SCOPE}score`;
export const AGS_SCOPES = [SCOPE_AGS_LINEITEM, SCOPE_AGS_LINEITEM_READONLY, SCOPE_AGS_RESULT_READONLY, SCOPE_AGS_SCORE];
/** Every scope the token endpoint will grant. */
export const SUPPORTED_SCOPES = [SCOPE_NRPS, ...AGS_SCOPES];

/** @see http://www.imsglobal.org/spec/lti/v1p3/#lis-vocabulary-for-context-roles */
export const MEMBERSHIP_ROLE_PREFIX = 'http://purl.imsglobal.org/vocab/lis/v2/membership#';
export const ROLE_LEARNER = `${MEMBERSHIP_ROLE_PREFIX}Learner`;
export const ROLE_INSTRUCTOR = `${MEMBERSHIP_ROLE_PREFIX}Instructor`;
export const ROLE_ADMINISTRATOR = `${MEMBERSHIP_ROLE_PREFIX}Administrator`;
export const ROLE_CONTENT_DEVELOPER = `${MEMBERSHIP_ROLE_PREFIX}ContentDeveloper`;
export const ROLE_MENTOR = `${MEMBERSHIP_ROLE_PREFIX}Mentor`;
/** A sub-role: note the '/Instructor#' path. @see http://www.imsglobal.org/spec/lti/v1p3/#context-sub-roles */
export const ROLE_TEACHING_ASSISTANT = 'http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant';

/** @see http://www.imsglobal.org/spec/lti/v1p3/#context-type-vocabulary */
export const CONTEXT_TYPE_COURSE_OFFERING = 'http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering';

/** @see https://www.imsglobal.org/spec/lti-nrps/v2p0#membership-container-media-type */
export const MEDIA_NRPS_CONTAINER = 'application/vnd.ims.lti-nrps.v2.membershipcontainer+json';
/** @see https://www.imsglobal.org/spec/lti-ags/v2p0#media-types-and-schemas */
export const MEDIA_AGS_LINEITEM = 'application/vnd.ims.lis.v2.lineitem+json';
export const MEDIA_AGS_LINEITEM_CONTAINER = 'application/vnd.ims.lis.v2.lineitemcontainer+json';
export const MEDIA_AGS_SCORE = 'application/vnd.ims.lis.v1.score+json';

/**
 * Expands a short membership role ('Learner', 'instructor') to its full URI;
 * anything that already looks like a URI is passed through untouched so tests
 * can send system/institution roles or deliberately odd values.
 */
export function normalizeRole(role: string): string {
  if (role.includes(':') || role.includes('/')) {
    return role;
  }
  if (role === 'TeachingAssistant') {
    return ROLE_TEACHING_ASSISTANT;
  }
  const name = role.charAt(0).toUpperCase() + role.slice(1);
  return `${MEMBERSHIP_ROLE_PREFIX}${name}`;
}
