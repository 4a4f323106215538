/** A registered LMS: one tenant. Nothing of one platform is visible from another. */
export interface Platform {
  id: string;
  issuer: string;
  clientId: string;
  name: string;
  preset: PresetName;
  authUrl: string;
  tokenUrl: string;
  jwksUrl: string;
  /** null: follow the system default (NEW_DEPLOYMENT_POLICY). */
  newDeploymentPolicy: DeploymentPolicy | null;
  /** The time zone new tests of this platform start with (an IANA name); the LMS sends none. */
  defaultTimeZone: string;
  /** The launch field an SSO user ID of "the platform's LMS identity" is matched on (README: CSV import (SSO)). */
  ssoMatchField: SsoMatchField;
  ltijsPlatformId: string;
  /** pending: registered (dynamically) but not yet approved by an admin; it can neither launch nor frame examgate. */
  status: PlatformStatus;
  deployments: Deployment[];
}

/** `sub` (the LMS user id), `sis_id` (lis.person_sourcedid) or `email`: never a display name. */
export const SSO_MATCH_FIELDS = ['sub', 'sis_id', 'email'] as const;
export type SsoMatchField = (typeof SSO_MATCH_FIELDS)[number];

export type PresetName = 'canvas' | 'moodle' | 'custom' | 'dynamic';
export type PlatformStatus = 'active' | 'pending';
export type DeploymentPolicy = 'accept' | 'hold';
export type DeploymentStatus = 'active' | 'pending';

export interface Deployment {
  deploymentId: string;
  status: DeploymentStatus;
  /** How examgate learned of it: named at registration, by an admin, or first seen in a launch. */
  source: 'registration' | 'admin' | 'launch';
  firstSeenAt: Date;
}
