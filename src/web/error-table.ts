import { ReportRejectedError, StartRefusedError, type ReportRejection } from '../access/attempt.errors.js';
import { StartTicketError, type StartTicketRefusal } from '../access/start-ticket.js';
import { CredentialsHiddenError, NotOneTimeUserError, UsernameTakenError } from '../access/one-time-user.errors.js';
import { InvalidUsernameError } from '../access/username-rules.js';
import {
  AttemptStateError,
  CandidateBatchError,
  CandidateCapError,
  CandidateNotFoundError,
  DuplicateCandidateIdError,
  InvalidCandidateError,
  LeftOutChoiceError,
} from '../candidates/candidate.errors.js';
import { ImportConflictError, ImportNotFoundError } from '../imports/import.errors.js';
import { ExamNotFoundError, ExamStateError, InvalidExamError } from '../exams/exam.errors.js';
import { DownloadAbortedError } from './streamed-download.js';
import { ExportRefusedError, InvalidExportChoiceError } from '../exports/export.errors.js';
import {
  DeploymentNotAllowedError,
  InvalidPlatformError,
  InvalidSsoSettingError,
  JwksUnreachableError,
  PlatformExistsError,
  PlatformMoveRefusedError,
  PlatformNotFoundError,
  SsoSetupNotFoundError,
} from '../platforms/platform.errors.js';
import { LaunchRefusedError, type LaunchRefusal } from '../lti/launch-errors.js';
import { LaunchHeldError } from '../launch/held-launch.js';
import { ThrottledError } from '../throttle/throttle.errors.js';
import {
  DynamicRegistrationOffError,
  InvalidRegistrationUrlError,
  RegistrationRequestError,
  RegistrationStepError,
  RegistrationTokenError,
  RegistrationUrlNotFoundError,
} from '../platforms/registration.errors.js';
import { DatabaseUnavailableError } from '../db/database.js';
import { AdminAccountNotFoundError, InvalidAdminAccountError } from '../admins/admin-account.errors.js';
import { InvalidPermanentUserError, PermanentUsernameTakenError, PermanentUserNotFoundError } from '../permanent/permanent-user.errors.js';
import { InvalidListError, ListNotFoundError, ListReadOnlyError } from '../lists/list.errors.js';
import { HandoutNotReadyError } from '../handout/handout.errors.js';
import { asDatabaseOutage } from '../db/outage.js';
import { HttpError } from './http-error.js';

/** What the caller is told: an HTTP status, a stable code for programs, a sentence for people. */
export interface MappedError {
  status: number;
  code: string;
  message: string;
  /** The page's heading, where the error has one of its own. */
  title?: string;
  /** Sent as Retry-After (429, 503). */
  retryAfterSeconds?: number;
  /** A page of its own instead of views/error.njk, with what that page needs. */
  view?: string;
  locals?: Record<string, unknown>;
}

type ErrorClass<E extends Error> = abstract new (...args: never[]) => E;

interface Row<E extends Error> {
  type: ErrorClass<E>;
  status: number | ((err: E) => number);
  code: string | ((err: E) => string);
  more?: (err: E) => Partial<MappedError>;
}

const row = <E extends Error>(type: ErrorClass<E>, status: Row<E>['status'], code: Row<E>['code'], more?: Row<E>['more']): Row<Error> =>
  ({ type, status, code, more }) as Row<Error>;

const LAUNCH_STATUS: Record<LaunchRefusal, number> = { malformed: 400, unauthenticated: 401, forbidden: 403, unavailable: 503 };

/** How long a client should wait before asking again while the database is out of reach. */
const OUTAGE_RETRY_AFTER_SECONDS = 30;
const OUTAGE: Partial<MappedError> = { title: 'examgate is temporarily unavailable', retryAfterSeconds: OUTAGE_RETRY_AFTER_SECONDS };

function launchPage(err: LaunchRefusedError): Partial<MappedError> {
  return err.reason === 'unavailable' ? OUTAGE : { title: 'This launch could not be accepted' };
}

const REPORT_STATUS: Record<ReportRejection, number> = { malformed: 400, unauthenticated: 401, unknown_attempt: 404, conflict: 409 };

/** A start ticket that proves nothing is a 403; one that proved something that no longer holds (expired, session over) a 401. */
const TICKET_STATUS: Record<StartTicketRefusal, number> = {
  missing: 400,
  invalid: 403,
  expired: 401,
  session_ended: 401,
  mismatch: 403,
  cross_site: 403,
};
const NOT_OPENED: Partial<MappedError> = { title: 'Your test could not be opened' };

/**
 * The one table from domain errors to HTTP. Domain errors know nothing of HTTP; this is the
 * only place that decides their status and code. Anything not listed is an unexpected 500.
 */
