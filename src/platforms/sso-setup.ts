/**
 * An SSO setup other than the platform's own LMS identity (seed 001: "some customers have
 * several SSO setups"): registered by an admin by name, offered on the SSO import form.
 */
export interface SsoSetup {
  id: string;
  platformId: string;
  name: string;
}

/** The auth type stored on a candidate whose SSO user ID is matched on the platform's LMS launches. */
export const LMS_IDENTITY = 'lms';

/** An auth type as the SSO import form offers it: the LMS identity, or a registered setup. */
export interface SsoAuthType {
  /** `lms`, or a setup's id. */
  id: string;
  label: string;
}
