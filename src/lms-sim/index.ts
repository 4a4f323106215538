/** Public surface of the simulated LMS used by tests and the demo. */
export { SimulatedLms } from './simulated-lms.js';
export { Browser, submitAutoPostForm } from './browser.js';
export type { AutoPostForm, BrowserRequestInit, FollowResult } from './browser.js';
export * from './claims.js';
export type { CourseRecord } from './course-record.js';
export type {
  CoursePageOptions,
  LaunchRequest,
  LaunchResult,
  LaunchTamper,
  LmsContext,
  LmsUser,
  LtiMessageType,
  MessageHintUse,
  PlatformBehaviour,
  PlatformStorageOptions,
  RosterMember,
  SimulatedLmsOptions,
  StartOptions,
  ToolEndpoints,
} from './types.js';
