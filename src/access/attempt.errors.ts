/** A delivery report examgate will not accept; the message is safe to return to the engine. */
export class ReportRejectedError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 409,
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
