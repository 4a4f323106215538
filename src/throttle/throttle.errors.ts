/** Says when to try again in words a person reads ("in 1 minute", "in 3 hours"). */
export function describeWait(seconds: number): string {
  if (seconds < 60) {
    return seconds === 1 ? 'in 1 second' : `in ${seconds} seconds`;
  }
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) {
    return minutes === 1 ? 'in 1 minute' : `in ${minutes} minutes`;
  }
  return `in ${Math.ceil(minutes / 60)} hours`;
}

/** Too many attempts from this address or for this account: refused until the window ends. */
export class ThrottledError extends Error {
  constructor(
    readonly retryAfterSeconds: number,
    readonly retryAt: Date,
  ) {
    super(
      `Too many attempts. Please wait and try again ${describeWait(retryAfterSeconds)} (after ${retryAt.toISOString().slice(11, 16)} UTC).`,
    );
    this.name = 'ThrottledError';
  }
}
