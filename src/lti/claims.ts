/**
 * Claim names of LTI 1.3 messages.
 * Core: https://www.imsglobal.org/spec/lti/v1p3/#required-message-claims
 */
export const CLAIM = {
  messageType: 'https://purl.imsglobal.org/spec/lti/claim/message_type',
  version: 'https://purl.imsglobal.org/spec/lti/claim/version',
  deploymentId: 'https://purl.imsglobal.org/spec/lti/claim/deployment_id',
  targetLinkUri: 'https://purl.imsglobal.org/spec/lti/claim/target_link_uri',
  resourceLink: 'https://purl.imsglobal.org/spec/lti/claim/resource_link',
  roles: 'https://purl.imsglobal.org/spec/lti/claim/roles',
  context: 'https://purl.imsglobal.org/spec/lti/claim/context',
  /** https://www.imsglobal.org/spec/lti/v1p3/migr#lti-1-1-migration-claim */
  legacyUserId: 'https://purl.imsglobal.org/spec/lti/claim/lti11_legacy_user_id',
  custom: 'https://purl.imsglobal.org/spec/lti/claim/custom',
  lis: 'https://purl.imsglobal.org/spec/lti/claim/lis',
  /** https://www.imsglobal.org/spec/lti/v1p3/#launch-presentation-claim */
  launchPresentation: 'https://purl.imsglobal.org/spec/lti/claim/launch_presentation',
  /** https://www.imsglobal.org/spec/lti-nrps/v2p0#lti-1-3-integration */
  namesRoleService: 'https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice',
  /** https://www.imsglobal.org/spec/lti-ags/v2p0#assignment-and-grade-service-claim */
  agsEndpoint: 'https://purl.imsglobal.org/spec/lti-ags/claim/endpoint',
  /** https://www.imsglobal.org/spec/lti/v1p3/#platform-instance-claim */
  toolPlatform: 'https://purl.imsglobal.org/spec/lti/claim/tool_platform',
  /** https://www.imsglobal.org/spec/lti-dl/v2p0#deep-linking-settings */
  deepLinkingSettings: 'https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings',
} as const;

/** https://www.imsglobal.org/spec/lti/v1p3/#message-type-claim */
export const MESSAGE_TYPE = {
  resourceLink: 'LtiResourceLinkRequest',
  deepLinking: 'LtiDeepLinkingRequest',
} as const;

/** https://www.imsglobal.org/spec/lti/v1p3/#role-vocabularies */
export const ROLE_PREFIX = {
  membership: 'http://purl.imsglobal.org/vocab/lis/v2/membership#',
  institution: 'http://purl.imsglobal.org/vocab/lis/v2/institution/person#',
  system: 'http://purl.imsglobal.org/vocab/lis/v2/system/person#',
} as const;