const TABLE: Array<Row<Error>> = [
  row(
    HttpError,
    (e) => e.status,
    (e) => e.code,
  ),
  row(InvalidPlatformError, 400, 'invalid_platform'),
  row(InvalidSsoSettingError, 400, 'invalid_sso_setting'),
  row(SsoSetupNotFoundError, 404, 'not_found'),
  row(JwksUnreachableError, 422, 'jwks_unreachable'),
  row(PlatformExistsError, 409, 'platform_exists'),
  row(PlatformNotFoundError, 404, 'not_found'),
  row(DeploymentNotAllowedError, 403, 'deployment_not_allowed'),
  row(PlatformMoveRefusedError, 409, 'platform_move_refused'),
  row(
    LaunchHeldError,
    403,
    (e) => (e.kind === 'platform' ? 'PLATFORM_PENDING' : 'DEPLOYMENT_HELD'),
    (e) => ({ title: 'Waiting for approval', view: 'launch-held.njk', locals: { held: e } }),
  ),
  row(DynamicRegistrationOffError, 404, 'dynamic_registration_off'),
  row(RegistrationRequestError, 400, 'registration_request'),
  row(RegistrationTokenError, 403, 'registration_url_refused'),
  // The LMS (upstream) failed or refused: a gateway error, whose details stay in the log.
  row(RegistrationStepError, 502, 'registration_failed'),
  row(InvalidRegistrationUrlError, 400, 'invalid_registration_url'),
  row(RegistrationUrlNotFoundError, 404, 'not_found'),
  row(InvalidExamError, 400, 'invalid_test'),
  row(ExamNotFoundError, 404, 'not_found'),
  row(ExamStateError, 409, 'test_state'),
  row(InvalidCandidateError, 400, 'invalid_candidate'),
  row(CandidateNotFoundError, 404, 'not_found'),
  row(ImportNotFoundError, 404, 'import_not_found', () => ({ title: 'Import not found' })),
  row(ImportConflictError, 409, 'import_conflict'),
  row(CandidateCapError, 409, 'candidate_cap'),
  row(DuplicateCandidateIdError, 409, 'duplicate_candidate_id'),
  row(LeftOutChoiceError, 409, 'left_out_choice'),
  row(CandidateBatchError, 400, 'invalid_candidates'),
  row(CredentialsHiddenError, 409, 'credentials_hidden'),
  row(HandoutNotReadyError, 409, 'handout_not_ready', () => ({ title: 'No login slips yet' })),
  row(NotOneTimeUserError, 404, 'not_one_time_user'),
  row(UsernameTakenError, 409, 'username_taken'),
  row(InvalidUsernameError, 400, 'invalid_username'),
  row(PermanentUserNotFoundError, 404, 'not_found'),
  row(PermanentUsernameTakenError, 409, 'username_taken'),
  row(InvalidPermanentUserError, 400, 'invalid_permanent_user'),
  row(ListNotFoundError, 404, 'not_found', () => ({ title: 'List not found' })),
  row(ListReadOnlyError, 403, 'list_read_only', () => ({ title: 'Only the owner can change this list' })),
  row(InvalidListError, 400, 'invalid_list'),
  row(AdminAccountNotFoundError, 404, 'not_found'),
  row(InvalidAdminAccountError, 400, 'invalid_admin_account'),
  row(ExportRefusedError, 409, 'export_refused', () => ({ title: 'Nothing to export yet' })),
  row(InvalidExportChoiceError, 400, 'invalid_export'),
  // The client left mid-download: nothing to answer and nothing broken on our side.
  row(DownloadAbortedError, 400, 'download_aborted'),
  row(AttemptStateError, 409, 'attempt_state', () => NOT_OPENED),
  row(StartRefusedError, 409, 'start_refused', () => NOT_OPENED),
  row(
    StartTicketError,
    (e) => TICKET_STATUS[e.reason],
    (e) => `start_ticket_${e.reason}`,
    () => NOT_OPENED,
  ),
  row(
    LaunchRefusedError,
    (e) => LAUNCH_STATUS[e.reason],
    (e) => e.code,
    launchPage,
  ),
  row(ReportRejectedError, (e) => REPORT_STATUS[e.reason], 'report_rejected'),
  row(DatabaseUnavailableError, 503, 'database_unavailable', () => OUTAGE),
  row(ThrottledError, 429, 'too_many_requests', (e) => ({
    title: 'Too many attempts',
    retryAfterSeconds: e.retryAfterSeconds,
    view: 'throttled.njk',
  })),
];

/** Maps a thrown value to what the caller is told, or null when it is unexpected (a 500). */
export function mapError(raw: unknown): MappedError | null {
  // A lost database shows up as whatever the driver threw; it is an outage, not a bug.
  const err = asDatabaseOutage(raw) ?? raw;
  if (err instanceof Error) {
    const match = TABLE.find((r) => err instanceof r.type);
    if (match) {
      return {
        status: typeof match.status === 'function' ? match.status(err) : match.status,
        code: typeof match.code === 'function' ? match.code(err) : match.code,
        message: err.message,
        ...match.more?.(err),
      };
    }
  }
  // express's body parsers throw errors tagged with a type.
  const bodyError = err as { type?: string; status?: number } | null;
  if (bodyError?.type === 'entity.parse.failed' || bodyError?.type === 'entity.too.large') {
    return { status: bodyError.status ?? 400, code: 'bad_request', message: 'The request body could not be read.' };
  }
  return null;
}
