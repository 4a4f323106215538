/**
 * Loaded with `node --import` into the examgate child of the bulk-upload crash test only, never
 * into the test process. Once a bulk commit has written its first batch of users (inside the
 * commit's transaction, not committed), it writes its pid to the file BULK_STALL_MARKER names
 * and goes no further, so the test's SIGKILL lands in the middle of the commit every time rather
 * than before or after it by luck of timing. Everything else in the process is examgate's own.
 */
import { writeFileSync } from 'node:fs';
import { BulkRepository } from '../../src/permanent/bulk/bulk.repository.js';

const marker = process.env.BULK_STALL_MARKER;
const insertUsers = BulkRepository.prototype.insertUsers;

BulkRepository.prototype.insertUsers = async function stallAfterFirstBatch(
  this: BulkRepository,
  ...args: Parameters<BulkRepository['insertUsers']>
): Promise<void> {
  await insertUsers.apply(this, args);
  if (marker) {
    writeFileSync(marker, String(process.pid));
    await new Promise<never>(() => undefined);
  }
};
