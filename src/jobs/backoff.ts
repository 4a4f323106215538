/** The longest wait between two tries, however many have failed. */
const MAX_DELAY_MS = 60 * 60_000;

/**
 * How long to wait after the `failedRuns`-th failed run: the base doubled per failure, capped,
 * with "equal jitter" (half fixed, half random) so jobs that failed together do not all come
 * back at the same instant and knock over the LMS that just recovered.
 */
export function retryDelayMs(failedRuns: number, baseMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_DELAY_MS, baseMs * 2 ** Math.max(0, failedRuns - 1));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
