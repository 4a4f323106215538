/** Every way the engine can turn a request down; the code is stable, the message is what the candidate reads. */
export type DeliveryErrorCode =
  | 'missing_handoff'
  | 'malformed'
  | 'unsupported_algorithm'
  | 'missing_kid'
  | 'unknown_key'
  | 'bad_signature'
  | 'expired'
  | 'issued_in_future'
  | 'wrong_issuer'
  | 'wrong_audience'
  | 'wrong_purpose'
  | 'invalid_claims'
  | 'replayed'
  | 'jwks_unavailable'
  | 'start_refused'
  | 'no_session'
  | 'csrf_failed'
  | 'not_found';

const STATUS: Record<DeliveryErrorCode, number> = {
  missing_handoff: 400,
  malformed: 400,
  invalid_claims: 400,
  unsupported_algorithm: 401,
  missing_kid: 401,
  unknown_key: 401,
  bad_signature: 401,
  expired: 401,
  issued_in_future: 401,
  wrong_issuer: 401,
  wrong_audience: 401,
  wrong_purpose: 401,
  replayed: 401,
  no_session: 401,
  csrf_failed: 403,
  not_found: 404,
  jwks_unavailable: 502,
  start_refused: 502,
};

/** The one error class of the engine: the error handler renders it as an HTML page with its status. */
export class DeliveryError extends Error {
  readonly status: number;

  constructor(
    readonly code: DeliveryErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'DeliveryError';
    this.status = STATUS[code];
  }
}

/** fetch hides the useful part of a network failure ("connect ECONNREFUSED …") in `cause`. */
export function reasonOf(err: unknown): string {
  if (err instanceof Error) {
    return err.cause instanceof Error ? err.cause.message : err.message;
  }
  return String(err);
}
