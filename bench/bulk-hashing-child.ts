/**
 * The password hashing job's hash rate, in a process of its own started like examgate
 * (`--import dist/src/threadpool.js` first sizes libuv's pool as main.ts does): argv[2] hashes
 * at scrypt cost argv[3] (log2 N), through the job's own compiled `mapConcurrently` at
 * `hashingConcurrency()` (all cores) and at 1 (one core), in alternating rounds so the
 * machine's changing load falls on both alike. Prints one JSON line.
 */
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type * as JobModule from '../src/permanent/bulk/password-hashing.job.js';
import type * as HashModule from '../src/security/password-hash.js';

const dist = (...parts: string[]) => pathToFileURL(path.resolve(import.meta.dirname, '..', 'dist', 'src', ...parts)).href;
const { hashingConcurrency, mapConcurrently } = (await import(dist('permanent', 'bulk', 'password-hashing.job.js'))) as typeof JobModule;
const { hashPassword, SCRYPT_DEFAULTS } = (await import(dist('security', 'password-hash.js'))) as typeof HashModule;

const count = Number(process.argv[2]);
const log2N = Number(process.argv[3]);
const ROUNDS = 4;
if (!Number.isInteger(count) || count < ROUNDS || !Number.isInteger(log2N)) {
  throw new Error('usage: bulk-hashing-child.ts COUNT COST (COUNT at least 4)');
}
const params = { ...SCRYPT_DEFAULTS, log2N };
const all = hashingConcurrency();
const totals = { all: { hashes: 0, ms: 0 }, one: { hashes: 0, ms: 0 } };

async function round(mode: 'all' | 'one', hashes: number): Promise<void> {
  const passwords = Array.from({ length: hashes }, (_, i) => `Bench-${mode}-${totals[mode].hashes + i}-Passw0rd`);
  const t0 = performance.now();
  await mapConcurrently(passwords, mode === 'all' ? all : 1, (password) => hashPassword(password, params));
  totals[mode].ms += performance.now() - t0;
  totals[mode].hashes += hashes;
}

for (let r = 0; r < ROUNDS; r += 1) {
  const hashes = Math.floor(count / ROUNDS) + (r < count % ROUNDS ? 1 : 0);
  // all, one, one, all, …: neither mode always goes first.
  for (const mode of r % 2 === 0 ? (['all', 'one'] as const) : (['one', 'all'] as const)) {
    await round(mode, hashes);
  }
}
console.log(JSON.stringify({ log2N, concurrency: all, pool: Number(process.env.UV_THREADPOOL_SIZE), ...totals }));
