import type { Migration } from '../migrator.js';
import { platformsAndSessions } from './0001-platforms-and-sessions.js';
import { examsAndCandidates } from './0002-exams-and-candidates.js';
import { loginNoncesAndThrottle } from './0003-login-nonces-and-throttle.js';
import { registrationTokens } from './0004-registration-tokens.js';
import { jobRetries } from './0005-job-retries.js';
import { auditTrail } from './0006-audit-trail.js';
import { embeddedLaunches } from './0007-embedded-launches.js';
import { openInAndHandedOff } from './0008-open-in-and-handed-off.js';
import { platformTimeZone } from './0009-platform-time-zone.js';
import { attemptReturnUrl } from './0010-attempt-return-url.js';
import { rosterLeftOut } from './0012-roster-left-out.js';
import { candidateSessions } from './0013-candidate-sessions.js';
import { oneTimeUsers } from './0014-one-time-users.js';
import { directLinksAndEntryCodes } from './0015-direct-links-and-entry-codes.js';
import { systemSettings } from './0016-system-settings.js';
import { importReports } from './0017-import-reports.js';
import { ssoIdentities } from './0018-sso-identities.js';
import { permanentUsersAndAdminAccounts } from './0019-permanent-users-and-admin-accounts.js';
import { permanentPasswordQueue } from './0020-permanent-password-queue.js';
import { mailOutbox } from './0021-mail-outbox.js';
import { permanentUserLists } from './0022-permanent-user-lists.js';
import { mailBatches } from './0023-mail-batches.js';
import { permanentUserPhotos } from './0024-permanent-user-photos.js';
import { importListedLines } from './0025-import-listed-lines.js';
import { importParts } from './0026-import-parts.js';
import { photoHashIndex } from './0027-photo-hash-index.js';

/** Applied in this order; never edit one that has shipped, add the next instead. */
export const migrations: Migration[] = [
  platformsAndSessions,
  examsAndCandidates,
  loginNoncesAndThrottle,
  registrationTokens,
  jobRetries,
  auditTrail,
  embeddedLaunches,
  openInAndHandedOff,
  platformTimeZone,
  attemptReturnUrl,
  rosterLeftOut,
  candidateSessions,
  oneTimeUsers,
  directLinksAndEntryCodes,
  systemSettings,
  importReports,
  ssoIdentities,
  permanentUsersAndAdminAccounts,
  permanentPasswordQueue,
  mailOutbox,
  permanentUserLists,
  mailBatches,
  permanentUserPhotos,
  importListedLines,
  importParts,
  photoHashIndex,
];
