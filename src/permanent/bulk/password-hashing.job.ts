import { availableParallelism } from 'node:os';
import type { RunInUnitOfWork } from '../../db/unit-of-work.js';
import type { JobHandler } from '../../jobs/job.js';
import type { Logger } from '../../logger.js';
import type { SealedText } from '../../secrets/sealed-text.js';
import { hashPassword, type ScryptParameters, SCRYPT_DEFAULTS } from '../../security/password-hash.js';
import type { BulkRepository } from './bulk.repository.js';

export const PASSWORD_HASH_JOB = 'permanent-password-hash';

/** libuv's default pool size, when UV_THREADPOOL_SIZE is not set. */
const LIBUV_DEFAULT_POOL = 4;

/**
 * How many hashes to run at once: one per core. Node's scrypt runs on libuv's thread pool, so
 * that many must fit in the pool with a thread to spare for everything else that uses it
 * (SQLite's queries, file reads, DNS): main.ts sizes the pool (src/threadpool.ts) before
 * anything starts it; a pool set smaller than that by hand caps the hashing, not the rest.
 */
export function hashingConcurrency(): number {
  const pool = Number(process.env.UV_THREADPOOL_SIZE) || LIBUV_DEFAULT_POOL;
  return Math.max(1, Math.min(availableParallelism(), pool - 1));
}

/** Runs `work` over `items` with at most `concurrency` at once, results in order. */
export async function mapConcurrently<T, R>(items: readonly T[], concurrency: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
  return results;
}

export interface HashingDeps {
  repository: BulkRepository;
  seal: SealedText;
  inUnit: RunInUnitOfWork;
  log: Logger;
  concurrency?: number;
  params?: ScryptParameters;
}

/**
 * The job that hashes one platform's queued passwords (its subject is the platform id), in
 * batches of a few per core: each batch's hashes are written and its sealed entries deleted in
 * one transaction. A process that dies mid-batch leaves the batch queued, and the run that takes
 * the job over hashes it again; an entry replaced by a later upload meanwhile is left for its own
 * hash (BulkRepository.storeHash), so nothing is lost or written twice.
 */
export function passwordHashingJob(deps: HashingDeps): JobHandler {
  return async ({ job, progress }) => {
    const platformId = job.subjectId ?? '';
    const concurrency = deps.concurrency ?? hashingConcurrency();
    const batch = concurrency * 8;
    let total = await deps.repository.queuedCount(platformId);
    let hashed = 0;
    const started = Date.now();
    progress(0, total);
    for (;;) {
      const entries = await deps.repository.nextQueued(platformId, batch);
      if (entries.length === 0) {
        break;
      }
      const hashes = await mapConcurrently(entries, concurrency, async (entry) => {
        const opened = deps.seal.open(entry.sealed);
        return opened ? hashPassword(opened.plain, deps.params ?? SCRYPT_DEFAULTS) : null;
      });
      await deps.inUnit(async (unit) => {
        for (const [index, entry] of entries.entries()) {
          const hash = hashes[index];
          if (hash) {
            await deps.repository.storeHash(entry.userId, entry.sealed, hash, unit);
          } else {
            // Sealed under a key neither SECRET_KEY nor SECRET_KEY_PREVIOUS is: no hash can ever be made of it.
            deps.log.warn({ userId: entry.userId }, 'a queued password no longer opens; the user needs a password reset');
            await deps.repository.dropUnreadable(entry.userId, entry.sealed, unit);
          }
        }
      });
      hashed += entries.length;
      total = Math.max(total, hashed);
      progress(hashed, total);
    }
    const seconds = (Date.now() - started) / 1000;
    return { hashed, seconds, perSecond: seconds > 0 ? Math.round(hashed / seconds) : hashed, concurrency };
  };
}
