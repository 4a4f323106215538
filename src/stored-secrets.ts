import type { Logger } from './logger.js';

/** What one kind of stored secret looked like at start-up, and what re-sealing did to it. */
export interface ResealReport {
  /** What the rows are, for people: "examgate's hand-off signing keys". */
  what: string;
  total: number;
  /** Rows that were sealed under SECRET_KEY_PREVIOUS and are now sealed under SECRET_KEY. */
  resealed: number;
  /** Rows that neither secret opens. */
  unreadable: number;
}

/** Something stored under a secret opens with neither SECRET_KEY nor SECRET_KEY_PREVIOUS: examgate stops rather than fail at the first hand-off. */
export class StoredSecretsUnreadableError extends Error {
  constructor(reports: ResealReport[]) {
    const parts = reports.filter((r) => r.unreadable > 0).map((r) => `${r.unreadable} of ${r.total} of ${r.what}`);
    super(
      `SECRET_KEY does not open ${parts.join(' and ')}. If SECRET_KEY was changed, set SECRET_KEY_PREVIOUS to the secret it replaced ` +
        `(README: Rotating SECRET_KEY); examgate re-seals them under SECRET_KEY at start-up.`,
    );
    this.name = 'StoredSecretsUnreadableError';
  }
}

/**
 * Start-up: everything stored under a secret is brought under SECRET_KEY (rows a rotation left
 * under SECRET_KEY_PREVIOUS are re-sealed), and examgate refuses to run with stored secrets
 * it cannot open: a process that could not sign a hand-off would fail candidates one by one.
 */
export async function resealStoredSecrets(reseals: Array<() => Promise<ResealReport>>, log: Logger): Promise<ResealReport[]> {
  const reports: ResealReport[] = [];
  for (const reseal of reseals) {
    reports.push(await reseal());
  }
  if (reports.some((r) => r.unreadable > 0)) {
    throw new StoredSecretsUnreadableError(reports);
  }
  if (reports.some((r) => r.resealed > 0)) {
    log.info(
      { resealed: Object.fromEntries(reports.map((r) => [r.what, `${r.resealed} of ${r.total}`])) },
      'stored secrets re-sealed under SECRET_KEY: nothing is left under SECRET_KEY_PREVIOUS',
    );
  }
  return reports;
}

/**
 * Runs the re-sealing writes `limit` at a time: one UPDATE per row, each conditional on what was
 * read, so two processes starting at once stay safe; in parallel, so thousands of rows left
 * under SECRET_KEY_PREVIOUS do not hold the start-up for one round trip each.
 */
export async function writeAtMost(limit: number, writes: Array<() => Promise<unknown>>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < writes.length) {
      await writes[next++]!();
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, writes.length) }, worker));
}
