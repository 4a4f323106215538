/** Why a report was refused: a malformed report, an unproven sender, no such attempt, or one out of turn (replayed, not running). */
export type ReportRejection = 'malformed' | 'unauthenticated' | 'unknown_attempt' | 'conflict';

/** A delivery report examgate will not accept; the message is safe to return to the engine. */
export class ReportRejectedError extends Error {
  constructor(
    readonly reason: ReportRejection,
    message: string,
  ) {
    super(message);
    this.name = 'ReportRejectedError';
  }
}

/** Start refused: the lobby explains why (window, status, no delivery URL). */
export class StartRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartRefusedError';
  }
}
