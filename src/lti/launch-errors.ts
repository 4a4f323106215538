/** Why a launch was refused: a malformed message, one whose sender or binding is not proven, one not allowed in, or examgate's own outage. */
export type LaunchRefusal = 'malformed' | 'unauthenticated' | 'forbidden' | 'unavailable';

/** A refused LTI message; never a raw ltijs code on its own: the message says what was wrong. */
export class LaunchRefusedError extends Error {
  constructor(
    readonly code: string,
    readonly reason: LaunchRefusal,
    message: string,
  ) {
    super(message);
    this.name = 'LaunchRefusedError';
  }
}

const REASON_OF: Record<number, LaunchRefusal> = { 400: 'malformed', 401: 'unauthenticated', 403: 'forbidden', 503: 'unavailable' };

/** Each known code: its kind (read as 400 malformed, 401 unauthenticated, 403 forbidden, 503 unavailable) and its sentence. */
const MESSAGES: Record<string, [400 | 401 | 403 | 503, string]> = {
  INVALID_JWT: [400, 'The launch message is not a valid signed token.'],
  'jwt malformed': [400, 'The launch message is not a valid signed token.'],
  ALG_NOT_RS256: [401, 'The launch was signed with an algorithm other than RS256, which examgate does not accept.'],
  KID_NOT_FOUND: [401, 'The launch token does not name its signing key (kid).'],
  KEY_NOT_FOUND: [401, "The launch was signed with a key that is not in the LMS's published key set."],
  KEYSET_NOT_FOUND: [401, "The LMS's key set could not be read."],
  'invalid signature': [401, 'The launch signature is not valid.'],
  'invalid algorithm': [401, 'The launch was signed with an algorithm examgate does not accept.'],
  'jwt expired': [401, 'The launch has expired. Go back to your course and open the activity again.'],
  TOKEN_TOO_OLD: [401, 'The launch is too old. Go back to your course and open the activity again.'],
  IAT_IN_FUTURE: [401, "The launch is dated in the future: the LMS's clock is ahead of examgate's."],
  NO_IAT_CLAIM: [401, 'The launch token has no issue time (iat).'],
  NO_EXP_CLAIM: [401, 'The launch token has no expiry time (exp). Go back to your course and open the activity again.'],
  EXP_IN_PAST: [401, 'The launch has expired. Go back to your course and open the activity again.'],
  NO_NONCE_CLAIM: [401, 'The launch token has no nonce.'],
  NONCE_NOT_ISSUED_FOR_THIS_LOGIN: [
    401,
    'This launch does not belong to the login your browser started (its nonce was not issued for it). Go back to your course and open the activity again.',
  ],
  NONCE_ALREADY_RECEIVED: [401, 'This launch has already been used. Open the activity again from your course.'],
  UNREGISTERED_PLATFORM: [
    401,
    'This LMS (issuer and client id) is not registered with examgate. Ask your examgate administrator to register it.',
  ],
  PLATFORM_NOT_ACTIVATED: [401, 'This LMS is registered but not activated yet.'],
  ISS_CLAIM_DOES_NOT_MATCH: [401, 'The launch came from a different LMS than the one that started the login.'],
  AZP_DOES_NOT_MATCH_CLIENTID: [401, 'The launch was meant for a different tool (azp).'],
  NO_MESSAGE_TYPE_CLAIM: [400, 'The launch has no supported LTI message type.'],
  NO_TARGET_LINK_URI_CLAIM: [400, 'The launch has no target link URI.'],
  NO_RESOURCE_LINK_ID_CLAIM: [400, 'The launch does not say which activity (resource link id) was opened.'],
  NO_LTI_VERSION_CLAIM: [400, 'The launch has no LTI version.'],
  WRONG_LTI_VERSION_CLAIM: [400, 'The launch is not LTI 1.3.0.'],
  NO_DEPLOYMENT_ID_CLAIM: [400, 'The launch has no deployment id.'],
  NO_SUB_CLAIM: [400, 'The launch does not identify the user (sub).'],
  NO_ROLES_CLAIM: [400, 'The launch has no roles claim.'],
  NO_LTIK_OR_IDTOKEN_FOUND: [400, 'This address is only reached by a launch from your LMS.'],
  MISSING_LOGIN_PARAMETERS: [400, 'The login request is missing iss, login_hint or target_link_uri.'],
  LOGIN_NOT_PENDING: [400, 'This sign-in has expired or was already used. Go back to your course and open the activity again.'],
  LOGIN_ALREADY_RESTARTED: [
    400,
    'examgate was already opened in a new window from this page. Continue in that window, or go back to your course and open the activity again.',
  ],
  // examgate checks that its cookie sticks before it sends the browser to the LMS, so this is rare:
  // the cookie was dropped between that check and the launch (and the LMS's hint may be spent).
  MISSING_VALIDATION_COOKIE: [
    401,
    "Your browser did not send back examgate's sign-in cookie, so this launch could not be checked safely. Go back to your course and open the activity again; if this keeps happening, open the activity in a new window.",
  ],
  HANDOVER_FROM_ANOTHER_SITE: [
    401,
    'This request to continue a launch came from another site than examgate. Open the activity again from your course.',
  ],
  HANDOVER_NOT_PENDING: [
    400,
    'This launch was already continued in another window, or waited too long. Go back to your course and open the activity again.',
  ],
  STORAGE_PROOF_FROM_ANOTHER_SITE: [401, 'This launch was sent from another site than examgate. Open the activity again from your course.'],
  STORAGE_PROOF_MISMATCH: [
    401,
    'Your course page does not know this sign-in, so this launch does not belong to this browser. Open the activity again from your course.',
  ],
  UNKNOWN_DEPLOYMENT: [403, 'This deployment of examgate is not known for your LMS. Ask your examgate administrator to add it.'],
  DEPLOYMENT_HELD: [403, 'This deployment of examgate is new and waits for an administrator to approve it.'],
  DATABASE_UNAVAILABLE: [
    503,
    'examgate is temporarily unavailable: its database cannot be reached, so the launch could not be checked. Wait a minute, then open the activity again from your course.',
  ],
};

/** The refusal for an ltijs or examgate launch error code, with a sentence for people. */
export function launchRefusal(code: string): LaunchRefusedError {
  const [kind, message] = MESSAGES[code] ?? [401, 'The launch could not be validated.'];
  return new LaunchRefusedError(code, REASON_OF[kind] ?? 'unauthenticated', message);
}
