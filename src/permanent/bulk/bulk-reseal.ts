import type { SealedText } from '../../secrets/sealed-text.js';
import { writeAtMost, type ResealReport } from '../../stored-secrets.js';
import type { BulkSealedRepository, SealedRow } from './bulk-sealed.repository.js';

const PAGE = 1000;

/** Opens each row; those sealed under SECRET_KEY_PREVIOUS are written back sealed under SECRET_KEY. */
async function resealRows(
  report: ResealReport,
  rows: readonly SealedRow[],
  seal: SealedText,
  replace: (key: string, before: string, after: string) => Promise<void>,
): Promise<void> {
  const writes: Array<() => Promise<void>> = [];
  for (const row of rows) {
    const opened = seal.open(row.sealed);
    if (!opened) {
      report.unreadable += 1;
    } else if (opened.stale) {
      writes.push(() => replace(row.key, row.sealed, seal.seal(opened.plain)));
      report.resealed += 1;
    }
  }
  report.total += rows.length;
  // A few at once, each conditional on what was read, so two processes starting together stay safe.
  await writeAtMost(8, writes);
}

/**
 * Start-up after a SECRET_KEY rotation (README: Rotating SECRET_KEY): the bulk upload's queued
 * passwords, undownloaded handouts and the uploads' common passwords are re-sealed under
 * SECRET_KEY, so they still hash, download and commit once SECRET_KEY_PREVIOUS is dropped.
 *
 * A hashing job running meanwhile (on another process) loses nothing: it read an entry sealed
 * the old way, and BulkRepository.storeHash deletes the entry only if it still holds that very
 * value; after a re-seal it does not, so nothing is written, the entry stays queued under the new
 * seal, and the job's next read of the queue (it loops until the queue is empty) hashes it again.
 */
export class BulkSealedStores {
  constructor(
    private readonly repository: BulkSealedRepository,
    private readonly queueSeal: SealedText,
    private readonly handoutSeal: SealedText,
  ) {}

  async resealQueue(): Promise<ResealReport> {
    const report: ResealReport = { what: 'bulk-upload passwords waiting for their hash', total: 0, resealed: 0, unreadable: 0 };
    for (
      let rows = await this.repository.queuedAfter('', PAGE);
      rows.length > 0;
      rows = await this.repository.queuedAfter(rows.at(-1)!.key, PAGE)
    ) {
      await resealRows(report, rows, this.queueSeal, (key, before, after) => this.repository.replaceQueued(key, before, after));
    }
    return report;
  }

  /** The common password of each upload's options (sealed with the queue's seal, inside the options' JSON). */
  async resealCommonPasswords(): Promise<ResealReport> {
    const report: ResealReport = { what: 'bulk-upload common passwords', total: 0, resealed: 0, unreadable: 0 };
    const rows = (await this.repository.optionsWithCommon()).flatMap((row) => {
      const options = JSON.parse(row.sealed) as { common?: { sealed?: unknown } | null };
      const sealed = options.common?.sealed;
      return typeof sealed === 'string' ? [{ key: row.key, sealed, json: row.sealed, options }] : [];
    });
    const byKey = new Map(rows.map((r) => [r.key, r]));
    await resealRows(report, rows, this.queueSeal, async (key, _before, after) => {
      const row = byKey.get(key)!;
      await this.repository.replaceOptions(
        key,
        row.json,
        JSON.stringify({ ...row.options, common: { ...row.options.common, sealed: after } }),
      );
    });
    return report;
  }

  async resealHandouts(): Promise<ResealReport> {
    const report: ResealReport = {
      what: 'bulk-upload generated passwords waiting for their download',
      total: 0,
      resealed: 0,
      unreadable: 0,
    };
    await resealRows(report, await this.repository.handouts(), this.handoutSeal, (key, before, after) =>
      this.repository.replaceHandout(key, before, after),
    );
    return report;
  }
}
